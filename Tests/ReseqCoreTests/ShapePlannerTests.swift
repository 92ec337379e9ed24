import XCTest
@testable import ReseqCore

/// The shape's plan over hand-made values (Fixtures.objects()): exact SQL, order, hazards and
/// what `--allow-hazards` holds back. No server.
final class ShapePlannerTests: XCTestCase {
    private func plan(occupied: Set<QualifiedName> = [], applyingRole: String = "app",
                      _ change: (inout SchemaObjects) -> Void) -> ShapePlanner.Output {
        var target = Fixtures.objects()
        change(&target)
        return ShapePlanner(source: Fixtures.objects(), target: target, roles: RoleMap(), targetRoles: nil,
                            applyingRole: applyingRole, occupied: occupied).plan()
    }

    private func table(_ objects: inout SchemaObjects, _ name: String, _ change: (inout TableDef) -> Void) {
        change(&objects.tables[objects.tables.firstIndex { $0.name.name == name }!])
    }

    func testNothingToDoForTheSameShape() {
        let out = plan { _ in }
        XCTAssertEqual(out.before + out.after, [])
        XCTAssertEqual(out.unresolved, [])
    }

    func testAnIndexIsBuiltConcurrentlyAloneAndUndoneOnFailure() throws {
        let steps = plan { table(&$0, "customers") { $0.indexes.removeAll { $0.name == "customers_email_key" } } }.after
        let step = try XCTUnwrap(steps.first)
        XCTAssertEqual(steps.count, 1)
        XCTAssertEqual(step.object, "index public.customers_email_key")
        XCTAssertEqual(step.sql, "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON public.customers USING btree (email);")
        XCTAssertEqual(step.undo, #"DROP INDEX CONCURRENTLY IF EXISTS "public"."customers_email_key";"#)
        XCTAssertEqual(step.hazards, [.indexBuild])
        XCTAssertTrue(step.standalone)
        XCTAssertEqual(step.rows, 5000)
        XCTAssertEqual(step.lock, .shareUpdateExclusive(Fixtures.name("public", "customers")))
    }

    func testAnInvalidIndexIsDroppedThenRebuilt() {
        let steps = plan { table(&$0, "customers") { t in
            t.indexes[t.indexes.firstIndex { $0.name == "customers_email_key" }!].valid = false
        } }.after
        XCTAssertEqual(steps.map(\.sql), [
            #"DROP INDEX CONCURRENTLY IF EXISTS "public"."customers_email_key";"#,
            "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON public.customers USING btree (email);",
        ])
    }

    func testAKeyTakesOverAConcurrentIndexAndForeignKeysComeAfterEveryKey() {
        // The copy kept neither customers' primary key nor orders' foreign key and check.
        let steps = plan { objects in
            table(&objects, "customers") { $0.constraints = []; $0.indexes = [] }
            table(&objects, "orders") { $0.constraints.removeAll { $0.kind != .primaryKey } }
        }.after
        XCTAssertEqual(steps.map(\.sql), [
            "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON public.customers USING btree (email);",
            "CREATE UNIQUE INDEX CONCURRENTLY customers_pkey ON public.customers USING btree (id);",
            #"ALTER TABLE "public"."customers" ADD CONSTRAINT "customers_pkey" PRIMARY KEY USING INDEX "customers_pkey";"#,
            // orders is partitioned: its check and foreign key cannot go in NOT VALID.
            #"ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_amount_check" CHECK ((amount > (0)::numeric));"#,
            #"ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY (customer_id) REFERENCES public.customers(id) DEFERRABLE;"#,
        ])
        XCTAssertEqual(Set(steps.filter { $0.object == "constraint public.customers.customers_pkey" }.map(\.standalone)), [true])
        XCTAssertEqual(steps.last?.hazards, [.validationScan])
    }

    func testChecksAndForeignKeysGoInNotValidThenValidateAlone() {
        // A plain (not partitioned) table.
        var source = Fixtures.objects()
        let orders = Fixtures.name("public", "orders")
        source.tables = source.tables.map { var t = $0; if t.name == orders { t.kind = .plain; t.partitionKey = nil }; return t }
        var target = source
        target.tables = target.tables.map { var t = $0; if t.name == orders { t.constraints.removeAll { $0.kind != .primaryKey } }; return t }
        let steps = ShapePlanner(source: source, target: target, roles: RoleMap(), targetRoles: nil, applyingRole: "app").plan().after
        // A table's in one statement each: one brief lock to add them, one scan to validate.
        XCTAssertEqual(steps.map(\.sql), [
            #"ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_amount_check" CHECK ((amount > (0)::numeric)) NOT VALID, ADD CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY (customer_id) REFERENCES public.customers(id) DEFERRABLE NOT VALID;"#,
            #"ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_amount_check", VALIDATE CONSTRAINT "orders_customer_id_fkey";"#,
        ])
        XCTAssertEqual(steps.map(\.object), ["checks and foreign keys of public.orders", "validation of public.orders"])
        XCTAssertEqual(steps.map(\.hazards), [[], [.validationScan]])
        XCTAssertEqual(steps.map(\.standalone), [false, true])
        XCTAssertEqual(steps[0].lock, .accessExclusive(orders))
        XCTAssertEqual(steps[1].lock, .shareUpdateExclusive(orders))
    }

    func testNotNullFollowsAValidatedCheck() {
        let steps = plan { table(&$0, "customers") { t in t.columns[1].notNull = false } }.after
        XCTAssertEqual(steps.map(\.sql), [
            #"ALTER TABLE "public"."customers" DROP CONSTRAINT IF EXISTS "reseq_not_null_email", ADD CONSTRAINT "reseq_not_null_email" CHECK ("email" IS NOT NULL) NOT VALID;"#,
            #"ALTER TABLE "public"."customers" VALIDATE CONSTRAINT "reseq_not_null_email";"#,
            #"ALTER TABLE "public"."customers" ALTER COLUMN "email" SET NOT NULL;"#,
            #"ALTER TABLE "public"."customers" DROP CONSTRAINT "reseq_not_null_email";"#,
        ])
        XCTAssertEqual(Set(steps.map(\.object)), ["NOT NULL public.customers.email"])
        XCTAssertEqual(steps[0].undo, #"ALTER TABLE "public"."customers" DROP CONSTRAINT IF EXISTS "reseq_not_null_email";"#)
        XCTAssertEqual(steps.map(\.hazards), [[], [.validationScan], [], []])
    }

    func testTypesComeBackWithUsingInOneRewriteAndDefaultsAfter() {
        let out = plan { table(&$0, "customers") { t in
            t.columns[2].type = "character varying(5)"
            t.columns[2].defaultExpression = nil
            t.columns[1].type = "character varying(8000)"
        } }
        // The retyped column's default goes with its type: true cannot be a varchar(5)'s default.
        XCTAssertEqual(out.before.map(\.sql), [
            #"ALTER TABLE "public"."customers" ALTER COLUMN "email" TYPE text USING "email"::text, ALTER COLUMN "active" TYPE boolean USING "active"::boolean, ALTER COLUMN "active" SET DEFAULT true;"#,
        ])
        XCTAssertEqual(out.before[0].hazards, [.tableRewrite, .correctness])
        XCTAssertTrue(out.before[0].fixes.contains("values of email that the copy rounded or cut stay as they are"), out.before[0].fixes)
        // varchar(8000) to text alone rewrites nothing.
        let widened = plan { table(&$0, "customers") { t in t.columns[1].type = "character varying(8000)" } }.before
        XCTAssertEqual(widened.map(\.hazards), [[.correctness]])
        // Defaults alone: one statement, no hazard, an object of their own.
        let defaults = plan { objects in
            self.table(&objects, "orders") { t in t.columns[t.columns.count - 1].defaultExpression = nil }
            self.table(&objects, "customers") { t in t.columns[2].defaultExpression = nil }
        }.before
        XCTAssertEqual(defaults.map(\.sql), [
            #"ALTER TABLE "public"."customers" ALTER COLUMN "active" SET DEFAULT true;"#,
            #"ALTER TABLE "public"."orders" ALTER COLUMN "placed" SET DEFAULT CURRENT_DATE;"#,
        ])
        XCTAssertEqual(defaults.map(\.object), ["defaults of public.customers", "defaults of public.orders"])
        XCTAssertEqual(defaults.map(\.hazards), [[], []])
    }

    func testAFlattenedPartitionedTableIsRebuiltOnlyWhenItHoldsNoRowsOfItsOwn() throws {
        let orders = Fixtures.name("public", "orders")
        let flatten = { (objects: inout SchemaObjects) in
            self.table(&objects, "orders") { t in
                t.kind = .plain; t.partitionKey = nil
                t.constraints = [t.constraints.first { $0.kind == .primaryKey }!]
                t.indexes = t.indexes.filter { $0.constraint != nil }.map { var i = $0; i.definition = i.definition.replacingOccurrences(of: " ON ONLY ", with: " ON "); return i }
                t.triggers = []; t.policies = []; t.rowSecurity = false
                t.owner = "dms_user"
            }
            self.table(&objects, "orders_2026") { t in t.kind = .plain; t.partitionOf = nil; t.partitionBound = nil; t.owner = "dms_user" }
        }
        let rebuilt = plan(flatten)
        let steps = rebuilt.before.filter { $0.object == "partitioning of public.orders" }
        XCTAssertEqual(steps.map(\.sql).filter { !$0.hasPrefix("DO ") }, [
            #"LOCK TABLE "public"."orders" IN ACCESS EXCLUSIVE MODE;"#,
            #"DROP TABLE "public"."orders";"#,
            // The sequence default the plain table had is kept (the sequence's steps saw it there).
            #"CREATE TABLE "public"."orders" ("id" bigint DEFAULT nextval('orders_id_seq'::regclass) CONSTRAINT "orders_id_not_null" NOT NULL, "customer_id" bigint CONSTRAINT "orders_customer_id_not_null" NOT NULL, "amount" numeric, "mood" public.mood, "note" character varying COLLATE pg_catalog."C", "total" numeric GENERATED ALWAYS AS ((amount * 2)) STORED, "placed" date DEFAULT CURRENT_DATE CONSTRAINT "orders_placed_not_null" NOT NULL) PARTITION BY RANGE (placed);"#,
            #"ALTER TABLE "public"."orders" OWNER TO "dms_user";"#,
            #"ALTER TABLE "public"."orders" ATTACH PARTITION "public"."orders_2026" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"#,
        ])
        XCTAssertTrue(steps[1].sql.contains(#"IF EXISTS (SELECT FROM ONLY "public"."orders") THEN RAISE EXCEPTION"#), steps[1].sql)
        XCTAssertEqual(Set(steps.flatMap(\.hazards)), [.correctness, .validationScan])
        // Then its keys, indexes and triggers on the partitioned parent, under their lock.
        XCTAssertTrue(rebuilt.after.contains { $0.sql == "CREATE INDEX orders_customer_id_idx ON public.orders USING btree (customer_id) WHERE (amount > (0)::numeric);" && !$0.standalone })
        XCTAssertTrue(rebuilt.after.contains { $0.sql == #"ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY (id, placed);"# })

        // Rows of its own: nothing on it, and the finding says what to do.
        let occupied = plan(occupied: [orders], flatten)
        XCTAssertFalse((occupied.before + occupied.after).contains { $0.lock.relation == orders }, "\((occupied.before + occupied.after).map(\.sql))")
        let finding = try XCTUnwrap(occupied.unresolved.first { $0.object == "public.orders" })
        XCTAssertTrue(finding.consequence.contains(#"TRUNCATE ONLY "public"."orders""#), finding.consequence)
        // The views that read it wait too: a view would keep the plain table from being dropped.
        XCTAssertFalse(occupied.after.contains { $0.object.hasSuffix("public.big_orders") })
    }

    func testMissingTypesFunctionsViewsAndTheirOwners() {
        let out = plan(applyingRole: "master") { objects in
            objects.types = []
            objects.functions = []
            objects.views = []
        }
        XCTAssertEqual(out.before.map(\.sql), [
            #"CREATE TYPE "public"."mood" AS ENUM ('sad', 'ok', 'happy');"#,
            #"CREATE DOMAIN "public"."posint" AS integer NOT NULL CONSTRAINT posint_check CHECK (VALUE > 0);"#,
            "CREATE OR REPLACE PROCEDURE \"Billing\".bill(IN p integer)\n LANGUAGE sql\n SECURITY DEFINER\nAS $procedure$ SELECT 1 $procedure$;",
            "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$ BEGIN NEW.placed := now(); RETURN NEW; END $function$;",
        ])
        XCTAssertEqual(out.after.map(\.sql), [
            "CREATE OR REPLACE VIEW \"public\".\"big_orders\" AS  SELECT id\n   FROM public.orders\n  WHERE (amount > (100)::numeric);",
            "CREATE MATERIALIZED VIEW \"public\".\"totals\" AS  SELECT count(*) AS n\n   FROM public.orders WITH DATA;",
            "CREATE INDEX CONCURRENTLY totals_n ON public.totals USING btree (n);",
            // What master created goes to the source's owner, last.
            #"ALTER TYPE "public"."mood" OWNER TO "app";"#,
            #"ALTER DOMAIN "public"."posint" OWNER TO "app";"#,
            #"ALTER PROCEDURE "Billing"."bill"(p integer) OWNER TO "app";"#,
            #"ALTER FUNCTION "public"."touch"() OWNER TO "app";"#,
            #"ALTER VIEW "public"."big_orders" OWNER TO "app";"#,
            #"ALTER MATERIALIZED VIEW "public"."totals" OWNER TO "app";"#,
        ])
        XCTAssertEqual(out.after.filter { $0.sql.contains("OWNER TO") }.map(\.hazards), Array(repeating: [.authorization], count: 6))
    }

    func testAnEnumGetsItsMissingLabelsInTheirPlaces() {
        let steps = plan { $0.types[0].details = ["ok"] }.before
        XCTAssertEqual(steps.map(\.sql), [
            #"ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'sad' BEFORE 'ok';"#,
            #"ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok';"#,
        ])
    }

    func testHazardsHoldBackWholeObjectsButOnlyTheClosingGrantsOfOne() {
        let orders = Fixtures.name("public", "orders")
        let plan = Plan(steps: [
            Step(object: "s", sql: "CREATE SEQUENCE s;", fixes: "creates s", lock: .none),
            Step(object: "s", sql: "GRANT USAGE ON SEQUENCE s TO app;", fixes: "gives app USAGE", lock: .none, hazards: [.authorization]),
            Step(object: "i", sql: "CREATE INDEX CONCURRENTLY i ON t (c);", fixes: "builds i", lock: .shareUpdateExclusive(orders),
                 hazards: [.indexBuild], standalone: true),
            Step(object: "v", sql: "VALIDATE", fixes: "checks rows", lock: .none, hazards: [.validationScan]),
        ], unresolved: [])
        let (kept, held) = plan.allowing([])
        XCTAssertEqual(kept.steps.map(\.sql), ["CREATE SEQUENCE s;"])
        XCTAssertEqual(held.map(\.object), ["s", "i", "v"])
        XCTAssertEqual(held.map(\.targetValue), ["authorization", "index-build", "validation-scan"])
        XCTAssertEqual(held[1].consequence, "builds i. Hazards: index-build; run again with --allow-hazards index-build (or all) to apply it.")
        XCTAssertEqual(plan.allowing([.indexBuild, .authorization]).plan.steps.count, 3)
        XCTAssertEqual(plan.allowing(Set(Hazard.allCases)).heldBack, [])
        XCTAssertEqual(try Hazard.parse("index-build, authorization"), [.indexBuild, .authorization])
        XCTAssertEqual(try Hazard.parse("all"), Set(Hazard.allCases))
        XCTAssertThrowsError(try Hazard.parse("indexes")) { error in
            XCTAssertEqual("\(error)", "unknown hazard 'indexes' in --allow-hazards; use all or a comma-separated list of: index-build, table-rewrite, validation-scan, correctness, authorization, extension.")
        }
    }

    func testAnExtensionIsCreatedAtTheSourcesVersionWhereTheTargetOffersIt() throws {
        var target = Fixtures.objects()
        target.extensions.removeAll { $0.name == "citext" }
        let offered = ShapePlanner(source: Fixtures.objects(), target: target, roles: RoleMap(), targetRoles: nil,
                                   applyingRole: "app").plan()
        XCTAssertEqual(offered.before.map(\.sql), [#"CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "public" VERSION '1.6';"#])
        XCTAssertEqual(offered.before.map(\.hazards), [[.extension]])
        let notOffered = ShapePlanner(source: Fixtures.objects(), target: target, roles: RoleMap(), targetRoles: nil,
                                      applyingRole: "app", unavailableExtensions: ["citext": ["1.4", "1.5"]]).plan()
        XCTAssertEqual(notOffered.before, [])
        let finding = try XCTUnwrap(notOffered.unresolved.first)
        XCTAssertEqual(finding.kind, .extensionMissing)
        XCTAssertTrue(finding.consequence.hasPrefix("extension citext 1.6 is missing and the target offers only 1.4, 1.5"), finding.consequence)
    }

    func testAViewComesAfterTheViewsItReadsAsPgDependSays() {
        let a = Fixtures.name("public", "a_first_by_name"), b = Fixtures.name("public", "b_read_by_a")
        var source = Fixtures.objects()
        var reader = ViewDef(name: a, owner: "app", definition: " SELECT n\n   FROM public.b_read_by_a;")
        reader.dependsOn = [b]
        source.views = [reader, ViewDef(name: b, owner: "app", definition: " SELECT 1 AS n;")]
        var target = source
        target.views = []
        let steps = ShapePlanner(source: source, target: target, roles: RoleMap(), targetRoles: nil, applyingRole: "app").plan().after
        XCTAssertEqual(steps.map(\.object), ["view public.b_read_by_a", "view public.a_first_by_name"])
    }
}
