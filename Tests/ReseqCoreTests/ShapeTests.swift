import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// The whole shape on real servers (Fixtures/shape.sql holds every object kind): a perfect
/// copy diffs with not one finding, on one cluster and from one major to another; a copy made
/// to look like what DMS leaves (scripts/dms-shape-copy.sql) names everything it lost.
final class ShapeTests: XCTestCase {
    nonisolated(unsafe) private static var clusters: [Int: TestCluster] = [:]

    override class func tearDown() {
        clusters.values.forEach { $0.stop() }
        clusters = [:]
        super.tearDown()
    }

    private func cluster(_ version: Int) throws -> TestCluster {
        if let cluster = Self.clusters[version] { return cluster }
        let cluster = try TestCluster.start(version: version)
        Self.clusters[version] = cluster
        return cluster
    }

    private static let fixture = "Tests/ReseqCoreTests/Fixtures/shape.sql"

    private func snapshot(_ cluster: TestCluster, _ database: String) throws -> Snapshot {
        try SnapshotReader().capture(try cluster.connect(database: database))
    }

    private func describe(_ findings: [Finding]) -> String {
        findings.map { "\($0.severity) \($0.kind) \($0.object): \($0.sourceValue ?? "-") | \($0.targetValue ?? "-")" }
            .joined(separator: "\n")
    }

    // MARK: no noise

    func testTemplateCopyHasNoFinding() throws {
        let cluster = try cluster(15)
        let source = try cluster.createDatabase("shape")
        try cluster.run(try LiveDatabase.file(Self.fixture), database: source)
        let copy = "copy_\(source)"
        try cluster.run("CREATE DATABASE \(copy) TEMPLATE \(source)")
        let before = try snapshot(cluster, source), after = try snapshot(cluster, copy)
        let objects = try XCTUnwrap(before.schema)
        // The fixture's every kind was read.
        XCTAssertEqual(Set(objects.types.map(\.kind)), [.enum, .domain, .composite, .range])
        XCTAssertEqual(Set(objects.tables.map(\.kind)), [.plain, .partitioned, .partition])
        XCTAssertEqual(Set(objects.tables.flatMap(\.constraints).map(\.kind)),
                       [.primaryKey, .unique, .check, .foreignKey, .exclusion])
        XCTAssertEqual(Set(objects.views.map(\.materialized)), [true, false])
        XCTAssertFalse(objects.views.flatMap(\.indexes).isEmpty)
        XCTAssertEqual(objects.tables.flatMap(\.triggers).count, 2)
        XCTAssertEqual(objects.tables.flatMap(\.policies).count, 1)
        XCTAssertTrue(objects.functions.contains { $0.kind == .procedure && $0.securityDefiner })
        let findings = Differ.diff(source: before, target: after)
        XCTAssertEqual(findings, [], describe(findings))
    }

    func testSameSQLLoadedTwice15To15() throws { try sameSQLLoadedTwice(from: 15, to: 15) }
    func testSameSQLLoadedTwice15To16() throws { try sameSQLLoadedTwice(from: 15, to: 16) }
    func testSameSQLLoadedTwice15To18() throws { try sameSQLLoadedTwice(from: 15, to: 18) }
    func testSameSQLLoadedTwice18To15() throws { try sameSQLLoadedTwice(from: 18, to: 15) }

    private func sameSQLLoadedTwice(from sourceVersion: Int, to targetVersion: Int) throws {
        let sql = try LiveDatabase.file(Self.fixture)
        let sourceCluster = try cluster(sourceVersion), targetCluster = try cluster(targetVersion)
        let source = try sourceCluster.createDatabase("source"), target = try targetCluster.createDatabase("target")
        try sourceCluster.run(sql, database: source)
        try targetCluster.run(sql, database: target)
        let findings = Differ.diff(source: try snapshot(sourceCluster, source), target: try snapshot(targetCluster, target))
        XCTAssertEqual(findings, [], "\(sourceVersion)→\(targetVersion):\n\(describe(findings))")
    }
}
