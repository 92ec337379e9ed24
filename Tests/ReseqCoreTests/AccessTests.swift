import XCTest
@testable import ReseqCore

/// Privileges and preflight as pure functions over snapshot values.
final class AccessTests: XCTestCase {
    private let table = QualifiedName(schema: "public", name: "orders")
    private let sequence = QualifiedName(schema: "public", name: "orders_id_seq")

    private func snapshot(version: Int = 150018, sequenceACL: [Grant]?, tableACL: [Grant]?, tableOwner: String = "dms_user",
                          roles: [RoleInfo], defaults: [DefaultACL] = []) -> Snapshot {
        Snapshot(
            database: DatabaseInfo(name: "app", host: "h", port: "5432", serverVersion: "x", serverVersionNumber: version,
                                   systemIdentifier: nil, capturedAt: Date(timeIntervalSince1970: 0)),
            sequences: [SequenceInfo(name: sequence, owner: tableOwner, ownedBy: ColumnRef(table: table, column: "id"))],
            columns: [ColumnInfo(ref: ColumnRef(table: table, column: "id"), tableOwner: tableOwner,
                                 defaultSequence: sequence)],
            access: Access(
                roles: roles,
                schemas: [SchemaACL(name: "public", owner: "pg_database_owner",
                                    acl: [Grant(grantee: "public", privilege: "USAGE")])],
                relations: [RelationACL(name: sequence, kind: .sequence, owner: tableOwner, acl: sequenceACL),
                            RelationACL(name: table, kind: .table, owner: tableOwner, acl: tableACL)],
                defaultPrivileges: defaults))
    }

    private let roles = [RoleInfo(name: "postgres", superuser: true), RoleInfo(name: "dms_user"), RoleInfo(name: "app"),
                         RoleInfo(name: "pg_database_owner")]
    private let appWrites = [Grant(grantee: "dms_user", privilege: "INSERT"), Grant(grantee: "app", privilege: "INSERT"),
                             Grant(grantee: "app", privilege: "SELECT")]

    func testAnAppThatMayInsertButNotUseTheSequenceIsNotReadyForWrites() {
        let source = snapshot(sequenceACL: [Grant(grantee: "dms_user", privilege: "USAGE"), Grant(grantee: "app", privilege: "USAGE")],
                              tableACL: appWrites, roles: roles)
        let target = snapshot(sequenceACL: nil, tableACL: appWrites, roles: roles)
        let findings = Differ.diff(source: source, target: target).filter { $0.kind == .privilegeMissing || $0.kind == .insertWillFail }
        XCTAssertEqual(findings.map(\.consequence), [
            "app can insert into public.orders but lacks USAGE on its sequence public.orders_id_seq: its inserts fail with permission denied.",
        ])
        let plan = Planner.plan(source: source, target: target, options: .init(applyingRole: "master"))
        XCTAssertEqual(plan.steps.map(\.sql), [#"GRANT USAGE ON SEQUENCE "public"."orders_id_seq" TO "app";"#])
        XCTAssertEqual(plan.steps.first?.requires, [.owner(sequence, .sequence)])
    }

    func testARoleThatGainedInsertOnTheTargetIsCheckedToo() {
        let source = snapshot(sequenceACL: nil, tableACL: nil, roles: roles)
        let target = snapshot(sequenceACL: nil, tableACL: appWrites, roles: roles)
        let findings = Differ.diff(source: source, target: target).filter { $0.kind == .insertWillFail }
        XCTAssertEqual(findings.map(\.sourceValue), ["app"])
        XCTAssertEqual(findings.first?.targetValue, "USAGE on its sequence public.orders_id_seq")
    }

    func testMembershipAndSuperusersGiveTheRightsAndMaintainIsNotAskedOfAn15Target() {
        // Source on 17: the owner's default rights include MAINTAIN; a 15 target has no such thing.
        let source = snapshot(version: 170000, sequenceACL: nil, tableACL: nil, tableOwner: "app", roles: roles)
        var inheriting = roles
        inheriting[2] = RoleInfo(name: "app", inherits: ["dms_user"])
        let target = snapshot(sequenceACL: nil, tableACL: nil, roles: inheriting)
        XCTAssertEqual(Differ.diff(source: source, target: target).filter(\.isBlocking).map(\.kind), [])
        // Without the membership, app lacks every right it had as the owner.
        let bare = snapshot(sequenceACL: nil, tableACL: nil, roles: roles)
        let missing = Differ.diff(source: source, target: bare).filter { $0.kind == .privilegeMissing }
        XCTAssertEqual(missing.map(\.targetValue), ["SELECT, UPDATE, USAGE", "DELETE, INSERT, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE"])
    }

    func testMissingRolesAreSaidAndMappedRolesAreGranted() {
        let source = snapshot(sequenceACL: [Grant(grantee: "dms_user", privilege: "USAGE"), Grant(grantee: "reporting", privilege: "SELECT")],
                              tableACL: [Grant(grantee: "reporting", privilege: "SELECT", grantable: true)], roles: roles)
        let target = snapshot(sequenceACL: nil, tableACL: nil, roles: roles + [RoleInfo(name: "bi")])
        let findings = Differ.diff(source: source, target: target)
        XCTAssertEqual(findings.filter { $0.kind == .roleMissing }.map(\.consequence), [
            "role reporting holds privileges on 2 object(s) on the source but does not exist on the target, so they cannot be given back; create it, or name its counterpart with --map-role reporting=ROLE.",
        ])
        let plan = Planner.plan(source: source, target: target, options: .init(roles: RoleMap(["reporting": "bi"])))
        XCTAssertEqual(plan.steps.map(\.sql), [
            #"GRANT SELECT ON SEQUENCE "public"."orders_id_seq" TO "bi";"#,
            #"GRANT SELECT ON TABLE "public"."orders" TO "bi" WITH GRANT OPTION;"#,
        ])
    }

    func testDefaultPrivilegesArePlannedForTheCreatorsRole() {
        let defaults = [DefaultACL(role: "dms_user", schema: "public", objectType: .sequences,
                                   grants: [Grant(grantee: "app", privilege: "USAGE"), Grant(grantee: "public", privilege: "SELECT")])]
        let source = snapshot(sequenceACL: nil, tableACL: nil, roles: roles, defaults: defaults)
        let target = snapshot(sequenceACL: nil, tableACL: nil, roles: roles)
        XCTAssertEqual(Differ.diff(source: source, target: target).filter { $0.kind == .defaultPrivilegeMissing }.count, 1)
        let steps = Planner.plan(source: source, target: target).steps
        XCTAssertEqual(steps.map(\.sql), [
            #"ALTER DEFAULT PRIVILEGES FOR ROLE "dms_user" IN SCHEMA "public" GRANT USAGE ON SEQUENCES TO "app";"#,
            #"ALTER DEFAULT PRIVILEGES FOR ROLE "dms_user" IN SCHEMA "public" GRANT SELECT ON SEQUENCES TO PUBLIC;"#,
        ])
        XCTAssertEqual(steps.first?.requires, [.member("dms_user")])
    }

    // MARK: - Preflight

    private func plan() -> Plan {
        Plan(steps: [
            Step(object: "public.orders_id_seq", sql: "CREATE SEQUENCE s;", fixes: "", lock: .none,
                 requires: [.create(inSchema: "public")]),
            Step(object: "public.orders_id_seq", sql: "ALTER TABLE t;", fixes: "", lock: .accessExclusive(table),
                 requires: [.owner(table, .table)]),
        ], unresolved: [])
    }

    func testPreflightNamesTheOwnerAndTheStatementThatFixesIt() {
        let facts = Preflight.Facts(currentRole: "master", database: "app", relationOwners: [table: "dms_user"],
                                    schemaOwners: ["public": "pg_database_owner"],
                                    createInSchema: ["dms_user": ["public"]])
        let decision = Preflight.decide(plan(), facts: facts)
        XCTAssertEqual(decision.runAs, [:])
        XCTAssertEqual(decision.blocked.map(\.consequence), [
            #"master cannot run CREATE SEQUENCE s; It needs CREATE on schema public and the rights of dms_user, the owner of table public.orders. Fix: GRANT CREATE ON SCHEMA "public" TO "master"; GRANT "dms_user" TO "master"; (or run reseq as dms_user)"#,
        ])
    }

    func testPreflightRunsAsTheOwnerWhenTheRoleMayBecomeItAndPassesWithInheritance() {
        var facts = Preflight.Facts(currentRole: "master", database: "app", relationOwners: [table: "dms_user"],
                                    schemaOwners: ["public": "pg_database_owner"], canSet: ["master": ["dms_user"]],
                                    createInSchema: ["dms_user": ["public"]])
        XCTAssertEqual(Preflight.decide(plan(), facts: facts), Preflight.Decision(runAs: ["public.orders_id_seq": "dms_user"], blocked: []))
        facts.usage = ["master": ["dms_user"]]
        facts.createInSchema["master"] = ["public"]
        XCTAssertEqual(Preflight.decide(plan(), facts: facts), Preflight.Decision(runAs: [:], blocked: []))
        XCTAssertEqual(Preflight.decide(plan(), facts: Preflight.Facts(currentRole: "postgres", database: "app", superusers: ["postgres"])),
                       Preflight.Decision(runAs: [:], blocked: []))
    }

    /// A PostgreSQL 14 source's public schema (PUBLIC may CREATE, owned by postgres) against a
    /// 15 target's (owned by pg_database_owner, whose member the database owner is): no finding.
    func testThePublicSchemaOfFifteenIsNoLoss() {
        func snapshot(_ version: Int, _ schema: SchemaACL, _ roles: [RoleInfo]) -> Snapshot {
            Snapshot(database: DatabaseInfo(name: "app", host: "h", port: "5432", serverVersion: "x", serverVersionNumber: version,
                                            systemIdentifier: nil, capturedAt: Date(timeIntervalSince1970: 0)),
                     sequences: [], columns: [],
                     access: Access(roles: roles, schemas: [schema], relations: [], defaultPrivileges: []))
        }
        let source = snapshot(140000, SchemaACL(name: "public", owner: "postgres", acl: [
            Grant(grantee: "postgres", privilege: "CREATE"), Grant(grantee: "postgres", privilege: "USAGE"),
            Grant(grantee: "public", privilege: "CREATE"), Grant(grantee: "public", privilege: "USAGE"),
        ]), [RoleInfo(name: "postgres", superuser: true)])
        let target = snapshot(150000, SchemaACL(name: "public", owner: "pg_database_owner", acl: [
            Grant(grantee: "pg_database_owner", privilege: "CREATE"), Grant(grantee: "pg_database_owner", privilege: "USAGE"),
            Grant(grantee: "public", privilege: "USAGE"),
        ]), [RoleInfo(name: "master", inherits: ["pg_database_owner"]), RoleInfo(name: "pg_database_owner")])
        XCTAssertEqual(Differ.diff(source: source, target: target, options: .init(roles: RoleMap(["postgres": "master"]))), [])
        XCTAssertEqual(Planner.plan(source: source, target: target, options: .init(roles: RoleMap(["postgres": "master"]))).steps, [])
    }
}
