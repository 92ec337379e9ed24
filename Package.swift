// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "reseq",
    platforms: [.macOS(.v15)],  // Synchronization (Mutex, Atomic)
    products: [
        .executable(name: "reseq", targets: ["reseq"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // HTML report: its templates escape every interpolated value (& < > " ').
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),
        .target(
            name: "ReseqCore",
            dependencies: [
                "PostgresClient",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            plugins: ["VersionPlugin"]
        ),
        // `reseq --version`: the git tag and commit at build time (scripts/version.sh).
        .plugin(name: "VersionPlugin", capability: .buildTool()),
        .executableTarget(
            name: "reseq",
            dependencies: [
                "ReseqCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A throwaway PostgreSQL cluster for the integration tests.
        .target(name: "PostgresTestSupport", dependencies: ["PostgresClient"], path: "Tests/Support"),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "PostgresTestSupport"]),
        .testTarget(
            name: "ReseqCoreTests",
            dependencies: ["ReseqCore", "PostgresClient", "PostgresTestSupport"],
            exclude: ["Golden", "Fixtures"]
        ),
    ]
)
