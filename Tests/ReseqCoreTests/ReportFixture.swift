import Foundation
@testable import ReseqCore

/// A fixed, hand-made snapshot pair for the report's golden files: a missing sequence, a
/// missing default on django_migrations.id, a sequence behind data, an int4 sequence at 80%,
/// missing foreign keys and a missing index on invoices, hostile names, a plan, and the target after applying it.
enum ReportFixture {
    static let t0 = Date(timeIntervalSince1970: 1_768_467_600)  // 2026-01-15T09:00:00Z
    static let hostile = "<script>alert(1)</script>"
    static let quotes = "odd \"&'|`tick` name"
    static let int4At80 = Int64(1_717_986_918)  // 80.0% of 2147483647

    static func name(_ n: String) -> QualifiedName { QualifiedName(schema: "public", name: n) }
    static func col(_ table: String, _ column: String = "id") -> ColumnRef {
        ColumnRef(table: name(table), column: column)
    }

    static func seq(_ n: String, _ type: SequenceType = .bigint, last: Int64, called: Bool,
                    owner: ColumnRef? = nil) -> SequenceInfo {
        SequenceInfo(name: name(n), owner: "app", dataType: type,
                     maxValue: type.range.upperBound, lastValue: last, isCalled: called, ownedBy: owner)
    }

    static func column(_ table: String, _ type: String = "bigint", seq: String?, max: Int64?) -> ColumnInfo {
        ColumnInfo(ref: col(table), dataType: type, tableOwner: "app",
                   defaultExpression: seq.map { "nextval('\($0)'::regclass)" },
                   defaultSequence: seq.map(name), maxValue: max, minValue: max.map { _ in 1 })
    }

    static let source = Snapshot(
        database: DatabaseInfo(name: "shop", host: "db1.internal", port: "5432",
                               serverVersion: "15.18 (Debian 15.18-0+deb12u1)", serverVersionNumber: 150018,
                               systemIdentifier: "7312345678901234567", capturedAt: t0),
        sequences: [
            seq("django_migrations_id_seq", .integer, last: 42, called: true, owner: col("django_migrations")),
            seq("invoices_id_seq", last: 300, called: true, owner: col("invoices")),
            seq("links_link_id_seq", last: 5120, called: true, owner: col("links_link")),
            seq("orders_id_seq", .integer, last: int4At80, called: true, owner: col("orders")),
            seq(hostile, last: 7, called: true),
            seq(quotes, last: 3, called: true),
        ],
        columns: [
            column("django_migrations", "integer", seq: "django_migrations_id_seq", max: 42),
            column("invoices", seq: "invoices_id_seq", max: 300),
            column("links_link", seq: "links_link_id_seq", max: 5120),
            column("orders", "integer", seq: "orders_id_seq", max: int4At80),
        ])

    static let target = Snapshot(
        database: DatabaseInfo(name: "shop", host: "shop.c9akciq32.eu-west-1.rds.amazonaws.com", port: "5432",
                               serverVersion: "16.4", serverVersionNumber: 160004,
                               systemIdentifier: nil, capturedAt: t0.addingTimeInterval(300)),
        sequences: [
            seq("awsdms_audit_id_seq", last: 1, called: false),
            seq("django_migrations_id_seq", .integer, last: 1, called: false, owner: col("django_migrations")),
            seq("links_link_id_seq", last: 1, called: false, owner: col("links_link")),
            seq("orders_id_seq", .integer, last: int4At80, called: true, owner: col("orders")),
            seq(hostile, last: 1, called: false),
            seq(quotes, last: 3, called: true),
        ],
        columns: [
            column("django_migrations", "integer", seq: nil, max: 42),
            column("invoices", seq: nil, max: 300),
            column("links_link", seq: "links_link_id_seq", max: 5120),
            column("orders", "integer", seq: "orders_id_seq", max: int4At80),
        ])

    static let after = Snapshot(
        database: DatabaseInfo(name: "shop", host: target.database.host, port: "5432",
                               serverVersion: "16.4", serverVersionNumber: 160004,
                               systemIdentifier: nil, capturedAt: t0.addingTimeInterval(600)),
        sequences: [
            seq("awsdms_audit_id_seq", last: 1, called: false),
            seq("django_migrations_id_seq", .integer, last: 1, called: false, owner: col("django_migrations")),
            seq("invoices_id_seq", last: 300, called: true, owner: col("invoices")),
            seq("links_link_id_seq", last: 5120, called: true, owner: col("links_link")),
            seq("orders_id_seq", .integer, last: int4At80, called: true, owner: col("orders")),
            seq(hostile, last: 7, called: true),
            seq(quotes, last: 3, called: true),
        ],
        columns: source.columns)

    static let findings: [Finding] = [
        Finding(kind: .behindData, severity: .error, object: "public.links_link_id_seq", schema: "public",
                table: "links_link", sourceValue: "5120", targetValue: "1",
                consequence: "the next insert into public.links_link collides with id 1 (rows up to 5120 exist)"),
        Finding(kind: .sequenceMissing, severity: .error, object: "public.invoices_id_seq", schema: "public",
                table: "invoices", sourceValue: "last_value 300, is_called true",
                consequence: "the next insert into public.invoices fails: public.invoices_id_seq does not exist"),
        Finding(kind: .defaultMissing, severity: .error, object: "public.django_migrations.id", schema: "public",
                table: "django_migrations", sourceValue: "nextval('django_migrations_id_seq'::regclass)",
                consequence: "the next migration fails: public.django_migrations.id is NOT NULL and has no default"),
        Finding(kind: .behindSource, severity: .error, object: "public.\(hostile)", schema: "public",
                sourceValue: "last_value 7, is_called true", targetValue: "last_value 1, is_called false",
                consequence: "public.\(hostile) hands out 1 next, a value the source already used"),
        Finding(kind: .onlyOnTarget, severity: .info, object: "public.awsdms_audit_id_seq", schema: "public",
                consequence: "public.awsdms_audit_id_seq exists on the target only (left by DMS); nothing to do"),
        // The shape: two missing foreign keys and a missing index, so that the summary counts a kind twice.
        Finding(kind: .foreignKeyMissing, severity: .error, object: "public.invoices.invoices_order_id_fkey",
                schema: "public", table: "invoices",
                sourceValue: "FOREIGN KEY (order_id) REFERENCES public.orders(id)",
                consequence: "no foreign key public.invoices(order_id) → public.orders: rows can point at public.orders rows that don't exist, and deleting those leaves orphans."),
        Finding(kind: .foreignKeyMissing, severity: .error, object: "public.invoices.invoices_link_id_fkey",
                schema: "public", table: "invoices",
                sourceValue: "FOREIGN KEY (link_id) REFERENCES public.links_link(id)",
                consequence: "no foreign key public.invoices(link_id) → public.links_link: rows can point at public.links_link rows that don't exist, and deleting those leaves orphans."),
        Finding(kind: .indexMissing, severity: .warning, object: "public.invoices_created_at_idx",
                schema: "public", table: "invoices",
                sourceValue: "CREATE INDEX invoices_created_at_idx ON public.invoices USING btree (created_at)",
                consequence: "no index public.invoices_created_at_idx: queries on public.invoices(created_at) scan all 300 rows."),
    ]

    static let plan: [Step] = [
        Step(object: "public.invoices_id_seq", sql: "CREATE SEQUENCE public.invoices_id_seq AS bigint;",
             fixes: "creates the missing sequence", lock: .sequence(name("invoices_id_seq"))),
        Step(object: "public.invoices_id_seq", sql: "SELECT setval('public.invoices_id_seq', 300, true);",
             fixes: "moves it to the source's position", lock: .none),
        Step(object: "public.invoices.id",
             sql: "ALTER TABLE public.invoices\n    ALTER COLUMN id SET DEFAULT nextval('public.invoices_id_seq');",
             fixes: "restores the nextval default", lock: .accessExclusive(name("invoices"))),
        Step(object: "public.django_migrations.id",
             sql: "ALTER TABLE public.django_migrations ALTER COLUMN id SET DEFAULT nextval('public.django_migrations_id_seq');",
             fixes: "restores the nextval default", lock: .accessExclusive(name("django_migrations"))),
        Step(object: "public.links_link_id_seq", sql: "SELECT setval('public.links_link_id_seq', 5120, true);",
             fixes: "moves it past the data", lock: .none),
        Step(object: "public.\(hostile)", sql: "SELECT setval('public.\"\(hostile)\"', 7, true);",
             fixes: "moves it to the source's position", lock: .none),
    ]

    static let outcomes: [ApplyOutcome] = [
        ApplyOutcome(object: "public.invoices_id_seq", status: .applied),
        ApplyOutcome(object: "public.invoices.id", status: .applied),
        ApplyOutcome(object: "public.django_migrations.id", status: .applied),
        ApplyOutcome(object: "public.links_link_id_seq", status: .applied),
        ApplyOutcome(object: "public.\(hostile)", status: .applied),
    ]

    static let input = ReportInput(
        source: source, target: target, findings: findings, plan: plan, after: after,
        verification: [findings[4]], outcomes: outcomes, generatedAt: t0.addingTimeInterval(660), reseqVersion: "0.1.0")
}
