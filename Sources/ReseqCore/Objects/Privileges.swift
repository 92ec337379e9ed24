/// The privileges of the shape's objects: tables, their columns, views and materialized views,
/// functions, procedures and aggregates, types and domains. Each keeps its access list
/// (`acl`, nil for the default); this is what they share: how an object's list is named and
/// compared, and the GRANT and REVOKE steps that give the target the source's.
struct PrivilegedObject {
    var id: ObjectID
    var kind: ACLKind
    /// The kind as people and GRANT name it: TABLE, VIEW, MATERIALIZED VIEW, FUNCTION,
    /// PROCEDURE, TYPE, DOMAIN, COLUMN.
    var word: String
    var owner: String
    var acl: [Grant]?
    /// For a column: its table's list, whose privileges count for every column.
    var tableACL: [Grant]?
    /// Privileges an application reads and writes with: a role lacking one of them fails.
    var needed: Set<String>
    /// What a role lacking the privileges can no longer do, for a finding's sentence.
    var effect: String

    static let dataPrivileges: Set<String> = ["SELECT", "INSERT", "UPDATE", "DELETE"]

    init(table: TableDef) {
        id = table.id
        kind = .table
        word = "TABLE"
        owner = table.owner
        acl = table.acl
        needed = Self.dataPrivileges
        effect = "its queries and writes that need it fail with permission denied."
    }

    init(column: ColumnDef, of table: TableDef) {
        id = .column(table.name, column.name)
        kind = .column
        word = "COLUMN"
        owner = table.owner
        acl = column.acl
        tableACL = table.acl
        needed = Self.dataPrivileges
        effect = "its queries and writes that name the column fail with permission denied."
    }

    init(view: ViewDef) {
        id = view.id
        kind = .table
        word = view.materialized ? "MATERIALIZED VIEW" : "VIEW"
        owner = view.owner
        acl = view.acl
        needed = Self.dataPrivileges
        effect = "its queries on it fail with permission denied."
    }

    init(function: FunctionDef) {
        id = function.id
        kind = .function
        word = function.sqlWord == "PROCEDURE" ? "PROCEDURE" : "FUNCTION"
        owner = function.owner
        acl = function.acl
        needed = ["EXECUTE"]
        effect = "its calls fail with permission denied."
    }

    init(type: TypeDef) {
        id = type.id
        kind = .type
        word = type.sqlWord
        owner = type.owner
        acl = type.acl
        needed = ["USAGE"]
        effect = "its statements that name the type (casts, new columns, functions) fail with permission denied."
    }

    /// The list as `aclexplode(coalesce(acl, acldefault(…)))` lists it.
    func effective(serverVersion: Int) -> [Grant] {
        AccessIndex.effective(acl, owner: owner, kind: kind, serverVersion: serverVersion)
    }

    /// What GRANT names: `TABLE "s"."t"` (a view's too, and a column's table),
    /// `FUNCTION "s"."f"(integer)`, `TYPE "s"."t"`.
    var target: String {
        switch id {
        case .table(let name), .view(let name), .column(let name, _): return "TABLE \(SQL.qualified(name))"
        case .function(let name, let arguments): return "\(word) \(SQL.qualified(name))(\(arguments))"
        case .type(let name): return "\(word) \(SQL.qualified(name))"
        case .schema, .extension, .constraint, .index, .trigger, .policy: return id.description  // none is made here
        }
    }

    /// `SELECT ("c")` for a column, else the privilege as it is.
    func sql(_ privilege: String) -> String {
        guard case .column(_, let column) = id else { return privilege }
        return "\(privilege) (\(SQL.identifier(column)))"
    }

    /// The object as it will be once its owner is `owner`: ALTER … OWNER TO gives the new owner
    /// what the list gave the old one (`aclnewowner`); a default list stays the default.
    func owned(by owner: String) -> PrivilegedObject {
        var object = self
        object.owner = owner
        let rename = { (acl: [Grant]?) in
            acl.map { list in
                Array(Set(list.map { $0.grantee == self.owner ? Grant(grantee: owner, privilege: $0.privilege, grantable: $0.grantable) : $0 })).sorted()
            }
        }
        object.acl = rename(acl)
        object.tableACL = rename(tableACL)
        return object
    }
}

extension SchemaObjects {
    /// The privileged objects of both shapes that exist on both sides, source first. Columns
    /// only where the source granted on the column itself (by default nobody has any).
    static func privilegedPairs(_ source: SchemaObjects, _ target: SchemaObjects)
        -> [(source: PrivilegedObject, target: PrivilegedObject)]
    {
        var pairs: [(source: PrivilegedObject, target: PrivilegedObject)] = []
        for (table, other) in Matched(source.tables, target.tables, by: \.name).both {
            pairs.append((PrivilegedObject(table: table), PrivilegedObject(table: other)))
            for column in table.columns where column.acl != nil {
                guard let current = other.columns.first(where: { $0.name == column.name }) else { continue }
                pairs.append((PrivilegedObject(column: column, of: table), PrivilegedObject(column: current, of: other)))
            }
        }
        for (view, other) in Matched(source.views, target.views, by: \.name).both {
            pairs.append((PrivilegedObject(view: view), PrivilegedObject(view: other)))
        }
        for (function, other) in Matched(source.functions, target.functions, by: \.id).both {
            pairs.append((PrivilegedObject(function: function), PrivilegedObject(function: other)))
        }
        for (type, other) in Matched(source.types, target.types, by: \.name).both {
            pairs.append((PrivilegedObject(type: type), PrivilegedObject(type: other)))
        }
        return pairs
    }
}

// MARK: - Rebuilding

/// GRANT and REVOKE for the shape's objects, after the owners' steps: each object's list is
/// computed for the owner it will have by then. What the target lacks of the source's list
/// is granted (WITH GRANT OPTION where the source has it). An object the plan creates starts
/// with the default list, so what that gives and the source's does not is revoked (pg_dump's
/// `REVOKE ALL ON FUNCTION … FROM PUBLIC`). On objects that were there already, privileges the
/// source does not have are left alone: reseq adds what the copy lost, it does not take away
/// what someone granted on the target.
struct ShapePrivileges {
    let roles: RoleMap
    let sourceAccess: AccessIndex
    let targetAccess: AccessIndex

    /// The steps for one object: `source` as on the source, `current` the target's (nil when
    /// the plan creates it), `owner` its owner on the target once the owners' steps have run.
    func steps(_ source: PrivilegedObject, current: PrivilegedObject?, owner: String, object: String,
               lock: Step.Lock) -> [Step] {
        // Nothing to give: the same owner and list under the same names (most objects).
        if let current, roles.mapping.isEmpty, current.owner == owner, source.owner == owner, current.acl == source.acl,
           targetAccess.serverVersion >= sourceAccess.serverVersion { return [] }
        var final = current?.owned(by: owner) ?? source
        if current == nil {
            final.owner = owner
            final.acl = nil  // what the plan creates starts with the default list
        }
        let wanted = source.effective(serverVersion: sourceAccess.serverVersion)
        let have = final.effective(serverVersion: targetAccess.serverVersion)
        // Entries, not effective rights: pg_dump lists entries, and a role that may act
        // through another's membership still lacks its own grant.
        let entries = Set(have.map { [$0.grantee, $0.privilege] })
        let options = Set(have.filter(\.grantable).map { [$0.grantee, $0.privilege] })
        var absent = Set<String>()
        let missing = AccessDiff.missing(
            wanted, roles: roles, target: targetAccess, absent: &absent,
            has: { entries.contains([$0, $1]) },
            // An owner holds the grant options of its own privileges; none can be granted to it.
            hasOption: { $0 == owner || options.contains([$0, $1]) })
        let requires: [Step.Requirement] = [.rightsOf(owner)]
        var steps = missing.flatMap { missing in
            var missing = missing
            missing.privileges = missing.privileges.map(source.sql)
            missing.grantable = missing.grantable.map(source.sql)
            return AccessPlanner.grantSteps(for: missing, on: source.target, what: "\(source.word.lowercased()) \(source.id)",
                                            object: object, lock: lock, requires: requires)
        }
        guard current == nil else { return steps }
        // The source's owner is this one, mapped or not (a missing role leaves the creator owning it).
        let kept = Set(wanted.map { [$0.grantee == source.owner ? owner : roles.target($0.grantee), $0.privilege] })
        let extra = have.filter { !kept.contains([$0.grantee, $0.privilege]) && sourceAccess.knows($0.privilege) }
        for (grantee, grants) in Dictionary(grouping: extra, by: \.grantee).sorted(by: { $0.key < $1.key }) {
            let list = grants.map { source.sql($0.privilege) }.sorted().joined(separator: ", ")
            steps.append(Step(object: object, sql: "REVOKE \(list) ON \(source.target) FROM \(AccessPlanner.grantee(grantee));",
                              fixes: "takes \(list) on \(source.word.lowercased()) \(source.id) from \(grantee == Grant.publicGrantee ? "PUBLIC" : grantee), as on the source",
                              lock: lock, requires: requires, hazards: [.authorization]))
        }
        return steps
    }
}
