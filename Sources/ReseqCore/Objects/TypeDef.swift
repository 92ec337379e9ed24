import PostgresClient

/// A user-defined type: an enum (labels in order), a domain (base type, NOT NULL, default,
/// constraints), a composite (attributes) or a range (subtype). `details` holds those parts as
/// PostgreSQL deparses them, in order.
public struct TypeDef: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        case `enum`, domain, composite, range
    }

    public var name: QualifiedName
    public var kind: Kind
    public var owner: String
    /// Enum: the labels. Domain: `base T`, `NOT NULL`, `DEFAULT e`, `CONSTRAINT c CHECK (…)`.
    /// Composite: `attribute type`. Range: `subtype T`.
    public var details: [String]
    /// How `format_type` names it in a column's type (qualified: reads use search_path pg_catalog).
    public var formatted: String
    public var comment: String?
    /// Its privileges: nil when never granted or revoked (USAGE for its owner and PUBLIC).
    @ACLCoded public var acl: [Grant]?

    public init(name: QualifiedName, kind: Kind, owner: String, details: [String], formatted: String, comment: String? = nil,
                acl: [Grant]? = nil) {
        self.name = name
        self.kind = kind
        self.owner = owner
        self.details = details
        self.formatted = formatted
        self.comment = comment
        self.acl = acl?.sorted()
    }

    var id: ObjectID { .type(name) }

    /// One row per part, in order; a type without parts (an enum without labels) has one row
    /// with a null part. PostgreSQL 17 and later keep a domain's NOT NULL as a constraint
    /// (contype `n`) as well as `typnotnull`: only the latter counts.
    static func query(_ scope: CatalogScope) -> String {
        """
        WITH t AS (
            SELECT t.oid, n.nspname AS schema, t.typname AS name, t.typtype::text AS kind,
                   pg_get_userbyid(t.typowner) AS owner, format_type(t.oid, NULL) AS formatted, d.description AS comment,
                   \(CatalogSQL.aclJSON("t.typacl")) AS acl
            FROM pg_type t
            JOIN pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_class r ON r.oid = t.typrelid
            \(Comment.join("t", "pg_type"))
            WHERE \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("t", "pg_type"))
              AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND r.relkind = 'c'))
        ), part AS (
            SELECT e.enumtypid AS oid, row_number() OVER (PARTITION BY e.enumtypid ORDER BY e.enumsortorder) AS ord,
                   e.enumlabel::text AS line
            FROM pg_enum e
            UNION ALL
            SELECT t.oid, a.attnum, quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
            FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid
            WHERE t.typtype = 'c' AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT t.oid, 0, 'base ' || format_type(t.typbasetype, t.typtypmod) FROM pg_type t WHERE t.typtype = 'd'
            UNION ALL
            SELECT t.oid, 1, 'NOT NULL' FROM pg_type t WHERE t.typtype = 'd' AND t.typnotnull
            UNION ALL
            SELECT t.oid, 2, 'DEFAULT ' || pg_get_expr(t.typdefaultbin, 0) FROM pg_type t
            WHERE t.typtype = 'd' AND t.typdefaultbin IS NOT NULL
            UNION ALL
            SELECT k.contypid, 10 + row_number() OVER (PARTITION BY k.contypid ORDER BY k.conname),
                   'CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid)
            FROM pg_constraint k WHERE k.contypid <> 0 AND k.contype <> 'n'
            UNION ALL
            SELECT r.rngtypid, 0, 'subtype ' || format_type(r.rngsubtype, NULL) FROM pg_range r
        )
        SELECT t.schema, t.name, t.kind, t.owner, t.formatted, t.comment, t.acl, part.line
        FROM t LEFT JOIN part ON part.oid = t.oid
        ORDER BY t.schema, t.name, part.ord
        """
    }

    static func read(_ result: QueryResult, acls: ACLReader) throws -> [TypeDef] {
        var types: [TypeDef] = []
        for row in 0..<result.count {
            let name = QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "name"))
            let line = try result.optionalString(row, "line")
            if types.last?.name == name {
                if let line { types[types.count - 1].details.append(line) }
                continue
            }
            let kind: Kind
            switch try result.string(row, "kind") {
            case "e": kind = .enum
            case "d": kind = .domain
            case "r": kind = .range
            default: kind = .composite
            }
            types.append(TypeDef(name: name, kind: kind, owner: try result.string(row, "owner"),
                                 details: line.map { [$0] } ?? [], formatted: try result.string(row, "formatted"),
                                 comment: try result.optionalString(row, "comment"), acl: try acls.grants(result, row)))
        }
        return types
    }

    static func findings(_ context: ObjectsContext) -> [Finding] {
        let matched = Matched(context.source.types, context.target.types, by: \.name)
        var findings = matched.missing.map {
            Finding(.typeMissing, .error, $0.id, source: $0.summary, target: nil,
                    "type \($0.name) does not exist on the target: columns, casts and functions that use it cannot be created, and values lose its rules.")
        }
        for (source, target) in matched.both {
            if source.kind != target.kind || !source.details.elementsEqual(target.details, by: Definition.same) {
                findings.append(Finding(.typeDiffers, .error, source.id, source: source.summary, target: target.summary,
                                        source.differenceConsequence(target)))
            }
            findings += context.owner(source.id, source.owner, target.owner)
            findings += Comment.findings(source.id, source.comment, target.comment)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .info, $0.id, source: nil, target: $0.summary, "type \($0.name) exists only on the target.")
        }
        return findings
    }

    var summary: String { "\(kind.rawValue) (\(details.joined(separator: ", ")))" }

    private func differenceConsequence(_ target: TypeDef) -> String {
        switch kind {
        case .enum where target.kind == .enum:
            let lost = details.filter { !target.details.contains($0) }
            if !lost.isEmpty {
                return "enum \(name) lacks \(lost.joined(separator: ", ")) on the target: inserting those values fails."
            }
            return "enum \(name) orders or names its labels differently on the target: sorting and comparisons change."
        case .domain:
            return "domain \(name) checks values differently on the target: values the source refused may be accepted, or the reverse."
        default:
            return "type \(name) is defined differently on the target: values are stored or read differently."
        }
    }
}

// MARK: - Rebuilding

extension TypeDef {
    /// Missing types are created from their deparsed parts, each after the types it is made
    /// of; an enum missing labels gets them, in the source's places. Other differences are
    /// not changed in place (a domain's or composite's change can touch every row using it).
    static func steps(_ planner: ShapePlanner, _ owners: inout ShapeOwners, _ unresolved: inout [Finding]) -> [Step] {
        let matched = Matched(planner.source.types, planner.target.types, by: \.name)
        var steps: [Step] = []
        for type in ordered(matched.missing) {
            let object = "type \(type.name)"
            steps.append(planner.step(object, type.createSQL, "creates \(type.kind.rawValue) \(type.name)", .none,
                                      requires: [.create(inSchema: type.name.schema)]))
            steps += planner.comment(object, on: "\(type.sqlWord) \(SQL.qualified(type.name))", type.comment, nil, requires: [])
            owners.add(type.id, type.sqlWord, SQL.qualified(type.name), source: type.owner, target: nil)
        }
        for (type, other) in matched.both {
            let object = "type \(type.name)"
            if type.kind == .enum, other.kind == .enum, !type.details.elementsEqual(other.details) {
                if let added = type.enumAdditions(to: other) {
                    steps += added.map {
                        planner.step(object, $0, "adds the labels enum \(type.name) has on the source", .none,
                                     requires: [.create(inSchema: type.name.schema)])
                    }
                } else {
                    unresolved.append(Finding(.typeDiffers, .error, type.id, source: type.summary, target: other.summary,
                        "enum \(type.name) has labels the source lacks, or orders them differently, on the target; reseq only adds labels. Compare the two and fix it by hand."))
                }
            } else if type.kind != other.kind || !type.details.elementsEqual(other.details, by: Definition.same) {
                unresolved.append(Finding(.typeDiffers, .error, type.id, source: type.summary, target: other.summary,
                    "type \(type.name) is defined differently on the target; reseq does not redefine a type that exists (columns may use it). Fix it by hand."))
            }
            steps += planner.comment(object, on: "\(type.sqlWord) \(SQL.qualified(type.name))", type.comment, other.comment,
                                     requires: [])
            owners.add(type.id, type.sqlWord, SQL.qualified(type.name), source: type.owner, target: other.owner)
        }
        return steps
    }

    var sqlWord: String { kind == .domain ? "DOMAIN" : "TYPE" }

    var createSQL: String {
        let name = SQL.qualified(self.name)
        switch kind {
        case .enum:
            return "CREATE TYPE \(name) AS ENUM (\(details.map(SQL.literal).joined(separator: ", ")));"
        case .composite:
            return "CREATE TYPE \(name) AS (\(details.joined(separator: ", ")));"
        case .range:
            let subtype = details.first { $0.hasPrefix("subtype ") }.map { String($0.dropFirst(8)) } ?? "?"
            return "CREATE TYPE \(name) AS RANGE (subtype = \(subtype));"
        case .domain:
            let base = details.first { $0.hasPrefix("base ") }.map { String($0.dropFirst(5)) } ?? "?"
            let rest = details.filter { !$0.hasPrefix("base ") }
            return "CREATE DOMAIN \(name) AS \(([base] + rest).joined(separator: " "));"
        }
    }

    /// `ALTER TYPE … ADD VALUE` for each label the target lacks, placed as on the source;
    /// nil when the target has labels the source lacks or orders the shared ones differently.
    func enumAdditions(to other: TypeDef) -> [String]? {
        let have = Set(other.details)
        guard details.filter(have.contains) == other.details else { return nil }
        var statements: [String] = []
        // Each after the label before it (there by then); a first label before the target's first.
        for (index, label) in details.enumerated() where !have.contains(label) {
            let place = index > 0 ? " AFTER \(SQL.literal(details[index - 1]))"
                : other.details.first.map { " BEFORE \(SQL.literal($0))" } ?? ""
            statements.append("ALTER TYPE \(SQL.qualified(name)) ADD VALUE IF NOT EXISTS \(SQL.literal(label))\(place);")
        }
        return statements
    }

    /// Each type after those its parts name (a domain over an enum, a composite of domains):
    /// the parts are `format_type` text, which names user types qualified.
    static func ordered(_ types: [TypeDef]) -> [TypeDef] {
        var done = Set<QualifiedName>()
        var result: [TypeDef] = []
        var pending = types
        while !pending.isEmpty {
            let ready = pending.filter { type in
                !pending.contains { other in
                    other.name != type.name && !done.contains(other.name)
                        && type.details.contains { $0.contains(other.formatted) }
                }
            }
            let next = ready.isEmpty ? [pending[0]] : ready  // a cycle: keep the source's order
            for type in next { done.insert(type.name); result.append(type) }
            pending.removeAll { done.contains($0.name) }
        }
        return result
    }
}
