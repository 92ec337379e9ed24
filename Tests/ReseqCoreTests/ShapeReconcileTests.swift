import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Parity, through the built `reseq` (issue 11's acceptance test): a fixture holding every object
/// kind, owned by app_owner and granted to app, is copied as DMS copies it (ParityPair.swift);
/// `reseq reconcile --apply --allow-hazards all` must then leave a target whose
/// `pg_dump --schema-only` equals the source's, lines compared after sorting, with every row
/// still there, and a second run must change nothing. On shape.sql, hostile.sql (hostile names
/// in every kind), Pagila and Synapse, on one major and across majors.
final class ShapeReconcileTests: VersionClustersTestCase {

    // MARK: the harness

    /// A perfect copy dumps and counts as the source does; a DMS copy does not, and the
    /// difference names what it lost and what it has instead.
    func testHarnessTellsAPerfectCopyFromADMSCopy() throws {
        let cluster = try cluster(15)
        let source = try loadAsOwner(.shape, on: cluster)
        let copy = "copy_\(source)"
        try cluster.run("CREATE DATABASE \(copy) TEMPLATE \(source)")
        let expected = try SchemaDump.capture(cluster, database: source, pgDumpVersion: 15)
        XCTAssertTrue(expected.lines.contains("ALTER TABLE public.customers OWNER TO app_owner;"))
        XCTAssertTrue(expected.lines.contains("GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.customers TO app;"),
                      expected.lines.filter { $0.contains("GRANT") }.joined(separator: "\n"))
        XCTAssertFalse(expected.lines.contains { $0.hasPrefix("SET ") || $0.hasPrefix("--") || $0.isEmpty })
        let perfect = try SchemaDump.capture(cluster, database: copy, pgDumpVersion: 15)
        let none = expected.difference(to: perfect)
        XCTAssertTrue(none.isEmpty, none.description)
        let rows = try RowCount.all(cluster, database: source)
        XCTAssertEqual(rows, try RowCount.all(cluster, database: copy))
        XCTAssertTrue(rows.contains(RowCount(schema: "public", name: "orders", scope: .withPartitions, rows: 200)), "\(rows)")

        let shaped = try dmsCopy(.shape, on: cluster)
        let lost = expected.difference(to: try SchemaDump.capture(cluster, database: shaped, pgDumpVersion: 15))
        for line in [
            "CREATE TYPE public.mood AS ENUM (",
            "CREATE TRIGGER customers_touch BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.touch();",
            "ALTER TABLE public.customers OWNER TO app_owner;",
            "GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.customers TO app;",
            "ALTER TABLE ONLY public.orders ATTACH PARTITION public.orders_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
        ] {
            XCTAssertTrue(lost.sourceOnly.contains(line), "\(line) not told as lost:\n\(lost)")
            XCTAssertTrue(lost.description.contains("  " + line))
        }
        XCTAssertTrue(lost.targetOnly.contains("ALTER TABLE public.customers OWNER TO dms_user;"), lost.description)
        XCTAssertTrue(lost.description.contains("line(s) of pg_dump only in the source:"), lost.description)
        XCTAssertTrue(lost.description.contains("line(s) of pg_dump only in the target:"), lost.description)
        // The flattened orders, emptied: the rows are its partitions'.
        let shapedRows = try RowCount.all(cluster, database: shaped)
        XCTAssertTrue(shapedRows.contains(RowCount(schema: "public", name: "orders", scope: .only, rows: 0)), "\(shapedRows)")
        XCTAssertEqual(shapedRows.filter { $0.scope == .withPartitions }, [])
        XCTAssertTrue(RowCount.difference(rows, shapedRows).contains("\"public\".\"orders\" with its partitions: 200"))
    }

    /// hostile.sql loads on every major of the matrix, every kind present, the long names whole.
    func testHostileFixtureLoadsOn15And16And18() throws {
        for version in [15, 16, 18] {
            let cluster = try cluster(version)
            let database = try loadAsOwner(.hostile, on: cluster)
            let objects = try XCTUnwrap(try SnapshotReader().capture(try cluster.connect(database: database)).schema)
            XCTAssertEqual(Set(objects.types.map(\.kind)), [.enum, .domain, .composite, .range], "\(version)")
            XCTAssertEqual(Set(objects.tables.map(\.kind)), [.plain, .partitioned, .partition], "\(version)")
            XCTAssertEqual(Set(objects.tables.flatMap(\.constraints).map(\.kind)),
                           [.primaryKey, .unique, .check, .foreignKey, .exclusion], "\(version)")
            XCTAssertEqual(Set(objects.views.map(\.materialized)), [true, false], "\(version)")
            XCTAssertFalse(objects.views.flatMap(\.indexes).isEmpty, "\(version)")
            XCTAssertEqual(objects.tables.flatMap(\.triggers).count, 1, "\(version)")
            XCTAssertEqual(objects.tables.flatMap(\.policies).count, 1, "\(version)")
            XCTAssertTrue(objects.functions.contains { $0.kind == .procedure && $0.securityDefiner }, "\(version)")
            XCTAssertEqual(Set(objects.schemas.map(\.name)).intersection(["a.b", "a", #"O'Brien "Sales" \ Ünits"#, "User"]).count, 4)
            let long = try cluster.connect(database: database).query(
                "SELECT octet_length(relname) AS n FROM pg_class WHERE relname LIKE 'Ünïcode%'")
            XCTAssertEqual(try long.int(0, "n"), 63, "\(version)")
        }
    }

    // MARK: parity

    func testShapeParity15To15() throws { try parity(.shape, from: 15, to: 15) }
    func testShapeParity15To18() throws { try parity(.shape, from: 15, to: 18) }
    func testShapeParity18To15() throws { try parity(.shape, from: 18, to: 15) }
    func testHostileParity15To15() throws { try parity(.hostile, from: 15, to: 15) }
    func testHostileParity15To16() throws { try parity(.hostile, from: 15, to: 16) }
    func testHostileParity18To15() throws { try parity(.hostile, from: 18, to: 15) }
    func testPagilaParity15To15() throws { try parity(.pagila, from: 15, to: 15) }
    func testPagilaParity15To18() throws { try parity(.pagila, from: 15, to: 18) }
    func testPagilaParity18To15() throws { try parity(.pagila, from: 18, to: 15) }
    func testSynapseParity15To15() throws { try parity(.synapse, from: 15, to: 15) }

    /// snapshot the source; reconcile --apply --allow-hazards all (exit 0, verified); the target
    /// dumps as the source and holds its rows; a second run applies nothing and changes nothing;
    /// fresh snapshots of both diff clean.
    private func parity(_ fixture: ParityFixture, from sourceVersion: Int, to targetVersion: Int) throws {
        let pair = try parityPair(fixture, from: sourceVersion, to: targetVersion)
        let sourceFile = temporaryFile("source.json"), afterSource = temporaryFile("source-after.json")
        let afterTarget = temporaryFile("target-after.json")
        defer { [sourceFile, afterSource, afterTarget].forEach { try? FileManager.default.removeItem(atPath: $0) } }

        let expected = try pair.expectedDump()
        let before = expected.difference(to: try pair.targetDump(), labels: pair.labels)
        XCTAssertFalse(before.isEmpty, "\(pair): the DMS copy dumps as the source: the test would prove nothing")

        let snapshot = try BinaryTests.reseq(["snapshot", "--dsn", pair.sourceDSN, "--output", sourceFile])
        XCTAssertEqual(snapshot.status, 0, "\(pair): snapshot of the source: \(snapshot.stderr)")
        guard snapshot.status == 0 else { return }

        let reconcile = ["reconcile", "--source", sourceFile, "--target-dsn", pair.targetDSN, "--apply", "--allow-hazards", "all"]
        let apply = try BinaryTests.reseq(reconcile)
        XCTAssertEqual(apply.status, 0, "\(pair): reconcile --apply --allow-hazards all exited \(apply.status):\n\(apply.stdout)\(apply.stderr)")
        XCTAssertTrue(apply.stdout.contains("verified: the target now matches the source; ready for writes."),
                      "\(pair): reconcile did not verify:\n\(apply.stdout)")

        let after = try pair.targetDump()
        let difference = expected.difference(to: after, labels: pair.labels)
        XCTAssertTrue(difference.isEmpty, "\(pair): after reconcile, pg_dump --schema-only differs:\n\(difference)")
        let sourceRows = try RowCount.all(pair.source, database: pair.sourceDatabase)
        let targetRows = try RowCount.all(pair.target, database: pair.targetDatabase)
        XCTAssertTrue(sourceRows == targetRows, "\(pair): after reconcile:\n\(RowCount.difference(sourceRows, targetRows))")

        let again = try BinaryTests.reseq(reconcile)
        XCTAssertEqual(again.status, 0, "\(pair): second reconcile exited \(again.status):\n\(again.stdout)\(again.stderr)")
        XCTAssertTrue(again.stdout.hasPrefix("applied 0 of 0 object(s)."), "\(pair): the second reconcile did something:\n\(again.stdout)")
        let changed = after.difference(to: try pair.targetDump(), labels: ("target after the first run", "target after the second"))
        XCTAssertTrue(changed.isEmpty, "\(pair): the second reconcile changed the schema:\n\(changed)")

        let sourceAgain = try BinaryTests.reseq(["snapshot", "--dsn", pair.sourceDSN, "--output", afterSource])
        XCTAssertEqual(sourceAgain.status, 0, "\(pair): \(sourceAgain.stderr)")
        let targetAgain = try BinaryTests.reseq(["snapshot", "--dsn", pair.targetDSN, "--output", afterTarget])
        XCTAssertEqual(targetAgain.status, 0, "\(pair): \(targetAgain.stderr)")
        let diff = try BinaryTests.reseq(["diff", afterSource, afterTarget])
        XCTAssertEqual(diff.status, 0, "\(pair): reseq diff of fresh snapshots after reconcile:\n\(diff.stdout)\(diff.stderr)")
    }
}
