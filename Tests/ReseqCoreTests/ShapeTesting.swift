import PostgresTestSupport
@testable import ReseqCore

/// What the shape tests share: a snapshot of a database as the superuser, and findings as
/// lines for failure messages.
extension VersionClustersTestCase {
    func snapshot(_ cluster: TestCluster, _ database: String) throws -> Snapshot {
        try SnapshotReader().capture(try cluster.connect(database: database))
    }

    func describe(_ findings: [Finding]) -> String {
        findings.map { "\($0.severity) \($0.kind) \($0.object): \($0.sourceValue ?? "-") | \($0.targetValue ?? "-")" }
            .joined(separator: "\n")
    }
}
