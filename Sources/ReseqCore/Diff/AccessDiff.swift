/// What roles could do on the source and cannot on the target: privileges on schemas,
/// sequences and the tables that use them, default privileges, and the roles themselves; with
/// `shape`, where both snapshots keep it, on every table, column, view, function and type too.
/// Then "ready for writes" for every role that may insert on the target. Pure: no I/O.
/// Both snapshots must keep privileges (format 2); format 1 files give no finding here.
struct AccessDiff {
    let source: SnapshotIndex
    let target: SnapshotIndex
    let sourceAccess: AccessIndex
    let targetAccess: AccessIndex
    let roles: RoleMap
    let shape: Bool

    init?(source: SnapshotIndex, target: SnapshotIndex, roles: RoleMap, shape: Bool = false) {
        guard let sourceAccess = source.snapshot.accessIndex, let targetAccess = target.snapshot.accessIndex else {
            return nil
        }
        self.source = source
        self.target = target
        self.sourceAccess = sourceAccess
        self.targetAccess = targetAccess
        self.roles = roles
        self.shape = shape
    }

    /// One object whose privileges are compared: how it is named and how to ask the target.
    struct Object {
        var description: String
        var schema: String
        var table: String?
        var word: String
        /// The target's name of a table or sequence.
        var relation: QualifiedName?
        var sourceGrants: [Grant]
        /// Whether the target role has the privilege (with grant option when asked).
        var targetHas: (String, String, Bool) -> Bool
        /// For an object of the shape: the privileges whose lack is an error (the others' is a
        /// warning), and what a role lacking them can no longer do. Nil: every lack is an error.
        var needed: Set<String>? = nil
        var effect: String? = nil
    }

    /// What one target role lacks on one object.
    struct Missing: Sendable {
        var grantee: String
        /// Privileges it lacks.
        var privileges: [String]
        /// Privileges it must get WITH GRANT OPTION, as on the source: lacking or not.
        var grantable: [String]
    }

    func findings() -> [Finding] {
        var findings: [Finding] = []
        var rolesMissing: [String: Int] = [:]
        var missingOnSequences = Set<[String]>()
        for (object, missing) in missingPrivileges(rolesMissing: &rolesMissing) {
            findings.append(finding(for: missing, on: object))
            if object.word == "SEQUENCE" { missingOnSequences.insert([object.description, missing.grantee]) }
        }
        for (role, count) in rolesMissing.sorted(by: { $0.key < $1.key }) {
            findings.append(Finding(
                kind: .roleMissing, severity: .warning, object: role, schema: "", sourceValue: role, targetValue: nil,
                consequence: "role \(role) holds privileges on \(count) object(s) on the source but does not exist on the target, so they cannot be given back; create it, or name its counterpart with --map-role \(role)=ROLE."))
        }
        findings += defaultPrivilegeFindings(rolesMissing: &rolesMissing)
        findings += insertFindings().filter { !missingOnSequences.contains([$0.object, $0.sourceValue ?? ""]) }
        return findings
    }

    // MARK: - Grants

    /// Every object of the source whose counterpart exists on the target, with its grants.
    func objects() -> [Object] {
        var objects: [Object] = []
        let version = sourceAccess.serverVersion
        for schema in sourceAccess.access.schemas {
            guard let other = targetAccess.schema(schema.name) else { continue }
            // CREATE for PUBLIC (on public, before PostgreSQL 15) is not carried over: 15 took it
            // away on purpose, since any role could then plant objects other roles' searches find.
            let grants = AccessIndex.effective(schema.acl, owner: schema.owner, kind: .schema, serverVersion: version)
                .filter { !($0.grantee == Grant.publicGrantee && $0.privilege == "CREATE") }
            objects.append(Object(
                description: schema.name, schema: schema.name, table: nil, word: "SCHEMA", relation: nil,
                sourceGrants: grants,
                targetHas: { role, privilege, option in
                    option ? targetAccess.hasGrantOption(role, privilege, acl: other.acl, owner: other.owner, kind: .schema)
                        : targetAccess.has(role, privilege, onSchema: other)
                }))
        }
        for relation in sourceAccess.access.relations {
            let name = targetName(relation)
            guard let other = targetAccess.relation(name, relation.kind) else { continue }
            // The same owner and list under the same names: nothing can be missing (most
            // relations, in a copy that kept its grants).
            if roles.mapping.isEmpty, other.owner == relation.owner, other.acl == relation.acl,
               targetAccess.serverVersion >= sourceAccess.serverVersion { continue }
            let table = relation.kind == .table ? relation.name.name : nil
            objects.append(Object(
                description: relation.name.description, schema: relation.name.schema, table: table,
                word: relation.kind.sqlWord, relation: name,
                sourceGrants: AccessIndex.effective(relation.acl, owner: relation.owner, kind: relation.kind.aclKind,
                                                    serverVersion: version),
                targetHas: { role, privilege, option in
                    option ? targetAccess.hasGrantOption(role, privilege, acl: other.acl, owner: other.owner, kind: other.kind.aclKind)
                        : targetAccess.has(role, privilege, on: other)
                }))
        }
        if shape, let sourceObjects = source.snapshot.schema, let targetObjects = target.snapshot.schema {
            objects += shapeObjects(sourceObjects, targetObjects)
        }
        return objects
    }

    /// Tables, columns, views, functions and types on both sides. A table both sides' access
    /// lists keep (it uses a sequence) is compared above; its columns here.
    private func shapeObjects(_ sourceObjects: SchemaObjects, _ targetObjects: SchemaObjects) -> [Object] {
        var objects: [Object] = []
        for (object, other) in SchemaObjects.privilegedPairs(sourceObjects, targetObjects) {
            if case .table(let name) = object.id, sourceAccess.relation(name, .table) != nil,
               targetAccess.relation(name, .table) != nil { continue }
            // The same owner and list under the same names: nothing can be missing (most
            // objects, in a copy that kept its grants).
            if roles.mapping.isEmpty, other.acl == object.acl, other.owner == object.owner || object.kind == .column,
               targetAccess.serverVersion >= sourceAccess.serverVersion { continue }
            objects.append(Object(
                description: object.id.description, schema: object.id.schema, table: object.id.table,
                word: object.word, relation: nil,
                sourceGrants: object.effective(serverVersion: sourceAccess.serverVersion),
                targetHas: { role, privilege, option in
                    let kind = other.kind
                    if option {
                        return targetAccess.hasGrantOption(role, privilege, acl: other.acl, owner: other.owner, kind: kind)
                            || (kind == .column && targetAccess.hasGrantOption(role, privilege, acl: other.tableACL,
                                                                               owner: other.owner, kind: .table))
                    }
                    // A column's privileges come with the table's.
                    return targetAccess.has(role, privilege, acl: other.acl, owner: other.owner, kind: kind)
                        || (kind == .column && targetAccess.has(role, privilege, acl: other.tableACL, owner: other.owner, kind: .table))
                },
                needed: object.needed, effect: object.effect))
        }
        return objects
    }

    /// The target's name of a source relation: an identity sequence may carry another name.
    private func targetName(_ relation: RelationACL) -> QualifiedName {
        guard relation.kind == .sequence, let sequence = source.sequence(relation.name) else { return relation.name }
        return Differ.counterpart(of: sequence, in: target)?.name ?? relation.name
    }

    func missingPrivileges(rolesMissing: inout [String: Int]) -> [(Object, Missing)] {
        var result: [(Object, Missing)] = []
        for object in objects() {
            var absent = Set<String>()
            let missing = Self.missing(object.sourceGrants, roles: roles, target: targetAccess, absent: &absent,
                                       has: { object.targetHas($0, $1, false) },
                                       hasOption: { object.targetHas($0, $1, true) })
            for role in absent { rolesMissing[role, default: 0] += 1 }
            result += missing.map { (object, $0) }
        }
        return result
    }

    /// The source grants (mapped) that `has` says the target lacks, by target role. Source
    /// roles the target does not have go to `absent`.
    static func missing(
        _ grants: [Grant], roles: RoleMap, target: AccessIndex, absent: inout Set<String>,
        has: (String, String) -> Bool, hasOption: (String, String) -> Bool
    ) -> [Missing] {
        var byRole: [String: Missing] = [:]
        for grant in grants where target.knows(grant.privilege) {
            let role = roles.target(grant.grantee)
            guard role == Grant.publicGrantee || target.role(role) != nil else {
                absent.insert(grant.grantee)
                continue
            }
            let lacks = !has(role, grant.privilege)
            if lacks {
                byRole[role, default: Missing(grantee: role, privileges: [], grantable: [])].privileges.append(grant.privilege)
            }
            if grant.grantable, lacks || !hasOption(role, grant.privilege) {
                byRole[role, default: Missing(grantee: role, privileges: [], grantable: [])].grantable.append(grant.privilege)
            }
        }
        return byRole.keys.sorted().map { byRole[$0]! }
    }

    private func finding(for missing: Missing, on object: Object) -> Finding {
        let role = missing.grantee == Grant.publicGrantee ? "PUBLIC" : missing.grantee
        let what = missing.privileges.isEmpty
            ? "the grant option of \(missing.grantable.joined(separator: ", "))"
            : missing.privileges.joined(separator: ", ")
        let had = "\(role) had \(what) on \(object.word.lowercased()) \(object.description) on the source and lacks it on the target"
        var consequence: String
        switch object.word {
        case "SCHEMA":
            consequence = "\(had): it cannot reach the objects in \(object.description) (permission denied for schema)."
        case "SEQUENCE":
            let writers = missing.privileges.contains("USAGE") || missing.privileges.contains("UPDATE")
                ? tablesDrawing(from: object.relation).filter { insertable(by: missing.grantee, into: $0) } : []
            if let table = writers.first {
                consequence = "\(role) can insert into \(table) but lacks \(what) on its sequence \(object.description): its inserts fail with permission denied."
            } else {
                consequence = "\(had): its nextval() and currval() calls fail with permission denied."
            }
        default:
            consequence = "\(had): its statements that need it fail with permission denied."
        }
        if let effect = object.effect { consequence = "\(had): \(effect)" }
        if missing.privileges.isEmpty { consequence = "\(had): it can no longer pass it on to other roles." }
        let needed = object.needed.map { needed in missing.privileges.contains(where: needed.contains) } ?? true
        return Finding(kind: .privilegeMissing, severity: missing.privileges.isEmpty || !needed ? .warning : .error,
                       object: object.description, schema: object.schema, table: object.table,
                       sourceValue: missing.grantee, targetValue: what, consequence: consequence)
    }

    // MARK: - Default privileges

    private func defaultPrivilegeFindings(rolesMissing: inout [String: Int]) -> [Finding] {
        var targetEntries: [[String]: DefaultACL] = [:]
        for entry in targetAccess.access.defaultPrivileges { targetEntries[entry.sortKey] = entry }
        var findings: [Finding] = []
        for entry in sourceAccess.access.defaultPrivileges {
            let creator = roles.target(entry.role)
            guard targetAccess.role(creator) != nil else {
                rolesMissing[entry.role, default: 0] += 1
                continue
            }
            if let schema = entry.schema, targetAccess.schema(schema) == nil { continue }
            let existing = targetEntries[[creator, entry.schema ?? "", entry.objectType.rawValue]]?.grants ?? []
            let missing = Self.missingDefaults(entry, existing: existing, roles: roles, exists: { targetAccess.role($0) != nil })
            guard !missing.isEmpty else { continue }
            let place = entry.schema.map { " in schema \($0)" } ?? ""
            let list = missing.map { "\($0.privilege) to \($0.grantee == Grant.publicGrantee ? "PUBLIC" : $0.grantee)" }
            findings.append(Finding(
                kind: .defaultPrivilegeMissing, severity: .warning,
                object: "default privileges of \(creator)\(place) on \(entry.objectType.rawValue)",
                schema: entry.schema ?? "", sourceValue: list.joined(separator: ", "), targetValue: nil,
                consequence: "new \(entry.objectType.rawValue) that \(creator) creates\(place) will not grant \(list.joined(separator: ", ")) as they did on the source: roles that used them get permission denied on the next migration's objects."))
        }
        return findings
    }

    /// The source entry's grants (mapped) that the target entry lacks; grants to roles the
    /// target does not have, and a global entry's grants to its own role, are left out.
    static func missingDefaults(_ entry: DefaultACL, existing: [Grant], roles: RoleMap, exists: (String) -> Bool) -> [Grant] {
        let creator = roles.target(entry.role)
        let have = Set(existing.map { [$0.grantee, $0.privilege] })
        return entry.grants.compactMap { grant in
            let grantee = roles.target(grant.grantee)
            guard grantee != creator, grantee == Grant.publicGrantee || exists(grantee),
                  !have.contains([grantee, grant.privilege]) else { return nil }
            return Grant(grantee: grantee, privilege: grant.privilege, grantable: grant.grantable)
        }
    }

    // MARK: - Ready for writes

    /// Tables with a column whose default draws from the sequence, on the target.
    private func tablesDrawing(from sequence: QualifiedName?) -> [QualifiedName] {
        guard let sequence else { return [] }
        return target.columns(drawingFrom: sequence).filter { $0.identity == nil }.map(\.ref.table)
    }

    private func insertable(by role: String, into table: QualifiedName) -> Bool {
        guard let relation = targetAccess.relation(table, .table) else { return false }
        return targetAccess.has(role, "INSERT", on: relation)
    }

    /// For every role that may insert into a table on the target, whether it may use the
    /// sequence each column default draws from: nextval() needs USAGE or UPDATE on it, and
    /// USAGE on its schema. Identity columns need neither.
    func insertFindings() -> [Finding] {
        var findings: [Finding] = []
        let candidates = targetAccess.access.roles.filter { !$0.superuser && !$0.name.hasPrefix("pg_") }.map(\.name)
        for column in target.snapshot.columns where column.identity == nil {
            guard let sequenceName = column.defaultSequence,
                  let table = targetAccess.relation(column.ref.table, .table),
                  let sequence = targetAccess.relation(sequenceName, .sequence) else { continue }
            let schema = targetAccess.schema(sequenceName.schema)
            for role in candidates where targetAccess.has(role, "INSERT", on: table) {
                var lacks: [String] = []
                if !targetAccess.has(role, "USAGE", on: sequence), !targetAccess.has(role, "UPDATE", on: sequence) {
                    lacks.append("USAGE on its sequence \(sequenceName)")
                }
                if let schema, !targetAccess.has(role, "USAGE", onSchema: schema) {
                    lacks.append("USAGE on schema \(sequenceName.schema)")
                }
                guard !lacks.isEmpty else { continue }
                findings.append(Finding(
                    kind: .insertWillFail, severity: .error, object: sequenceName.description,
                    schema: column.ref.table.schema, table: column.ref.table.name, sourceValue: role,
                    targetValue: lacks.joined(separator: ", "),
                    consequence: "\(role) can insert into \(column.ref.table) but lacks \(lacks.joined(separator: " and ")): its inserts fail with permission denied."))
            }
        }
        return findings
    }
}
