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

    /// Databases made elsewhere.
    init(cluster: TestCluster, source: String, target: String) {
        self.cluster = cluster
        self.source = source
        self.target = target
    }

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

    /// `reseq reconcile --apply --allow-hazards authorization`'s own path, the core's
    /// `Reconciler`, on the target as the superuser (or `user`); returns its result.
    @discardableResult
    func reconcile(headroom: Int64 = 0, user: String? = nil, apply: Bool = true,
                   roles: RoleMap = RoleMap(), trustSourceValues: Bool = false,
                   allowedHazards: Set<Hazard> = [.authorization]) throws -> Reconciler.Result {
        let sourceSnapshot = try snapshot(source)
        let session = Session(lockTimeoutMilliseconds: 5000)
        let connection = try session.connect(cluster.conninfo(database: target, user: user))
        var options = SnapshotOptions()
        options.host = "localhost"
        options.port = "\(cluster.port)"
        options.spare = session.spares(cluster.conninfo(database: target, user: user))
        let reconciler = Reconciler(options: .init(
            apply: apply, planner: .init(headroom: headroom, roles: roles, trustSourceValues: trustSourceValues),
            allowedHazards: allowedHazards))
        return try reconciler.run(source: sourceSnapshot, on: connection, snapshot: options)
    }

    func scalar(_ sql: String, in database: String) throws -> String? {
        let connection = try cluster.connect(database: database)
        let result = try connection.query(sql)
        return result.rows.first?.first ?? nil
    }
}
