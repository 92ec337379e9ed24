import XCTest
@testable import ReseqCore

final class PlannerTests: XCTestCase {
    private typealias F = Fixtures

    func testIncidentPlanGolden() throws {
        let (source, target) = F.incident()
        let plan = Planner.plan(source: source, target: target)
        XCTAssertEqual(plan.unresolved, [])
        try assertGolden(PlanScript.render(plan, source: source.database, target: target.database), named: "incident-plan.sql")
    }

    func testIncidentPlanWithHeadroomGolden() throws {
        let (source, target) = F.incident()
        let plan = Planner.plan(source: source, target: target, options: .init(headroom: 1000))
        try assertGolden(PlanScript.render(plan, source: source.database, target: target.database), named: "incident-plan-headroom.sql")
    }

    func testMatchingTargetNeedsNoSteps() {
        let (source, _) = F.incident()
        let plan = Planner.plan(source: source, target: source)
        XCTAssertEqual(plan.steps, [])
        XCTAssertTrue(PlanScript.render(plan, source: source.database, target: source.database)
            .contains("-- Nothing to do: the target already matches the source."))
    }

    func testOrderWithinAnObject() {
        let (source, target) = F.incident()
        let steps = Planner.plan(source: source, target: target).steps.filter { $0.object == "public.django_migrations_id_seq" }
        XCTAssertEqual(steps.map(\.sql), [
            #"CREATE SEQUENCE "public"."django_migrations_id_seq" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE;"#,
            #"ALTER TABLE "public"."django_migrations" ALTER COLUMN "id" SET DEFAULT nextval('"public"."django_migrations_id_seq"'::regclass);"#,
            #"ALTER SEQUENCE "public"."django_migrations_id_seq" OWNER TO "rdsadmin";"#,
            #"ALTER SEQUENCE "public"."django_migrations_id_seq" OWNED BY "public"."django_migrations"."id";"#,
            #"SELECT setval('"public"."django_migrations_id_seq"'::regclass, 13, true);"#,
        ])
        XCTAssertEqual(steps.map(\.lock), [
            .sequence(F.name("public", "django_migrations_id_seq")),
            .accessExclusive(F.name("public", "django_migrations")),
            .sequence(F.name("public", "django_migrations_id_seq")),
            .sequence(F.name("public", "django_migrations_id_seq")),
            .none,
        ])
    }

    func testHandFixedTargetIsAdoptedNotRecreated() {
        // Someone created the sequence and the default by hand at 2 am, but left it behind
        // and without OWNED BY.
        let (sequence, column) = F.serial("public", "t", last: 900, max: 900)
        var handMade = sequence
        handMade.ownedBy = nil
        handMade.owner = "app"
        handMade.lastValue = 1
        handMade.isCalled = false
        var targetColumn = column
        targetColumn.tableOwner = "app"
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [sequence], columns: [column])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [handMade], columns: [targetColumn])
        let plan = Planner.plan(source: source, target: target)
        XCTAssertEqual(plan.steps.map(\.sql), [
            #"ALTER SEQUENCE "public"."t_id_seq" OWNED BY "public"."t"."id";"#,
            #"SELECT setval('"public"."t_id_seq"'::regclass, 900, true);"#,
        ])
    }

    func testIdentityOverAHandMadeSerialKeepsTheOldSequence() {
        let ref = F.column("public", "events")
        let identity = SequenceInfo(name: F.name("public", "events_id_seq"), owner: "app", lastValue: 42,
                                    isCalled: true, ownedBy: ref, isIdentity: true)
        let column = ColumnInfo(ref: ref, tableOwner: "app", identity: .always, maxValue: 42, minValue: 1)
        var handMade = identity
        handMade.isIdentity = false
        handMade.lastValue = 60
        var targetColumn = F.copied(column, max: 55)
        targetColumn.notNull = false
        targetColumn.defaultSequence = identity.name
        targetColumn.defaultExpression = "nextval('events_id_seq'::regclass)"
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [identity], columns: [column])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [handMade], columns: [targetColumn])
        let plan = Planner.plan(source: source, target: target)
        XCTAssertEqual(plan.steps.map(\.sql), [
            #"ALTER TABLE "public"."events" ALTER COLUMN "id" SET NOT NULL;"#,
            #"ALTER TABLE "public"."events" ALTER COLUMN "id" DROP DEFAULT;"#,
            #"ALTER SEQUENCE "public"."events_id_seq" RENAME TO "events_id_seq_before_reseq";"#,
            #"ALTER TABLE "public"."events" ALTER COLUMN "id" ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME "public"."events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE);"#,
            // The hand-made sequence handed out up to 60: the identity continues after it.
            #"SELECT setval('"public"."events_id_seq"'::regclass, 60, true);"#,
        ])
    }

    func testSharedSequenceSetsBothDefaultsInOneObject() {
        let shared = SequenceInfo(name: F.name("public", "ids"), owner: "app", lastValue: 70, isCalled: true)
        let a = ColumnInfo(ref: F.column("public", "a"), tableOwner: "app", defaultExpression: "nextval('ids'::regclass)",
                           defaultSequence: shared.name, maxValue: 70, minValue: 1)
        let b = ColumnInfo(ref: F.column("other", "b"), tableOwner: "app", defaultExpression: "nextval('public.ids'::regclass)",
                           defaultSequence: shared.name, maxValue: 80, minValue: 2)
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [shared], columns: [a, b])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [], columns: [F.copied(a), F.copied(b)])
        let plan = Planner.plan(source: source, target: target)
        XCTAssertEqual(Set(plan.steps.map(\.object)), ["public.ids"])
        XCTAssertEqual(plan.steps.filter { $0.sql.contains("SET DEFAULT") }.count, 2)
        // Rows in other.b reach 80: the shared sequence continues after them.
        XCTAssertEqual(plan.steps.last?.sql, #"SELECT setval('"public"."ids"'::regclass, 80, true);"#)
    }

    func testPartitionsGetTheirDefaultThroughTheParent() {
        let seq = SequenceInfo(name: F.name("public", "m_id_seq"), owner: "app", lastValue: 9, isCalled: true,
                               ownedBy: F.column("public", "m"))
        let parent = ColumnInfo(ref: F.column("public", "m"), tableOwner: "app",
                                defaultExpression: "nextval('m_id_seq'::regclass)", defaultSequence: seq.name,
                                maxValue: 9, minValue: 1)
        var part = parent
        part.ref = F.column("public", "m_2026")
        part.partitionOf = parent.ref.table
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [seq], columns: [parent, part])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [],
                              columns: [F.copied(parent), { var p = F.copied(part); p.partitionOf = parent.ref.table; return p }()])
        let defaults = Planner.plan(source: source, target: target).steps.filter { $0.sql.contains("SET DEFAULT") }
        XCTAssertEqual(defaults.map(\.sql), [
            #"ALTER TABLE "public"."m" ALTER COLUMN "id" SET DEFAULT nextval('"public"."m_id_seq"'::regclass);"#,
        ])
    }

    func testOutOfRangeObjectGetsNoStepsAtAll() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10, type: .smallint)
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [sequence], columns: [column])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [], columns: [F.copied(column, max: 32767)])
        let plan = Planner.plan(source: source, target: target)
        XCTAssertEqual(plan.steps, [])
        XCTAssertEqual(plan.unresolved.map(\.kind), [.valueOutOfRange])
        XCTAssertTrue(plan.unresolved[0].consequence.contains("32768"))
    }

    func testMissingTableIsUnresolved() {
        let (sequence, column) = F.serial("public", "gone", last: 10, max: 10)
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [sequence], columns: [column])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [], columns: [])
        let plan = Planner.plan(source: source, target: target)
        XCTAssertEqual(plan.steps, [])
        XCTAssertEqual(plan.unresolved.first?.consequence, "public.gone or its column id is not on the target; copy the table first.")
    }

    func testHostileNamesAreQuotedEverywhere() throws {
        let schema = "Bill\"ing; DROP TABLE x; --"
        let name = "seq'\n$$ select"
        let sequence = SequenceInfo(name: F.name(schema, name), owner: "o\"wner", lastValue: 3, isCalled: true,
                                    ownedBy: ColumnRef(table: F.name(schema, "Invoice Lines"), column: "ID"))
        let column = ColumnInfo(ref: ColumnRef(table: F.name(schema, "Invoice Lines"), column: "ID"), tableOwner: "o\"wner",
                                defaultExpression: "x", defaultSequence: sequence.name, maxValue: 3, minValue: 1)
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [sequence], columns: [column])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [], columns: [F.copied(column, owner: "o\"wner")])
        let script = PlanScript.render(Planner.plan(source: source, target: target), source: source.database, target: target.database)
        try assertGolden(script, named: "hostile-plan.sql")
        XCTAssertTrue(script.contains(#"CREATE SEQUENCE "Bill""ing; DROP TABLE x; --"."seq'"#))
        XCTAssertTrue(script.contains(#"nextval('"Bill""ing; DROP TABLE x; --"."seq''"#))
    }
}
