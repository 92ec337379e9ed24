import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest

/// The cutover through the built `reseq`, with the source and the target on different
/// PostgreSQL majors: 15 (Debian's) and 16 and 18 (from PyPI wheels, see scripts/install-deps.sh).
/// Each version's cluster is started once for the class; each test has databases of its own.
final class VersionMatrixTests: VersionClustersTestCase {

    // MARK: the incident (demo/source.sql)

    /// The baseline: what the other pairs must match, on one version.
    func testDemoCutover15To15() throws { try demoCutover(from: 15, to: 15) }
    func testDemoCutover15To16() throws { try demoCutover(from: 15, to: 16) }
    func testDemoCutover15To18() throws { try demoCutover(from: 15, to: 18) }
    func testDemoCutover18To15() throws { try demoCutover(from: 18, to: 15) }

    private func demoCutover(from sourceVersion: Int, to targetVersion: Int) throws {
        let pair = try cutover("demo/source.sql", from: sourceVersion, to: targetVersion)
        // What the source would hand out next, not max(id) + 1 (orders: 950).
        let expected = [
            ("INSERT INTO django_migrations (app, name) VALUES ('links', '0003_link_owner') RETURNING id", "14"),
            ("INSERT INTO orders (total) VALUES (1) RETURNING id", "1001"),
            ("INSERT INTO links_link (url) VALUES ('x') RETURNING id", "5120"),
            ("INSERT INTO audit_event (what) VALUES ('x') RETURNING id", "251"),
            ("SELECT nextval('invoice_number_seq')", "10070"),
        ]
        for (sql, value) in expected {
            XCTAssertEqual(try pair.targetScalar(sql), value, "\(pair): \(sql)")
        }
    }

    // MARK: every shape of auto-numbering (Fixtures/parity.sql)

    func testParityCutover15To16() throws { try parityCutover(from: 15, to: 16) }
    func testParityCutover15To18() throws { try parityCutover(from: 15, to: 18) }
    func testParityCutover18To15() throws { try parityCutover(from: 18, to: 15) }

    private func parityCutover(from sourceVersion: Int, to targetVersion: Int) throws {
        let pair = try cutover("Tests/ReseqCoreTests/Fixtures/parity.sql", from: sourceVersion, to: targetVersion)
        for table in ["plain_serial", "ident_always", "ident_by_default"] {
            let insert = "INSERT INTO \(table) (v) VALUES ('n') RETURNING id"
            XCTAssertEqual(try pair.targetScalar(insert), try pair.sourceScalar(insert), "\(pair): \(table)")
        }
        let expected = [
            ("INSERT INTO countdown DEFAULT VALUES RETURNING id", "-4"),
            ("SELECT nextval('ring')", "3"),
            ("SELECT nextval('never_used')", "7"),
            // CACHE 20: the source's first nextval reserved 42...61, so a new session gets 62 there too.
            ("SELECT nextval('standalone')", "62"),
            ("INSERT INTO measurement_2026 (taken) VALUES ('2026-05-01') RETURNING id", "401"),
            (#"INSERT INTO "Billing"."select" DEFAULT VALUES RETURNING "from""#, "2"),
        ]
        for (sql, value) in expected {
            XCTAssertEqual(try pair.targetScalar(sql), value, "\(pair): \(sql)")
        }
    }

    // MARK: the steps a user runs

    struct Pair: CustomStringConvertible {
        var source: TestCluster
        var sourceDatabase: String
        var target: TestCluster
        var targetDatabase: String
        var versions: String
        var description: String { versions }

        func sourceScalar(_ sql: String) throws -> String? {
            try source.connect(database: sourceDatabase).query(sql).rows.first?.first ?? nil
        }

        func targetScalar(_ sql: String) throws -> String? {
            try target.connect(database: targetDatabase).query(sql).rows.first?.first ?? nil
        }
    }

    /// Loads `sqlFile` into a source database on PostgreSQL `sourceVersion` and, stripped by
    /// scripts/dms-copy.sql, into a target on `targetVersion`; then snapshot, diff (exit 1),
    /// reconcile --apply (exit 0), a clean diff (exit 0) and a second reconcile that applies nothing.
    private func cutover(_ sqlFile: String, from sourceVersion: Int, to targetVersion: Int) throws -> Pair {
        let source = try cluster(sourceVersion)
        let target = try cluster(targetVersion)
        let sql = try LiveDatabase.file(sqlFile)
        let pair = Pair(source: source, sourceDatabase: try source.createDatabase("source"),
                        target: target, targetDatabase: try target.createDatabase("target"),
                        versions: "\(sqlFile) \(sourceVersion)→\(targetVersion)")
        try source.run(sql, database: pair.sourceDatabase)
        try target.run(sql, database: pair.targetDatabase)
        try target.run(try LiveDatabase.file("scripts/dms-copy.sql"), database: pair.targetDatabase)
        let sourceDSN = source.conninfo(database: pair.sourceDatabase)
        let targetDSN = target.conninfo(database: pair.targetDatabase)

        let sourceFile = temporaryFile("source.json")
        let targetFile = temporaryFile("target.json")
        let afterFile = temporaryFile("after.json")
        defer { [sourceFile, targetFile, afterFile].forEach { try? FileManager.default.removeItem(atPath: $0) } }

        let snapshot = try BinaryTests.reseq(["snapshot", "--dsn", sourceDSN, "--output", sourceFile])
        XCTAssertEqual(snapshot.status, 0, "\(pair): \(snapshot.stderr)")
        let before = try BinaryTests.reseq(["snapshot", "--dsn", targetDSN, "--output", targetFile])
        XCTAssertEqual(before.status, 0, "\(pair): \(before.stderr)")
        let diff = try BinaryTests.reseq(["diff", sourceFile, targetFile])
        XCTAssertEqual(diff.status, 1, "\(pair): \(diff.stdout)\(diff.stderr)")

        let apply = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", targetDSN, "--apply"])
        XCTAssertEqual(apply.status, 0, "\(pair): \(apply.stdout)\(apply.stderr)")
        XCTAssertTrue(apply.stdout.contains("verified: the target now matches the source; ready for writes."),
                      "\(pair): \(apply.stdout)")

        let after = try BinaryTests.reseq(["snapshot", "--dsn", targetDSN, "--output", afterFile])
        XCTAssertEqual(after.status, 0, "\(pair): \(after.stderr)")
        let clean = try BinaryTests.reseq(["diff", sourceFile, afterFile])
        XCTAssertEqual(clean.status, 0, "\(pair): \(clean.stdout)\(clean.stderr)")

        let again = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", targetDSN, "--apply"])
        XCTAssertEqual(again.status, 0, "\(pair): \(again.stdout)\(again.stderr)")
        XCTAssertTrue(again.stdout.hasPrefix("applied 0 of 0 object(s)."), "\(pair): \(again.stdout)")
        return pair
    }
}
