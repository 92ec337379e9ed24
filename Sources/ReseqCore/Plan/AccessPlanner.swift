/// The GRANTs and ALTER DEFAULT PRIVILEGES that give roles on the target what they had on the
/// source, to the roles that exist there (after `--map-role`). Pure: no I/O.
struct AccessPlanner: Sendable {
    let roles: RoleMap
    let targetAccess: AccessIndex
    let sourceAccess: AccessIndex
    /// Missing privileges on objects that exist on both sides, by kind of object and name.
    private let missingOnSchemas: [String: [AccessDiff.Missing]]
    private let missingOnRelations: [RelationKind: [QualifiedName: [AccessDiff.Missing]]]

    init?(source: SnapshotIndex, target: SnapshotIndex, roles: RoleMap) {
        guard let diff = AccessDiff(source: source, target: target, roles: roles) else { return nil }
        self.roles = roles
        targetAccess = diff.targetAccess
        sourceAccess = diff.sourceAccess
        var ignored: [String: Int] = [:]
        var schemas: [String: [AccessDiff.Missing]] = [:]
        var relations: [RelationKind: [QualifiedName: [AccessDiff.Missing]]] = [:]
        for (object, missing) in diff.missingPrivileges(rolesMissing: &ignored) {
            if let name = object.relation {
                let kind: RelationKind = object.word == "SEQUENCE" ? .sequence : .table
                relations[kind, default: [:]][name, default: []].append(missing)
            } else {
                schemas[object.schema, default: []].append(missing)
            }
        }
        missingOnSchemas = schemas
        missingOnRelations = relations
    }

    /// GRANT steps for a sequence, in the sequence's own object. `created`: the plan creates it,
    /// owned by `owner`, so the target has no privileges on it yet but the owner's.
    func sequenceGrants(_ sequence: QualifiedName, object: String, created owner: String?) -> [Step] {
        let missing: [AccessDiff.Missing]
        if let owner, let relation = sourceAccess.relation(sequence, .sequence) {
            let future = RelationACL(name: sequence, kind: .sequence, owner: owner, acl: nil)
            var absent = Set<String>()
            missing = AccessDiff.missing(
                AccessIndex.effective(relation.acl, owner: relation.owner, kind: .sequence,
                                      serverVersion: sourceAccess.serverVersion),
                roles: roles, target: targetAccess, absent: &absent,
                has: { targetAccess.has($0, $1, on: future) },
                hasOption: { role, privilege in targetAccess.hasGrantOption(role, privilege, acl: nil, owner: owner, kind: .sequence) })
        } else {
            missing = missingOnRelations[.sequence]?[sequence] ?? []
        }
        return missing.flatMap {
            Self.grantSteps(for: $0, on: "SEQUENCE \(SQL.qualified(sequence))", what: "sequence \(sequence)", object: object,
                  lock: .grant(sequence), requires: [.owner(sequence, .sequence)])
        }
    }

    /// Objects of their own: schema privileges (before everything), then table privileges and
    /// default privileges (after the sequences).
    func schemaObjects() -> [Step] {
        missingOnSchemas.keys.sorted().flatMap { schema in
            missingOnSchemas[schema]!.flatMap {
                Self.grantSteps(for: $0, on: "SCHEMA \(SQL.identifier(schema))", what: "schema \(schema)",
                      object: "schema \(schema)", lock: .none, requires: [.schemaOwner(schema)])
            }
        }
    }

    func tableObjects() -> [Step] {
        let tables = missingOnRelations[.table] ?? [:]
        return tables.keys.sorted().flatMap { table in
            tables[table]!.flatMap {
                Self.grantSteps(for: $0, on: "TABLE \(SQL.qualified(table))", what: "table \(table)",
                      object: table.description, lock: .grant(table), requires: [.owner(table, .table)])
            }
        }
    }

    func defaultPrivilegeObjects() -> [Step] {
        var existing: [[String]: DefaultACL] = [:]
        for entry in targetAccess.access.defaultPrivileges { existing[entry.sortKey] = entry }
        var steps: [Step] = []
        for entry in sourceAccess.access.defaultPrivileges {
            let creator = roles.target(entry.role)
            guard targetAccess.role(creator) != nil else { continue }
            if let schema = entry.schema, targetAccess.schema(schema) == nil { continue }
            let have = existing[[creator, entry.schema ?? "", entry.objectType.rawValue]]?.grants ?? []
            let missing = AccessDiff.missingDefaults(entry, existing: have, roles: roles, exists: { targetAccess.role($0) != nil })
            let place = entry.schema.map { " IN SCHEMA \(SQL.identifier($0))" } ?? ""
            let object = "default privileges of \(creator)\(entry.schema.map { " in schema \($0)" } ?? "") on \(entry.objectType.rawValue)"
            for grantable in [false, true] {
                let byRole = Dictionary(grouping: missing.filter { $0.grantable == grantable }, by: \.grantee)
                for grantee in byRole.keys.sorted() {
                    let privileges = byRole[grantee]!.map(\.privilege).sorted()
                    steps.append(Step(
                        object: object,
                        sql: "ALTER DEFAULT PRIVILEGES FOR ROLE \(SQL.identifier(creator))\(place) GRANT \(privileges.joined(separator: ", ")) ON \(entry.objectType.rawValue.uppercased()) TO \(Self.grantee(grantee))\(grantable ? " WITH GRANT OPTION" : "");",
                        fixes: "new \(entry.objectType.rawValue) of \(creator) grant \(privileges.joined(separator: ", ")) to \(grantee) as on the source",
                        lock: .none, requires: [.member(creator)], hazards: [.authorization]))
                }
            }
        }
        return steps
    }

    /// GRANT, then GRANT … WITH GRANT OPTION, of what one role lacks on one object.
    static func grantSteps(for missing: AccessDiff.Missing, on target: String, what: String, object: String,
                           lock: Step.Lock, requires: [Step.Requirement]) -> [Step] {
        var steps: [Step] = []
        let grantee = Self.grantee(missing.grantee)
        // WITH GRANT OPTION gives the privilege too.
        let plain = missing.privileges.filter { !missing.grantable.contains($0) }
        if !plain.isEmpty {
            let list = plain.sorted().joined(separator: ", ")
            steps.append(Step(object: object, sql: "GRANT \(list) ON \(target) TO \(grantee);",
                              fixes: "gives \(missing.grantee) \(list) on \(what) as on the source", lock: lock, requires: requires,
                              hazards: [.authorization]))
        }
        let options = missing.grantable.sorted()
        if !options.isEmpty {
            let list = options.joined(separator: ", ")
            steps.append(Step(object: object, sql: "GRANT \(list) ON \(target) TO \(grantee) WITH GRANT OPTION;",
                              fixes: "lets \(missing.grantee) grant \(list) on \(what) as on the source", lock: lock, requires: requires,
                              hazards: [.authorization]))
        }
        return steps
    }

    /// `PUBLIC` for everyone, else the quoted role.
    static func grantee(_ role: String) -> String {
        role == Grant.publicGrantee ? "PUBLIC" : SQL.identifier(role)
    }
}
