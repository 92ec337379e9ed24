import Foundation
import XCTest
@testable import ReseqCore

/// The shape's findings over hand-made values: no server.
final class ObjectsDiffTests: XCTestCase {
    private func snapshots(_ change: (inout SchemaObjects) -> Void) -> (Snapshot, Snapshot) {
        var source = Snapshot(database: Fixtures.database("app", host: "old-ec2"), sequences: [], columns: [])
        source.schema = Fixtures.objects()
        var target = Snapshot(database: Fixtures.database("app", host: "rds"), sequences: [], columns: [])
        var objects = Fixtures.objects()
        change(&objects)
        target.schema = objects
        return (source, target)
    }

    private func findings(_ change: (inout SchemaObjects) -> Void, kinds: Finding.KindFilter = .init()) -> [Finding] {
        let (source, target) = snapshots(change)
        return Differ.diff(source: source, target: target, options: .init(kinds: kinds))
    }

    private func table(_ objects: inout SchemaObjects, _ name: String, _ change: (inout TableDef) -> Void) {
        let index = objects.tables.firstIndex { $0.name.name == name }!
        change(&objects.tables[index])
    }

    func testSameShapeHasNoFinding() {
        XCTAssertEqual(findings { _ in }, [])
    }

    /// The diff compares the tables in slices on several threads: any number of slices gives
    /// every finding, the missing table's first and the extra one's last, as one slice does.
    func testTheTablesComparedInSlicesGiveEveryFindingInOrder() {
        let source = Fixtures.objects()
        var target = source
        let missing = target.tables.removeFirst()
        var extra = missing
        extra.name = QualifiedName(schema: missing.name.schema, name: "extra")
        target.tables.append(extra)
        for index in target.tables.indices { target.tables[index].comment = "changed \(index)" }
        func findings(_ parts: Int) -> [Finding] {
            ObjectsDiff.jobs(source: source, target: target, roles: RoleMap(), tableParts: parts).flatMap { $0() }
        }
        let whole = findings(1)
        XCTAssertEqual(whole.filter { $0.kind == .tableMissing }.map(\.object), [missing.name.description])
        XCTAssertEqual(whole.filter { $0.kind == .onlyOnTarget }.map(\.object), ["\(missing.name.schema).extra"])
        XCTAssertEqual(Set(whole.filter { $0.kind == .commentDiffers || $0.kind == .commentMissing }.map(\.object)).count,
                       source.tables.count - 1)
        for parts in [2, 3, source.tables.count + 5] {
            XCTAssertEqual(findings(parts), whole, "\(parts) slices")
        }
    }

    func testTypedIdentitiesDoNotCollide() {
        let a = ObjectID.table(QualifiedName(schema: "a.b", name: "c"))
        let b = ObjectID.table(QualifiedName(schema: "a", name: "b.c"))
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.description, b.description)  // the same for people, two keys all the same
        XCTAssertNotEqual(ObjectID.column(QualifiedName(schema: "s", name: "t"), "c"),
                          ObjectID.constraint(QualifiedName(schema: "s", name: "t"), "c"))
    }

    func testWhatDMSDropsIsNamedWithItsSeverity() {
        let found = findings { objects in
            table(&objects, "orders") { orders in
                orders.constraints.removeAll { $0.kind == .foreignKey || $0.kind == .check }
                orders.indexes.removeAll { $0.constraint == nil }
                orders.triggers = []
                orders.policies = []
                orders.rowSecurity = false
                orders.kind = .plain
                orders.partitionKey = nil
                orders.comment = nil
                orders.estimatedRows = -1
                orders.columns[2].type = "numeric(28,6)"
                orders.columns[3].type = "character varying"
                orders.columns[6].defaultExpression = nil
                orders.columns[6].notNull = false
            }
            table(&objects, "customers") { customers in
                customers.indexes.removeAll { $0.name == "customers_email_key" }
                customers.columns[2].type = "character varying(5)"
            }
            objects.views.removeAll { $0.materialized }
            objects.functions.removeAll { $0.name.name == "touch" }
            objects.types.removeAll { $0.name.name == "posint" }
            objects.extensions[0].version = "1.1"
            objects.schemas[0].owner = "dms_user"
        }
        let told = Dictionary(found.map { ("\($0.kind) \($0.object)", $0.severity) }, uniquingKeysWith: min)
        let expected: [(String, Finding.Severity)] = [
            ("foreignKeyMissing public.orders.orders_customer_id_fkey", .error),
            ("checkMissing public.orders.orders_amount_check", .error),
            ("indexMissing public.orders_customer_id_idx", .warning),
            ("uniqueMissing public.customers_email_key", .error),
            ("triggerMissing public.orders.last_updated", .error),
            ("policyMissing public.orders.mine", .error),
            ("rowSecurityDiffers public.orders", .error),
            ("tableDiffers public.orders", .warning),
            ("statisticsMissing public.orders", .warning),
            ("commentMissing public.orders", .info),
            ("columnTypeDiffers public.orders.amount", .error),
            ("columnTypeDiffers public.orders.mood", .error),
            ("columnTypeDiffers public.customers.active", .error),
            ("defaultMissing public.orders.placed", .error),
            ("notNullDiffers public.orders.placed", .error),
            ("viewMissing public.totals", .error),
            ("functionMissing public.touch()", .error),
            ("typeMissing public.posint", .error),
            ("extensionDiffers citext", .warning),
            ("ownerDiffers Billing", .info),
        ]
        for (finding, severity) in expected {
            XCTAssertEqual(told[finding], severity, "\(finding):\n\(found.map { "\($0.kind) \($0.object)" }.joined(separator: "\n"))")
        }
        XCTAssertEqual(found.count, expected.count, found.map { "\($0.kind) \($0.object)" }.joined(separator: "\n"))
        let index = found.first { $0.kind == .indexMissing }
        XCTAssertEqual(index?.consequence, "no index public.orders_customer_id_idx: queries on public.orders(customer_id) scan all 12 M rows.")
        let key = found.first { $0.kind == .foreignKeyMissing }
        XCTAssertEqual(key?.consequence, "no foreign key public.orders(customer_id) → public.customers: rows can point at public.customers rows that don't exist, and deleting those leaves orphans.")
        let trigger = found.first { $0.kind == .triggerMissing }
        XCTAssertEqual(trigger?.consequence, "trigger last_updated on public.orders is missing: what public.touch() does on each write no longer happens.")
    }

    func testOnlyAndIgnoreByKindOrFamily() {
        let change = { (objects: inout SchemaObjects) in
            self.table(&objects, "orders") { orders in
                orders.indexes.removeAll { $0.constraint == nil }
                orders.constraints.removeAll { $0.kind == .foreignKey }
                orders.comment = nil
            }
        }
        XCTAssertEqual(findings(change, kinds: .init(only: ["index"])).map(\.kind), [.indexMissing])
        XCTAssertEqual(findings(change, kinds: .init(only: ["foreignKeyMissing"])).map(\.kind), [.foreignKeyMissing])
        XCTAssertEqual(Set(findings(change, kinds: .init(ignore: ["comment", "index"])).map(\.kind)), [.foreignKeyMissing])
        XCTAssertEqual(Finding.KindFilter.unknown(["index", "nonsense", "viewMissing"]), ["nonsense"])
    }

    func testRenamedIndexOfTheSameDefinitionIsTheSame() {
        XCTAssertEqual(findings { objects in
            table(&objects, "orders") { orders in
                let old = orders.indexes[0]
                orders.indexes[0] = IndexDef(name: "orders_customer_id_idx1",
                                             definition: old.definition.replacingOccurrences(of: old.name, with: "orders_customer_id_idx1"))
            }
        }, [])
    }

    /// Both sides changed, each its own way.
    private func sides(source changeSource: (inout SchemaObjects) -> Void,
                       target changeTarget: (inout SchemaObjects) -> Void) -> (Snapshot, Snapshot) {
        var (source, target) = snapshots { _ in }
        changeSource(&source.schema!)
        changeTarget(&target.schema!)
        return (source, target)
    }

    /// A check left NOT VALID on the target (its validation blocked or cut off): pg_get_constraintdef
    /// prints it with " NOT VALID", which makes it no other check. It is only validated.
    func testACheckLeftNotValidOnTheTargetIsOnlyValidated() {
        let check = ConstraintDef(name: "customers_email_check", kind: .check, definition: "CHECK ((email <> ''::text))")
        var notValid = check
        notValid.definition += " NOT VALID"
        notValid.validated = false
        let (source, target) = sides(source: { objects in self.table(&objects, "customers") { $0.constraints.append(check) } },
                                     target: { objects in self.table(&objects, "customers") { $0.constraints.append(notValid) } })
        let found = Differ.diff(source: source, target: target, options: .init())
        XCTAssertEqual(found.map(\.kind), [.constraintDiffers])
        XCTAssertEqual(found.first?.severity, .warning)
        XCTAssertEqual(found.first?.targetValue, "NOT VALID")
        XCTAssertEqual(Planner.plan(source: source, target: target).steps.map(\.sql),
                       [#"ALTER TABLE "public"."customers" VALIDATE CONSTRAINT "customers_email_check";"#])
    }

    /// The index of a unique key that a build cut off left behind (INVALID, backing no
    /// constraint) is dropped before the key's index is built again, not built over.
    func testAKeysIndexLeftByABuildCutOffIsDroppedFirst() {
        let key = { (objects: inout SchemaObjects, valid: Bool, constraint: String?) in
            self.table(&objects, "customers") { customers in
                let index = customers.indexes.firstIndex { $0.name == "customers_email_key" }!
                customers.indexes[index].valid = valid
                customers.indexes[index].constraint = constraint
            }
        }
        let (source, target) = sides(source: { objects in
            self.table(&objects, "customers") {
                $0.constraints.append(ConstraintDef(name: "customers_email_key", kind: .unique, definition: "UNIQUE (email)"))
            }
            key(&objects, true, "customers_email_key")
        }, target: { objects in key(&objects, false, nil) })
        XCTAssertEqual(Planner.plan(source: source, target: target).steps.map(\.sql), [
            #"DROP INDEX CONCURRENTLY IF EXISTS "public"."customers_email_key";"#,
            "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON public.customers USING btree (email);",
            #"ALTER TABLE "public"."customers" ADD CONSTRAINT "customers_email_key" UNIQUE USING INDEX "customers_email_key";"#,
        ])
    }

    func testViewsCompareWithoutTheQualifiersOlderServersPrint() {
        XCTAssertTrue(ViewDef.sameQuery(" SELECT customers.id,\n    customers.email\n   FROM public.customers\n  WHERE customers.active;",
                                        " SELECT id,\n    email\n   FROM public.customers\n  WHERE active;"))
        XCTAssertFalse(ViewDef.sameQuery(" SELECT id FROM public.customers WHERE active;",
                                         " SELECT id FROM public.customers WHERE NOT active;"))
    }

    func testJSONOutputCarriesItsFormatVersion() throws {
        let json = try FindingsText.json(findings { objects in objects.views = [] })
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["formatVersion"] as? Int, FindingsText.jsonFormatVersion)
        XCTAssertEqual((object["findings"] as? [Any])?.count, 2)
    }

    /// A plan says whether it has anything of the shape to do: reconcile's verification reads
    /// the shape again only then.
    func testAPlanSaysWhetherItReshapes() {
        let (same, copy) = sides(source: { _ in }, target: { _ in })
        XCTAssertFalse(Planner.plan(source: same, target: copy).reshapes)
        let (source, target) = sides(source: { _ in }, target: { objects in
            self.table(&objects, "customers") { $0.indexes.removeAll { $0.name == "customers_email_key" } }
        })
        XCTAssertTrue(Planner.plan(source: source, target: target).reshapes)
        let (commented, plain) = sides(source: { _ in }, target: { objects in self.table(&objects, "orders") { $0.comment = nil } })
        XCTAssertTrue(Planner.plan(source: commented, target: plain).reshapes)
    }
}
