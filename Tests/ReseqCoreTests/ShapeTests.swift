import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// The whole shape on real servers (Fixtures/shape.sql holds every object kind): a perfect
/// copy diffs with not one finding, on one cluster and from one major to another; a copy made
/// to look like what DMS leaves (scripts/dms-shape-copy.sql) names everything it lost.
final class ShapeTests: VersionClustersTestCase {

    private static let fixture = "Tests/ReseqCoreTests/Fixtures/shape.sql"

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

    /// A snapshot with spare sessions reads the shape on three of them (each table's
    /// definitions on the session that reads its data, split at the middle table): the shape
    /// is the one a single session reads.
    func testShapeReadOnThreeSessionsIsTheShapeReadOnOne() throws {
        for version in [15, 18] {
            let cluster = try cluster(version)
            let database = try cluster.createDatabase("split")
            try cluster.run(try LiveDatabase.file(Self.fixture), database: database)
            let alone = try snapshot(cluster, database)
            var options = SnapshotOptions()
            options.spare = Session(lockTimeoutMilliseconds: 5000).spares(cluster.conninfo(database: database))
            let split = try SnapshotReader().capture(try cluster.connect(database: database), options: options)
            let objects = try XCTUnwrap(split.schema)
            XCTAssertGreaterThan(objects.tables.count, 2)
            XCTAssertEqual(objects, alone.schema, "PostgreSQL \(version)")
            XCTAssertEqual(split.warnings, alone.warnings, "PostgreSQL \(version)")
        }
    }

    func testSameSQLLoadedTwice15To15() throws { try sameSQLLoadedTwice(from: 15, to: 15) }
    func testSameSQLLoadedTwice15To16() throws { try sameSQLLoadedTwice(from: 15, to: 16) }
    func testSameSQLLoadedTwice15To18() throws { try sameSQLLoadedTwice(from: 15, to: 18) }
    func testSameSQLLoadedTwice18To15() throws { try sameSQLLoadedTwice(from: 18, to: 15) }

    private func sameSQLLoadedTwice(from sourceVersion: Int, to targetVersion: Int) throws {
        let findings = try loadedTwice(Self.fixture, from: sourceVersion, to: targetVersion).findings
        XCTAssertEqual(findings, [], "\(sourceVersion)→\(targetVersion):\n\(describe(findings))")
    }

    // MARK: what DMS leaves

    func testDMSShapedCopyNamesEverythingItLost() throws {
        let (findings, told) = try dmsShaped(Self.fixture)
        let expected: [(String, Finding.Severity)] = [
            ("identityMissing public.customers.id", .error),
            ("sequenceMissing public.orders_id_seq", .error),
            ("defaultMissing public.customers.active", .error),
            ("defaultMissing public.customers.profile", .error),
            ("defaultMissing public.customers.mood", .error),
            ("defaultMissing public.orders.placed", .error),
            ("columnTypeDiffers public.customers.score", .error),
            ("columnTypeDiffers public.customers.active", .error),
            ("columnTypeDiffers public.customers.tags", .error),
            ("columnTypeDiffers public.customers.profile", .error),
            ("columnTypeDiffers public.customers.mood", .error),
            ("columnTypeDiffers public.customers.credit", .error),
            ("columnDiffers public.orders.total", .error),
            ("notNullDiffers public.customers.email", .error),
            ("uniqueMissing public.customers.customers_email_key", .error),
            ("checkMissing public.customers.customers_score_check", .error),
            ("checkMissing Billing.invoice.invoice_number_check", .error),
            ("exclusionMissing Billing.invoice.invoice_no_overlap", .error),
            ("foreignKeyMissing public.orders.orders_customer_id_fkey", .error),
            ("indexMissing public.customers_lower_email_idx", .warning),
            ("indexMissing public.customers_active_idx", .warning),
            ("indexMissing public.orders_customer_id_idx", .warning),
            ("triggerMissing public.customers.customers_touch", .error),
            ("triggerMissing public.orders.orders_audit", .error),
            ("policyMissing public.customers.own_rows", .error),
            ("rowSecurityDiffers public.customers", .error),
            ("tableDiffers public.orders", .warning),
            ("tableDiffers public.orders_2025", .error),
            ("tableDiffers public.orders_2026", .error),
            ("viewMissing public.active_customers", .error),
            ("viewMissing public.order_totals", .error),
            ("functionMissing public.touch()", .error),
            ("functionMissing public.add(a integer, b integer)", .error),
            ("functionMissing public.add(a numeric, b numeric)", .error),
            ("functionMissing Billing.close_month(IN m date)", .error),
            ("typeMissing public.mood", .error),
            ("typeMissing public.posint", .error),
            ("typeMissing public.pair", .error),
            ("typeMissing public.floatrange", .error),
            ("commentMissing public.customers", .info),
            ("commentMissing public.customers.email", .info),
            ("commentMissing Billing", .info),
        ]
        for (finding, severity) in expected {
            XCTAssertEqual(told[finding], severity, "\(finding) not told as \(severity):\n\(describe(findings))")
        }
        let numeric = try XCTUnwrap(findings.first { $0.object == "public.customers.score" })
        XCTAssertEqual(numeric.consequence, "public.customers.score is numeric(28,6) on the target, numeric on the source: values with more than 6 decimal places were rounded by the copy.")
        // Nothing that was kept is told as lost: the primary keys, and the rows' tables.
        XCTAssertFalse(findings.contains { $0.kind == .primaryKeyMissing || $0.kind == .tableMissing }, describe(findings))
    }
}
