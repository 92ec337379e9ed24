import Foundation
import XCTest
@testable import ReseqCore

/// Privileges of the shape's objects (tables, columns, views, functions, types) as pure
/// functions over snapshot values: what the diff says a role lacks, and the GRANT and REVOKE
/// the plan runs after the owners' steps. The target is a DMS copy: dms_user owns the tables,
/// their grants are gone, and the views, functions and types were not copied.
final class PrivilegesTests: XCTestCase {
    private let items = Fixtures.name("public", "items")
    private let view = Fixtures.name("public", "active_items")
    private let roles = [RoleInfo(name: "postgres", superuser: true), RoleInfo(name: "app_owner"), RoleInfo(name: "app"),
                         RoleInfo(name: "reader"), RoleInfo(name: "bi"), RoleInfo(name: "dms_user")]
    private static let tableRights = ["DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"]

    private func grants(_ grantee: String, _ privileges: [String], grantable: Bool = false) -> [Grant] {
        privileges.map { Grant(grantee: grantee, privilege: $0, grantable: grantable) }
    }

    private func snapshot(_ host: String, _ objects: SchemaObjects, roles: [RoleInfo]) -> Snapshot {
        var snapshot = Snapshot(database: Fixtures.database("app", host: host), sequences: [], columns: [],
                                access: Access(roles: roles, schemas: [SchemaACL(name: "public", owner: "app_owner", acl: nil)],
                                               relations: [], defaultPrivileges: []))
        snapshot.schema = objects
        return snapshot
    }

    /// The source: app_owner owns everything; app may read and write the table (reporting, on
    /// the target bi, may read it), reader one column; app may read the view, run the
    /// functions (PUBLIC may not) and use the type (PUBLIC may not).
    private func source() -> Snapshot {
        let owner = grants("app_owner", Self.tableRights)
        return snapshot("old-ec2", SchemaObjects(
            types: [TypeDef(name: Fixtures.name("public", "mood"), kind: .enum, owner: "app_owner", details: ["sad", "ok"],
                            formatted: "public.mood", acl: grants("app_owner", ["USAGE"]) + grants("app", ["USAGE"]))],
            tables: [TableDef(name: items, owner: "app_owner",
                              columns: [ColumnDef(name: "id", type: "integer", notNull: true),
                                        ColumnDef(name: "Secret \"x\"", type: "text", acl: grants("reader", ["SELECT"]))],
                              acl: owner + grants("app", ["SELECT", "INSERT", "UPDATE", "DELETE"])
                                  + grants("reporting", ["SELECT"], grantable: true) + grants("ghost", ["SELECT"]))],
            views: [ViewDef(name: view, owner: "app_owner", definition: " SELECT id\n   FROM public.items;",
                            acl: owner + grants("app", ["SELECT"]))],
            functions: [FunctionDef(name: Fixtures.name("public", "add"), arguments: "a integer, b integer", owner: "app_owner",
                                    result: "integer", definition: "CREATE OR REPLACE FUNCTION public.add(a integer, b integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$ SELECT a + b $function$\n",
                                    acl: grants("app_owner", ["EXECUTE"]) + grants("app", ["EXECUTE"])),
                        FunctionDef(name: Fixtures.name("public", "audit"), arguments: "", kind: .procedure, owner: "app_owner",
                                    definition: "CREATE OR REPLACE PROCEDURE public.audit()\n LANGUAGE sql\nAS $procedure$ SELECT 1 $procedure$\n",
                                    acl: grants("app_owner", ["EXECUTE"]) + grants("app", ["EXECUTE"]))]),
            roles: roles + [RoleInfo(name: "reporting"), RoleInfo(name: "ghost")])
    }

    /// What DMS left: the table owned by dms_user with no grants; the procedure there (made
    /// by hand with PUBLIC's EXECUTE revoked), not the rest.
    private func target() -> Snapshot {
        let source = source().schema!
        var table = source.tables[0]
        table.owner = "dms_user"
        table.acl = grants("dms_user", Self.tableRights)
        table.columns[1].acl = nil
        var audit = source.functions[1]
        audit.acl = grants("app_owner", ["EXECUTE"])
        return snapshot("rds", SchemaObjects(tables: [table], functions: [audit]), roles: roles)
    }

    private let mapping = RoleMap(["reporting": "bi"])

    private func privilegeSteps(_ plan: Plan) -> [Step] {
        plan.steps.filter { $0.sql.hasPrefix("GRANT ") || $0.sql.hasPrefix("REVOKE ") }
    }

    func testThePlanGrantsForTheFinalOwnerAndRevokesWhatCreatedObjectsGetByDefault() {
        let plan = Planner.plan(source: source(), target: target(), options: .init(applyingRole: "postgres", roles: mapping))
        let steps = privilegeSteps(plan)
        XCTAssertEqual(steps.map(\.sql), [
            // The table, for app_owner (its owner once the owners' steps ran): app_owner's own
            // rights come with ownership; ghost is not on the target.
            #"GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE "public"."items" TO "app";"#,
            #"GRANT SELECT ON TABLE "public"."items" TO "bi" WITH GRANT OPTION;"#,
            #"GRANT SELECT ("Secret ""x""") ON TABLE "public"."items" TO "reader";"#,
            // Created by the plan: the view starts with its owner's rights alone.
            #"GRANT SELECT ON TABLE "public"."active_items" TO "app";"#,
            // A created function and type start with PUBLIC's EXECUTE and USAGE.
            #"GRANT EXECUTE ON FUNCTION "public"."add"(a integer, b integer) TO "app";"#,
            #"REVOKE EXECUTE ON FUNCTION "public"."add"(a integer, b integer) FROM PUBLIC;"#,
            // The procedure was there: what it lacks is granted, nothing revoked.
            #"GRANT EXECUTE ON PROCEDURE "public"."audit"() TO "app";"#,
            #"GRANT USAGE ON TYPE "public"."mood" TO "app";"#,
            #"REVOKE USAGE ON TYPE "public"."mood" FROM PUBLIC;"#,
        ])
        for step in steps {
            XCTAssertEqual(step.hazards, [.authorization], step.sql)
            XCTAssertEqual(step.requires, [.rightsOf("app_owner")], step.sql)
        }
        XCTAssertEqual(steps[0].object, "privileges on public.items")
        XCTAssertEqual(steps[0].lock, .grant(items))
        // After every owner step, so each list is computed against the owner it will have.
        let lastOwner = plan.steps.lastIndex { $0.sql.contains(" OWNER TO ") }
        let firstGrant = plan.steps.firstIndex { $0.sql.hasPrefix("GRANT ") || $0.sql.hasPrefix("REVOKE ") }
        XCTAssertNotNil(lastOwner)
        XCTAssertLessThan(lastOwner ?? .max, firstGrant ?? -1)
    }

    func testAppliedOnceThereIsNothingLeftToGrant() {
        var after = source()
        after.database = Fixtures.database("app", host: "rds")
        after.access?.roles = roles
        // reporting's grant went to bi.
        let table = after.schema!.tables[0]
        after.schema!.tables[0].acl = table.acl!.filter { $0.grantee != "reporting" && $0.grantee != "ghost" }
            + grants("bi", ["SELECT"], grantable: true)
        XCTAssertEqual(privilegeSteps(Planner.plan(source: source(), target: after, options: .init(applyingRole: "postgres", roles: mapping))), [])
        XCTAssertEqual(Differ.diff(source: source(), target: after, options: .init(roles: mapping))
            .filter { $0.kind == .privilegeMissing }, [])
    }

    func testTheDiffNamesWhatEachRoleLacksWithItsSeverity() {
        let findings = Differ.diff(source: source(), target: target(), options: .init(roles: mapping))
        let missing = findings.filter { $0.kind == .privilegeMissing }
        XCTAssertEqual(missing.map { "\($0.severity) \($0.object) \($0.sourceValue ?? "") \($0.targetValue ?? "")" }.sorted(), [
            "error public.audit() app EXECUTE",
            "error public.items app DELETE, INSERT, SELECT, UPDATE",
            "error public.items app_owner DELETE, INSERT, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE",
            "error public.items bi SELECT",
            #"error public.items.Secret "x" reader SELECT"#,
        ])
        XCTAssertEqual(missing.first { $0.object == "public.audit()" }?.consequence,
                       "app had EXECUTE on procedure public.audit() on the source and lacks it on the target: its calls fail with permission denied.")
        XCTAssertEqual(missing.first { $0.sourceValue == "reader" }?.consequence,
                       #"reader had SELECT on column public.items.Secret "x" on the source and lacks it on the target: its queries and writes that name the column fail with permission denied."#)
        XCTAssertEqual(missing.first { $0.sourceValue == "reader" }?.table, "items")
        // ghost has no counterpart: said once, as for sequences.
        XCTAssertEqual(findings.filter { $0.kind == .roleMissing }.map(\.object), ["ghost"])
        // Without the shape compared, nothing of it.
        XCTAssertEqual(Differ.diff(source: source(), target: target(), options: .init(roles: mapping, objects: false))
            .filter { $0.kind == .privilegeMissing }, [])
    }

    func testAPrivilegeAnApplicationDoesNotNeedIsAWarningAndPUBLICCounts() {
        // app lost TRIGGER only; the type's list is the default, so app may use it through PUBLIC.
        var source = source()
        source.schema!.tables[0].acl! += grants("app", ["TRIGGER"])
        var target = self.source()
        target.database = Fixtures.database("app", host: "rds")
        target.schema!.types[0].acl = nil
        let missing = Differ.diff(source: source, target: target).filter { $0.kind == .privilegeMissing }
        XCTAssertEqual(missing.map { "\($0.severity) \($0.object) \($0.sourceValue ?? "") \($0.targetValue ?? "")" }, [
            "warning public.items app TRIGGER",
        ])
        // The plan still gives the type's entry back, as pg_dump lists entries.
        XCTAssertEqual(privilegeSteps(Planner.plan(source: source, target: target, options: .init(applyingRole: "postgres"))).map(\.sql), [
            #"GRANT TRIGGER ON TABLE "public"."items" TO "app";"#,
            #"GRANT USAGE ON TYPE "public"."mood" TO "app";"#,
        ])
    }

    func testPreflightAsksForTheRightsOfTheFinalOwner() {
        let step = Step(object: "privileges on public.items", sql: "GRANT SELECT ON TABLE t TO app;", fixes: "", lock: .grant(items),
                        requires: [.rightsOf("app_owner")], hazards: [.authorization])
        let plan = Plan(steps: [step], unresolved: [])
        var facts = Preflight.Facts(currentRole: "master", database: "app")
        // A grant is a leaf: left out alone and listed, not a stop for the whole plan.
        XCTAssertEqual(Preflight.decide(plan, facts: facts).blocked, [])
        XCTAssertEqual(Preflight.decide(plan, facts: facts).skipped.map(\.consequence), [
            #"master cannot run GRANT SELECT ON TABLE t TO app; It needs the rights of app_owner, the owner (to grant on what it owns). Fix: GRANT "app_owner" TO "master"; (or run reseq as app_owner)"#,
        ])
        facts.canSet = ["master": ["app_owner"]]
        XCTAssertEqual(Preflight.decide(plan, facts: facts), Preflight.Decision(runAs: ["privileges on public.items": "app_owner"], blocked: []))
        facts.usage = ["master": ["app_owner"]]
        XCTAssertEqual(Preflight.decide(plan, facts: facts), Preflight.Decision(runAs: [:], blocked: []))
    }

    func testAccessListsRoundTripThroughFilesAndOlderFilesReadAsDefault() throws {
        let snapshot = source()
        let data = Data(SnapshotJSONWriter.write(snapshot))
        XCTAssertEqual(SnapshotJSONReader.read(data)?.schema, snapshot.schema)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""grantee" : "reporting","#) && text.contains(#""withGrantOption" : "SELECT""#), text)
        // A file written before privileges were kept: no acl anywhere, read as the default.
        var old = snapshot
        old.schema!.tables[0].acl = nil
        old.schema!.tables[0].columns[1].acl = nil
        old.schema!.views[0].acl = nil
        old.schema!.functions = old.schema!.functions.map { var function = $0; function.acl = nil; return function }
        old.schema!.types[0].acl = nil
        let oldData = Data(SnapshotJSONWriter.write(old))
        XCTAssertFalse(String(decoding: oldData, as: UTF8.self).contains(#""acl""#))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        XCTAssertEqual(try decoder.decode(Snapshot.self, from: oldData).schema, old.schema)
        XCTAssertEqual(SnapshotJSONReader.read(oldData)?.schema, old.schema)
    }
}
