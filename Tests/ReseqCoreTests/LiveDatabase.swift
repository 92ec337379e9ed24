import Foundation
import PostgresClient
import PostgresTestSupport
@testable import ReseqCore

/// A source database and its DMS-style copy on a throwaway cluster, and the steps of a
/// reconciliation run in process.
struct LiveDatabase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func file(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    let cluster: TestCluster
    let source: String
    let target: String

    /// Loads `sqlFile` (relative to the repository) into a source and a target database, then
    /// strips the target as DMS would.
    init(cluster: TestCluster, sqlFile: String) throws {
        self.cluster = cluster
        let sql = try Self.file(sqlFile)
        source = try cluster.createDatabase("source")
        target = try cluster.createDatabase("target")
        try cluster.run(sql, database: source)
        try cluster.run(sql, database: target)
        try cluster.run(try Self.file("scripts/dms-copy.sql"), database: target)
    }

    func snapshot(_ database: String, extra: [ColumnRef] = []) throws -> Snapshot {
        let connection = try cluster.connect(database: database)
        var options = SnapshotOptions()
        options.extraColumns = extra
        options.host = "localhost"
        options.port = "\(cluster.port)"
        return try SnapshotReader().capture(connection, options: options)
    }

    func targetSnapshot(for source: Snapshot) throws -> Snapshot {
        try snapshot(target, extra: source.columns.map(\.ref) + source.sequences.compactMap(\.ownedBy))
    }

    /// Plan and apply as `reseq reconcile --apply` does; returns the outcomes and the
    /// verification findings.
    @discardableResult
    func reconcile(headroom: Int64 = 0) throws -> (plan: Plan, outcomes: [ApplyOutcome], verification: [Finding]) {
        let sourceSnapshot = try snapshot(source)
        let before = try targetSnapshot(for: sourceSnapshot)
        let plan = Planner.plan(source: sourceSnapshot, target: before, options: .init(headroom: headroom))
        let connection = try cluster.connect(database: target)
        let outcomes = Applier().apply(plan, on: connection)
        let after = try targetSnapshot(for: sourceSnapshot)
        return (plan, outcomes, Differ.diff(source: sourceSnapshot, target: after))
    }

    func scalar(_ sql: String, in database: String) throws -> String? {
        let connection = try cluster.connect(database: database)
        let result = try connection.query(sql)
        return result.rows.first?.first ?? nil
    }
}
