/// Who may do what: the roles of the cluster, and the privileges on the schemas, the sequences
/// and the tables that use them, with the default privileges. What "ready for writes" rests on
/// for the application's own role.
public struct Access: Codable, Hashable, Sendable {
    /// Every role of the cluster, sorted by name.
    public var roles: [RoleInfo]
    /// Every user schema the snapshot covers, sorted by name.
    public var schemas: [SchemaACL]
    /// The snapshot's sequences and the tables of its columns, sorted by kind and name.
    public var relations: [RelationACL]
    /// `ALTER DEFAULT PRIVILEGES` entries, sorted.
    public var defaultPrivileges: [DefaultACL]

    public init(roles: [RoleInfo], schemas: [SchemaACL], relations: [RelationACL], defaultPrivileges: [DefaultACL]) {
        self.roles = roles.sorted { $0.name < $1.name }
        self.schemas = schemas.sorted { $0.name < $1.name }
        self.relations = relations.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }
        self.defaultPrivileges = defaultPrivileges.sorted { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
    }
}

/// One privilege given to one role (or to PUBLIC), as `aclexplode` lists it.
public struct Grant: Codable, Hashable, Comparable, Sendable {
    /// The role, or `public` for PUBLIC: PostgreSQL reserves that name, so no role has it.
    public var grantee: String
    /// As PostgreSQL names it: `SELECT`, `INSERT`, `USAGE`, `CREATE`, …
    public var privilege: String
    /// WITH GRANT OPTION.
    public var grantable: Bool

    public static let publicGrantee = "public"

    public init(grantee: String, privilege: String, grantable: Bool = false) {
        self.grantee = grantee
        self.privilege = privilege
        self.grantable = grantable
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.grantee, lhs.privilege, lhs.grantable ? 1 : 0) < (rhs.grantee, rhs.privilege, rhs.grantable ? 1 : 0)
    }
}

/// An access list as files keep it: one entry per grantee, its privileges as SQL lists them
/// (`DELETE, INSERT, SELECT`). A table granted to a few roles is then a few lines, not a
/// dozen objects: at 10,000 tables that made snapshot files three times smaller.
struct ACLEntry: Codable, Hashable, Sendable {
    var grantee: String
    var privileges: String
    /// The privileges it may grant on (WITH GRANT OPTION); absent when none.
    var withGrantOption: String?

    static func entries(_ grants: [Grant]) -> [ACLEntry] {
        var order: [String] = []
        var byGrantee: [String: [Grant]] = [:]
        for grant in grants {
            if byGrantee[grant.grantee] == nil { order.append(grant.grantee) }
            byGrantee[grant.grantee, default: []].append(grant)
        }
        return order.sorted().map { grantee in
            let list = byGrantee[grantee]!
            let options = list.filter(\.grantable).map(\.privilege).sorted()
            return ACLEntry(grantee: grantee, privileges: list.map(\.privilege).sorted().joined(separator: ", "),
                            withGrantOption: options.isEmpty ? nil : options.joined(separator: ", "))
        }
    }

    /// `split` turns a list into its privileges; a reader of many files passes one that
    /// remembers, since most lists repeat (a third of reading a 10,000-table file).
    static func grants(_ entries: [ACLEntry], split: (String) -> [String] = ACLEntry.split) -> [Grant] {
        var grants: [Grant] = []
        for entry in entries {
            let options = entry.withGrantOption.map(split) ?? []
            for privilege in split(entry.privileges) {
                grants.append(Grant(grantee: entry.grantee, privilege: privilege, grantable: options.contains(privilege)))
            }
        }
        // Files hold them in order; a file edited by hand may not.
        return zip(grants, grants.dropFirst()).allSatisfy { $0 <= $1 } ? grants : grants.sorted()
    }

    static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.drop(while: { $0 == " " })) }.filter { !$0.isEmpty }
    }
}

/// A role, whether it bypasses privileges, and the roles whose privileges it has without
/// `SET ROLE` (memberships with INHERIT).
public struct RoleInfo: Codable, Hashable, Sendable {
    public var name: String
    public var superuser: Bool
    /// Direct memberships it inherits privileges through, sorted.
    public var inherits: [String]

    public init(name: String, superuser: Bool = false, inherits: [String] = []) {
        self.name = name
        self.superuser = superuser
        self.inherits = inherits.sorted()
    }
}

/// The kinds of relation whose privileges a snapshot keeps.
public enum RelationKind: String, Codable, Hashable, Sendable {
    case sequence
    case table

    /// The word GRANT and ALTER DEFAULT PRIVILEGES use.
    var sqlWord: String { self == .sequence ? "SEQUENCE" : "TABLE" }

    var aclKind: ACLKind { self == .sequence ? .sequence : .table }
}

/// What an access list belongs to, which decides what an object that never had one grants
/// (`acldefault`): views and materialized views are tables here, procedures and aggregates
/// functions, domains types.
public enum ACLKind: Hashable, Sendable {
    case schema, sequence, table, column, function, type
}

/// A table's or a sequence's owner and access list.
public struct RelationACL: Codable, Hashable, Sendable {
    public var name: QualifiedName
    public var kind: RelationKind
    public var owner: String
    /// `nil`: never granted or revoked, so only the owner has privileges (the default).
    public var acl: [Grant]?

    public init(name: QualifiedName, kind: RelationKind, owner: String, acl: [Grant]?) {
        self.name = name
        self.kind = kind
        self.owner = owner
        self.acl = acl?.sorted()
    }

    private enum CodingKeys: String, CodingKey { case name, kind, owner, acl }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(QualifiedName.self, forKey: .name)
        kind = try c.decode(RelationKind.self, forKey: .kind)
        owner = try c.decode(String.self, forKey: .owner)
        acl = try c.decodeIfPresent([ACLEntry].self, forKey: .acl).map { ACLEntry.grants($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(owner, forKey: .owner)
        try c.encodeIfPresent(acl.map(ACLEntry.entries), forKey: .acl)
    }
}

/// A schema's owner and access list (`nil`: the default, the owner's alone).
public struct SchemaACL: Codable, Hashable, Sendable {
    public var name: String
    public var owner: String
    public var acl: [Grant]?

    public init(name: String, owner: String, acl: [Grant]?) {
        self.name = name
        self.owner = owner
        self.acl = acl?.sorted()
    }

    private enum CodingKeys: String, CodingKey { case name, owner, acl }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        owner = try c.decode(String.self, forKey: .owner)
        acl = try c.decodeIfPresent([ACLEntry].self, forKey: .acl).map { ACLEntry.grants($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(owner, forKey: .owner)
        try c.encodeIfPresent(acl.map(ACLEntry.entries), forKey: .acl)
    }
}

/// What objects a role creates will grant from the start (`ALTER DEFAULT PRIVILEGES`).
public struct DefaultACL: Codable, Hashable, Sendable {
    public enum ObjectType: String, Codable, Hashable, Sendable, CaseIterable {
        case tables, sequences, functions, types, schemas

        /// `pg_default_acl.defaclobjtype`.
        init?(catalogCode: String) {
            switch catalogCode {
            case "r": self = .tables
            case "S": self = .sequences
            case "f": self = .functions
            case "T": self = .types
            case "n": self = .schemas
            default: return nil
            }
        }
    }

    /// The role whose new objects get these privileges.
    public var role: String
    /// `nil`: in every schema.
    public var schema: String?
    public var objectType: ObjectType
    public var grants: [Grant]

    public init(role: String, schema: String?, objectType: ObjectType, grants: [Grant]) {
        self.role = role
        self.schema = schema
        self.objectType = objectType
        self.grants = grants.sorted()
    }

    var sortKey: [String] { [role, schema ?? "", objectType.rawValue] }

    private enum CodingKeys: String, CodingKey { case role, schema, objectType, grants }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        schema = try c.decodeIfPresent(String.self, forKey: .schema)
        objectType = try c.decode(ObjectType.self, forKey: .objectType)
        grants = ACLEntry.grants(try c.decode([ACLEntry].self, forKey: .grants))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(schema, forKey: .schema)
        try c.encode(objectType, forKey: .objectType)
        try c.encode(ACLEntry.entries(grants), forKey: .grants)
    }
}

extension Snapshot {
    /// `nil` for files written before privileges were kept (format 1).
    public var accessIndex: AccessIndex? { access.map { AccessIndex($0, serverVersion: database.serverVersionNumber) } }
}

/// Effective privileges over an `Access`: ownership, grants, PUBLIC, inherited memberships
/// and superusers, as PostgreSQL checks them.
public struct AccessIndex: Sendable {
    public let access: Access
    let serverVersion: Int
    private let roles: [String: RoleInfo]
    private let relations: [RelationKind: [QualifiedName: RelationACL]]
    private let schemas: [String: SchemaACL]
    /// Each role's `inheritedRoles`, computed once: few roles, many questions.
    private let closures: [String: Set<String>]

    public init(_ access: Access, serverVersion: Int) {
        self.access = access
        self.serverVersion = serverVersion
        roles = Dictionary(access.roles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var relations: [RelationKind: [QualifiedName: RelationACL]] = [:]
        for relation in access.relations { relations[relation.kind, default: [:]][relation.name] = relation }
        self.relations = relations
        schemas = Dictionary(access.schemas.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let roles = self.roles
        closures = Dictionary(access.roles.map { ($0.name, Self.closure(of: $0.name, roles)) },
                              uniquingKeysWith: { first, _ in first })
    }

    public func role(_ name: String) -> RoleInfo? { roles[name] }
    public func relation(_ name: QualifiedName, _ kind: RelationKind) -> RelationACL? { relations[kind]?[name] }
    public func schema(_ name: String) -> SchemaACL? { schemas[name] }

    /// What an owner holds when nobody granted or revoked anything: `acldefault`.
    static func ownerPrivileges(_ kind: ACLKind, serverVersion: Int) -> [String] {
        switch kind {
        case .sequence: return ["SELECT", "UPDATE", "USAGE"]
        case .table:
            // MAINTAIN is PostgreSQL 17's.
            return ["DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"]
                + (serverVersion >= 170000 ? ["MAINTAIN"] : [])
        case .schema: return ["CREATE", "USAGE"]
        case .column: return []  // a column has only what is granted on it
        case .function: return ["EXECUTE"]
        case .type: return ["USAGE"]
        }
    }

    /// What PUBLIC holds when nobody granted or revoked anything: EXECUTE on functions and
    /// procedures, USAGE on types.
    static func publicPrivileges(_ kind: ACLKind) -> [String] {
        switch kind {
        case .function: return ["EXECUTE"]
        case .type: return ["USAGE"]
        case .schema, .sequence, .table, .column: return []
        }
    }

    /// The access list as `aclexplode(coalesce(acl, acldefault(…)))` would list it.
    static func effective(_ acl: [Grant]?, owner: String, kind: ACLKind, serverVersion: Int) -> [Grant] {
        if let acl { return acl }
        let owners = ownerPrivileges(kind, serverVersion: serverVersion).map { Grant(grantee: owner, privilege: $0) }
        return owners + publicPrivileges(kind).map { Grant(grantee: Grant.publicGrantee, privilege: $0) }
    }

    /// The role and every role whose privileges it inherits, transitively.
    public func inheritedRoles(of name: String) -> Set<String> {
        closures[name] ?? Self.closure(of: name, roles)
    }

    private static func closure(of name: String, _ roles: [String: RoleInfo]) -> Set<String> {
        var seen: Set<String> = [name]
        var queue = [name]
        while let next = queue.popLast() {
            for parent in roles[next]?.inherits ?? [] where seen.insert(parent).inserted { queue.append(parent) }
        }
        return seen
    }

    /// True when `role` may use `privilege` on an object with this owner and list.
    func has(_ role: String, _ privilege: String, acl: [Grant]?, owner: String, kind: ACLKind) -> Bool {
        if roles[role]?.superuser == true { return true }
        let mine = inheritedRoles(of: role)
        // An owner holds the grant options of the owner's privileges, even after revoking them.
        let list = Self.effective(acl, owner: owner, kind: kind, serverVersion: serverVersion)
        return list.contains { $0.privilege == privilege && ($0.grantee == Grant.publicGrantee || mine.contains($0.grantee)) }
    }

    /// True when `role` may pass `privilege` on: the owner, or WITH GRANT OPTION.
    func hasGrantOption(_ role: String, _ privilege: String, acl: [Grant]?, owner: String, kind: ACLKind) -> Bool {
        if roles[role]?.superuser == true { return true }
        let mine = inheritedRoles(of: role)
        if mine.contains(owner) { return true }
        return (acl ?? []).contains { $0.privilege == privilege && $0.grantable && mine.contains($0.grantee) }
    }

    public func has(_ role: String, _ privilege: String, on relation: RelationACL) -> Bool {
        has(role, privilege, acl: relation.acl, owner: relation.owner, kind: relation.kind.aclKind)
    }

    public func has(_ role: String, _ privilege: String, onSchema schema: SchemaACL) -> Bool {
        has(role, privilege, acl: schema.acl, owner: schema.owner, kind: .schema)
    }

    /// Privileges a target of this version knows (MAINTAIN only from 17 on).
    func knows(_ privilege: String) -> Bool {
        privilege != "MAINTAIN" || serverVersion >= 170000
    }
}

/// Roles named differently on the target (`--map-role SOURCE=TARGET`).
public struct RoleMap: Hashable, Sendable {
    public var mapping: [String: String]

    public init(_ mapping: [String: String] = [:]) { self.mapping = mapping }

    /// The target's name for a source role; PUBLIC stays PUBLIC.
    public func target(_ role: String) -> String {
        role == Grant.publicGrantee ? role : mapping[role] ?? role
    }

    /// Parses `SOURCE=TARGET`; nil when either side is empty.
    public static func pair(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let source = String(text[..<equals]), target = String(text[text.index(after: equals)...])
        guard !source.isEmpty, !target.isEmpty else { return nil }
        return (source, target)
    }
}
