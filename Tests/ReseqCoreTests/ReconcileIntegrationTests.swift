import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Reconciliation on a real PostgreSQL: the incident, parity, idempotency, data that moved on.
final class ReconcileIntegrationTests: ClusterTestCase {
    private func live(_ file: String) throws -> LiveDatabase {
        try LiveDatabase(cluster: cluster, sqlFile: file)
    }

    private let insertMigration = "INSERT INTO django_migrations (app, name) VALUES ('links', '0003_link_owner') RETURNING id"

    func testTheIncidentInsertFailsBeforeAndGetsId14After() throws {
        let db = try live("demo/source.sql")
        XCTAssertThrowsError(try db.scalar(insertMigration, in: db.target)) { error in
            let error = error as? PostgresError
            XCTAssertEqual(error?.sqlState, SQLState("23502"))
            XCTAssertEqual(error?.message, #"null value in column "id" of relation "django_migrations" violates not-null constraint"#)
        }
        let sourceSnapshot = try db.snapshot(db.source)
        let findings = Differ.diff(source: sourceSnapshot, target: try db.targetSnapshot(for: sourceSnapshot))
        XCTAssertTrue(findings.contains {
            $0.kind == .defaultMissing && $0.consequence == "inserts into public.django_migrations will fail: id has no default."
        })

        let result = try db.reconcile()
        XCTAssertEqual(result.plan.unresolved, [])
        XCTAssertEqual(result.outcomes.filter { $0.status != .applied }, [])
        XCTAssertEqual(result.verification?.filter(\.isBlocking), [])
        XCTAssertEqual(try db.scalar(insertMigration, in: db.target), "14")
        // The gap survives: orders continues after the source's 1000, not after max(id) 950.
        XCTAssertEqual(try db.scalar("INSERT INTO orders (total) VALUES (1) RETURNING id", in: db.target), "1001")
        XCTAssertEqual(try db.scalar("INSERT INTO links_link (url) VALUES ('x') RETURNING id", in: db.target), "5120")
        XCTAssertEqual(try db.scalar("INSERT INTO audit_event (what) VALUES ('x') RETURNING id", in: db.target), "251")
        XCTAssertEqual(try db.scalar("SELECT nextval('invoice_number_seq')", in: db.target), "10070")
    }

    func testParityWithTheSourceAfterReconcile() throws {
        let db = try live("Tests/ReseqCoreTests/Fixtures/parity.sql")
        let result = try db.reconcile()
        XCTAssertEqual(result.plan.unresolved, [])
        XCTAssertEqual(result.outcomes.filter { $0.status != .applied }, [])
        XCTAssertEqual(result.verification?.filter(\.isBlocking), [])

        let source = try db.snapshot(db.source)
        let target = try db.targetSnapshot(for: source)
        XCTAssertEqual(source.sequences.count, 14)
        // A descending sequence needs the minimum of its column, an ascending one the maximum.
        let countdown = try XCTUnwrap(source.columns.first { $0.ref.table.name == "countdown" })
        XCTAssertEqual(countdown.minValue, -3)
        XCTAssertNil(countdown.maxValue)
        let plain = try XCTUnwrap(source.columns.first { $0.ref.table.name == "plain_serial" })
        XCTAssertEqual(plain.maxValue, 5)
        XCTAssertNil(plain.minValue)
        XCTAssertEqual(Parity.sequences(target), Parity.sequences(source))
        XCTAssertEqual(Parity.columns(target), Parity.columns(source))
        // The next ids on both sides are the same.
        for (table, column) in [("plain_serial", "v"), ("ident_always", "v"), ("ident_by_default", "v")] {
            let insert = "INSERT INTO \(table) (\(column)) VALUES ('n') RETURNING id"
            XCTAssertEqual(try db.scalar(insert, in: db.target), try db.scalar(insert, in: db.source), table)
        }
        let insertCountdown = "INSERT INTO countdown DEFAULT VALUES RETURNING id"
        XCTAssertEqual(try db.scalar(insertCountdown, in: db.target), "-4")
        XCTAssertEqual(try db.scalar("SELECT nextval('ring')", in: db.target), "3")
        XCTAssertEqual(try db.scalar("SELECT nextval('never_used')", in: db.target), "7")
        XCTAssertEqual(try db.scalar("INSERT INTO measurement_2026 (taken) VALUES ('2026-05-01') RETURNING id", in: db.target), "401")
        XCTAssertEqual(try db.scalar(#"INSERT INTO "Billing"."select" DEFAULT VALUES RETURNING "from""#, in: db.target), "2")
    }

    func testASecondRunChangesNothing() throws {
        let db = try live("Tests/ReseqCoreTests/Fixtures/parity.sql")
        try db.reconcile()
        let before = try db.targetSnapshot(for: try db.snapshot(db.source))
        let second = try db.reconcile()
        XCTAssertEqual(second.plan.steps, [])
        XCTAssertEqual(second.outcomes, [])
        XCTAssertEqual(second.verification?.filter(\.isBlocking), [])
        let after = try db.targetSnapshot(for: try db.snapshot(db.source))
        XCTAssertEqual(after.sequences, before.sequences)
        XCTAssertEqual(after.columns, before.columns)
    }

    func testDataThatMovedOnDecidesTheNextValue() throws {
        let db = try live("demo/source.sql")
        // CDC went on after the source snapshot: the target holds ids up to 60 and 9000.
        try db.cluster.run("""
            INSERT INTO django_migrations (id, app, name) SELECT g, 'cdc', 'm' || g FROM generate_series(14, 60) g;
            INSERT INTO links_link (id, url) VALUES (9000, 'cdc');
            """, database: db.target)
        let result = try db.reconcile()
        XCTAssertEqual(result.verification?.filter(\.isBlocking), [])
        XCTAssertEqual(try db.scalar(insertMigration, in: db.target), "61")
        XCTAssertEqual(try db.scalar("INSERT INTO links_link (url) VALUES ('x') RETURNING id", in: db.target), "9001")
    }

    /// A target whose sessions default to standard_conforming_strings = off: a backslash in a
    /// name would end a literal early or escape the next character. reseq's sessions set it on.
    func testBackslashesInNamesWithStandardConformingStringsOff() throws {
        let sql = #"""
            CREATE SCHEMA "sch\ema";
            CREATE TABLE "sch\ema"."t\'x" (id serial PRIMARY KEY, v text);
            INSERT INTO "sch\ema"."t\'x" (v) SELECT 'r' FROM generate_series(1, 5);
            CREATE SEQUENCE "sch\ema"."s\\'q" START 7;
            SELECT nextval('"sch\ema"."s\\''q"') FROM generate_series(1, 3);
            """#
        let source = try cluster.createDatabase("source")
        let target = try cluster.createDatabase("target")
        try cluster.run(sql, database: source)
        try cluster.run(sql, database: target)
        try cluster.run(try LiveDatabase.file("scripts/dms-copy.sql"), database: target)
        try cluster.run("ALTER DATABASE \(SQL.identifier(target)) SET standard_conforming_strings = off")
        let off = try cluster.connect(database: target)
        XCTAssertEqual(try off.query("SHOW standard_conforming_strings").rows.first?.first, "off")
        let db = LiveDatabase(cluster: cluster, source: source, target: target)
        let result = try db.reconcile()
        XCTAssertEqual(result.outcomes.filter { $0.status != .applied }, [])
        XCTAssertEqual(result.verification?.filter(\.isBlocking), [])
        XCTAssertEqual(try db.scalar(#"INSERT INTO "sch\ema"."t\'x" (v) VALUES ('n') RETURNING id"#, in: target), "6")
        XCTAssertEqual(try off.query(#"SELECT last_value::text FROM "sch\ema"."s\\'q""#).rows.first?.first, "9")
    }

    func testHeadroomSkipsAhead() throws {
        let db = try live("demo/source.sql")
        try db.reconcile(headroom: 1000)
        XCTAssertEqual(try db.scalar(insertMigration, in: db.target), "1014")
    }
}

/// The parts of a snapshot that must be equal on both sides after reconciliation.
enum Parity {
    struct Sequence: Equatable, CustomStringConvertible {
        var info: SequenceInfo
        var description: String { "\(info.name) \(info.dataType) \(info.start)/\(info.increment) [\(info.minValue), \(info.maxValue)] cache \(info.cache) cycle \(info.cycle) unlogged \(info.unlogged) at \(info.lastValue.map(String.init) ?? "?")/\(info.isCalled) owned by \(info.ownedBy?.description ?? "-") identity \(info.isIdentity)" }
    }

    static func sequences(_ snapshot: Snapshot) -> [String] {
        snapshot.sequences.map { sequence in
            var info = sequence
            info.owner = ""
            return Sequence(info: info).description
        }
    }

    static func columns(_ snapshot: Snapshot) -> [String] {
        snapshot.columns.filter { $0.defaultSequence != nil || $0.identity != nil }.map {
            "\($0.ref) default \($0.defaultExpression ?? "-") from \($0.defaultSequence?.description ?? "-") identity \($0.identity?.rawValue ?? "-") notnull \($0.notNull) max \($0.maxValue.map(String.init) ?? "-")"
        }
    }
}
