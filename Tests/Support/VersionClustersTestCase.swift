import XCTest

/// A test class whose tests share one throwaway cluster per PostgreSQL major they ask for
/// (`cluster(16)`), each started on first use and stopped after the class's last test. A
/// version that cannot start fails the test: none is skipped.
open class VersionClustersTestCase: XCTestCase {
    nonisolated(unsafe) private static var clusters: [ObjectIdentifier: [Int: TestCluster]] = [:]

    public func cluster(_ version: Int) throws -> TestCluster {
        let key = ObjectIdentifier(type(of: self))
        if let cluster = Self.clusters[key]?[version] { return cluster }
        let cluster = try TestCluster.start(version: version)
        Self.clusters[key, default: [:]][version] = cluster
        return cluster
    }

    open override class func tearDown() {
        clusters.removeValue(forKey: ObjectIdentifier(self))?.values.forEach { $0.stop() }
        super.tearDown()
    }
}
