import PostgresTestSupport
@testable import ReseqCore

/// What the shape tests share: a fixture loaded on two servers, or shaped as DMS leaves it,
/// with its findings; a snapshot as the superuser; findings as lines for failure messages.
extension VersionClustersTestCase {
    /// `fixture` loaded on PostgreSQL `from` and `to`: the first's snapshot, and the findings of
    /// the second against it.
    func loadedTwice(_ fixture: String, from sourceVersion: Int, to targetVersion: Int) throws
        -> (source: Snapshot, findings: [Finding])
    {
        let sql = try LiveDatabase.file(fixture)
        let sourceCluster = try cluster(sourceVersion), targetCluster = try cluster(targetVersion)
        let source = try sourceCluster.createDatabase("source"), target = try targetCluster.createDatabase("target")
        try sourceCluster.run(sql, database: source)
        try targetCluster.run(sql, database: target)
        let before = try snapshot(sourceCluster, source)
        return (before, Differ.diff(source: before, target: try snapshot(targetCluster, target)))
    }

    /// `fixture` loaded into a source and a target on PostgreSQL `version`, the target shaped
    /// as DMS would: the findings, and their severities keyed by "kind object".
    func dmsShaped(_ fixture: String, version: Int = 15) throws -> (findings: [Finding], told: [String: Finding.Severity]) {
        let cluster = try cluster(version)
        let sql = try LiveDatabase.file(fixture)
        let source = try cluster.createDatabase("source"), target = try cluster.createDatabase("target")
        try cluster.run(sql, database: source)
        try cluster.run(sql, database: target)
        try cluster.run(try LiveDatabase.file("scripts/dms-shape-copy.sql"), database: target)
        let findings = Differ.diff(source: try snapshot(cluster, source), target: try snapshot(cluster, target))
        return (findings, Dictionary(findings.map { ("\($0.kind) \($0.object)", $0.severity) }, uniquingKeysWith: min))
    }

    func snapshot(_ cluster: TestCluster, _ database: String) throws -> Snapshot {
        try SnapshotReader().capture(try cluster.connect(database: database))
    }

    func describe(_ findings: [Finding]) -> String {
        findings.map { "\($0.severity) \($0.kind) \($0.object): \($0.sourceValue ?? "-") | \($0.targetValue ?? "-")" }
            .joined(separator: "\n")
    }
}
