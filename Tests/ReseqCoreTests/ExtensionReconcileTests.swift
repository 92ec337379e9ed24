import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Extensions on real servers, through the binary: created at the source's version where the
/// target offers it (an `extension` hazard), a finding naming what it offers where not.
final class ExtensionReconcileTests: VersionClustersTestCase {
    private static let source = """
        CREATE EXTENSION citext VERSION '1.6';
        CREATE TABLE users (id bigint PRIMARY KEY, email citext NOT NULL);
        CREATE UNIQUE INDEX users_email_key ON users (email);
        INSERT INTO users VALUES (1, 'A@example.com'), (2, 'b@example.com');
        """
    /// What DMS leaves of it: the table, its key and rows, citext as text.
    private static let copy = """
        CREATE TABLE users (id bigint PRIMARY KEY, email text);
        INSERT INTO users VALUES (1, 'A@example.com'), (2, 'b@example.com');
        """

    func testCreatedAtTheSourcesVersionWhereOfferedThenTheColumnsTypeAndIndex() throws {
        let cluster = try cluster(15)
        let source = try cluster.createDatabase("ext"), target = try cluster.createDatabase("ext")
        try cluster.run(Self.source, database: source)
        try cluster.run(Self.copy, database: target)
        let sourceFile = temporaryFile("source.json")
        XCTAssertEqual(try BinaryTests.reseq(["snapshot", "--dsn", cluster.conninfo(database: source), "--output", sourceFile]).status, 0)
        let dsn = cluster.conninfo(database: target)

        // Without --allow-hazards extension, the extension and what needs it wait.
        let held = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply", "--allow-hazards", "index-build,table-rewrite,correctness"])
        XCTAssertEqual(held.status, 1, held.stdout + held.stderr)
        XCTAssertTrue(held.stderr.contains("held back: extension citext: creates extension citext 1.6. Hazards: extension;"), held.stderr)

        let run = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply", "--allow-hazards", "all"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("ready for writes"), run.stdout)
        let connection = try cluster.connect(database: target)
        defer { connection.close() }
        XCTAssertEqual(try connection.query("SELECT extversion FROM pg_extension WHERE extname = 'citext'").rows, [["1.6"]])
        XCTAssertEqual(try connection.query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'").rows,
                       [["citext"]])
        // citext's meaning is back: the unique index refuses the same address in other case.
        XCTAssertThrowsError(try connection.execute("INSERT INTO users VALUES (3, 'a@EXAMPLE.com')")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, SQLState("23505"))
        }
    }

    func testNotOfferedByTheTargetIsAFindingAndNothingNeedingItRuns() throws {
        // The PostgreSQL 16 of the matrix (pgserver's wheel) ships no citext.
        let source15 = try cluster(15), target16 = try cluster(16)
        let source = try source15.createDatabase("ext"), target = try target16.createDatabase("ext")
        try source15.run(Self.source, database: source)
        try target16.run(Self.copy, database: target)
        let offered = try target16.connect(database: target)
        defer { offered.close() }
        XCTAssertEqual(try offered.query("SELECT count(*) FROM pg_available_extension_versions WHERE name = 'citext'").rows, [["0"]])
        let sourceFile = temporaryFile("source.json")
        XCTAssertEqual(try BinaryTests.reseq(["snapshot", "--dsn", source15.conninfo(database: source), "--output", sourceFile]).status, 0)

        let run = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", target16.conninfo(database: target),
                                         "--apply", "--allow-hazards", "all"])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("not planned: citext: extension citext 1.6 is missing and the target does not offer it at all"), run.stderr)
        XCTAssertEqual(try offered.query("SELECT count(*) FROM pg_extension WHERE extname = 'citext'").rows, [["0"]])
    }
}
