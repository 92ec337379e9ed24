import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Fault 5: broken and hostile snapshot files through the built binary. A broken file exits 2
/// naming the file and the field, and no connection reaches the server (its log, with
/// log_connections on, shows none). Hostile names become quoted SQL that creates them verbatim.
final class BadSnapshotTests: XCTestCase {
    static let corpus = LiveDatabase.repository.appendingPathComponent("Tests/ReseqCoreTests/Fixtures/bad-snapshots")
    static let hostile = LiveDatabase.repository.appendingPathComponent("Tests/ReseqCoreTests/Fixtures/hostile-names.json").path
    static let good = LiveDatabase.repository.appendingPathComponent("Snapshots/source.json").path

    struct Case {
        var file: String
        var field: String?
        var piece: String
    }

    static func cases() throws -> [Case] {
        let manifest = try String(contentsOf: corpus.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(file: corpus.appendingPathComponent(parts[0]).path,
                        field: parts[1] == "-" ? nil : parts[1], piece: parts.count > 2 ? parts[2] : "")
        }
    }

    func testEveryBrokenFileExitsTwoNamingFileAndFieldAndNothingReachesTheServer() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        try cluster.run("ALTER SYSTEM SET log_connections = on")
        try cluster.run("SELECT pg_reload_conf()")
        let target = try cluster.createDatabase("target")
        let log = cluster.directory.appendingPathComponent("server.log")

        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 35)
        for (index, bad) in cases.enumerated() {
            let dsn = cluster.conninfo(database: target) + " application_name=reseq_bad_\(index)"
            let runs = [
                try BinaryTests.reseq(["diff", bad.file, Self.good]),
                try BinaryTests.reseq(["plan", Self.good, bad.file]),
                try BinaryTests.reseq(["report", bad.file, Self.good]),
                try BinaryTests.reseq(["reconcile", "--source", bad.file, "--target-dsn", dsn, "--apply"]),
            ]
            for run in runs {
                let name = URL(fileURLWithPath: bad.file).lastPathComponent
                XCTAssertEqual(run.status, 2, "\(name): \(run.stderr)")
                XCTAssertEqual(run.stdout, "", name)
                XCTAssertTrue(run.stderr.hasPrefix("Error: " + bad.file + ": "), "\(name): \(run.stderr)")
                if let field = bad.field {
                    XCTAssertTrue(run.stderr.contains(": field \(field): "), "\(name) should name \(field): \(run.stderr)")
                } else {
                    XCTAssertFalse(run.stderr.contains(": field "), "\(name): \(run.stderr)")
                }
                XCTAssertTrue(bad.piece.isEmpty || run.stderr.contains(bad.piece), "\(name) should say \(bad.piece): \(run.stderr)")
                XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "\(name): one line: \(run.stderr)")
            }
        }
        // The positive control: a good file does connect, and the log shows it.
        let control = try BinaryTests.reseq(["reconcile", "--source", Self.good, "--target-dsn",
                                              cluster.conninfo(database: target) + " application_name=reseq_good_control"])
        XCTAssertEqual(control.status, 1, control.stderr)  // dry run; the tables are not on the target
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(text.contains("application_name=reseq_good_control"), "log_connections is not logging")
        XCTAssertFalse(text.contains("reseq_bad_"), "a broken snapshot reached the server")
        XCTAssertEqual(try cluster.connect(database: target).query("SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'S'").int(0, "n"), 0)
    }

    func testHostileNamesAreQuotedAndCreatedVerbatim() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        let target = try cluster.createDatabase("target")
        // The tables the hostile snapshot's columns live on, quoted by PostgreSQL itself (%I).
        try cluster.run(#"""
            CREATE TABLE victim (id int);
            DO $do$ BEGIN
              EXECUTE format('CREATE SCHEMA %I', 'Sch"ema; --');
              EXECUTE format('CREATE TABLE %I.%I (%I bigint PRIMARY KEY)', 'Sch"ema; --', 'tab"le', 'i"d');
              EXECUTE format('INSERT INTO %I.%I SELECT generate_series(1, 5)', 'Sch"ema; --', 'tab"le');
              EXECUTE format('CREATE TABLE public.%I (%I bigint NOT NULL)', 'order', 'select');
              EXECUTE format('INSERT INTO public.%I SELECT generate_series(1, 3)', 'order');
            END $do$;
            """#, database: target)
        let dsn = cluster.conninfo(database: target)

        let dry = try BinaryTests.reseq(["reconcile", "--source", Self.hostile, "--target-dsn", dsn])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let statements = dry.stdout.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        let foreign = SQLLexer.foreign(in: dry.stdout)
        XCTAssertEqual(foreign.words, [], "unquoted words in the plan:\n\(dry.stdout)")
        XCTAssertEqual(foreign.punctuation, [], "unquoted punctuation in the plan")
        XCTAssertFalse(foreign.unterminated)
        XCTAssertTrue(statements.contains(#"CREATE SEQUENCE "Sch""ema; --"."x; DROP TABLE victim; --" AS bigint"#), statements)

        let apply = try BinaryTests.reseq(["reconcile", "--source", Self.hostile, "--target-dsn", dsn, "--apply"])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)

        let snapshot = try Snapshot.decode(Data(contentsOf: URL(fileURLWithPath: Self.hostile)), file: Self.hostile)
        let check = try cluster.connect(database: target)
        for sequence in snapshot.sequences {
            // Names compared as parameters: no quoting on this side at all.
            let row = try check.query("""
                SELECT count(*)::int AS n, max(s.last_value)::text AS last FROM pg_sequences s
                WHERE s.schemaname = $1 AND s.sequencename = $2
                """, [sequence.name.schema, sequence.name.name])
            XCTAssertEqual(try row.int(0, "n"), 1, "\(sequence.name.schema.debugDescription).\(sequence.name.name.debugDescription)")
            if !sequence.isIdentity, sequence.ownedBy == nil {
                XCTAssertEqual(try row.optionalString(0, "last"), sequence.lastValue.map(String.init), sequence.name.name.debugDescription)
            }
        }
        XCTAssertEqual(try check.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'victim'").int(0, "n"), 1)
        let next = try check.query(#"INSERT INTO "Sch""ema; --"."tab""le" DEFAULT VALUES RETURNING "i""d""#)
        XCTAssertEqual(next.rows.first?.first, "42")
        let identity = try check.query(#"INSERT INTO public."order" DEFAULT VALUES RETURNING "select""#)
        XCTAssertEqual(identity.rows.first?.first, "8")
    }
}
