import Foundation
import PostgresClient

/// A view or materialized view, as `pg_get_viewdef` prints it, with its owner and (for a
/// materialized view) its indexes.
public struct ViewDef: Codable, Hashable, Sendable {
    public var name: QualifiedName
    public var materialized: Bool
    public var owner: String
    public var definition: String
    public var indexes: [IndexDef]
    public var comment: String?
    /// Its privileges: nil when never granted or revoked (the owner's alone).
    @ACLCoded public var acl: [Grant]?

    public init(name: QualifiedName, materialized: Bool = false, owner: String, definition: String,
                indexes: [IndexDef] = [], comment: String? = nil, acl: [Grant]? = nil) {
        self.name = name
        self.materialized = materialized
        self.owner = owner
        self.definition = definition
        self.indexes = indexes.sorted { $0.name < $1.name }
        self.comment = comment
        self.acl = acl?.sorted()
    }

    var id: ObjectID { .view(name) }
    var word: String { materialized ? "materialized view" : "view" }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
               pg_get_userbyid(c.relowner) AS owner, pg_get_viewdef(c.oid) AS definition, d.description AS comment,
               \(CatalogSQL.aclJSON("c.relacl")) AS acl
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        \(Comment.join("c", "pg_class"))
        WHERE c.relkind IN ('v', 'm') AND \(scope.readable("c")) AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """ }

    static func read(_ result: QueryResult, acls: ACLReader) throws -> [ViewDef] {
        try (0..<result.count).map { row in
            ViewDef(name: QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "name")),
                    materialized: try result.bool(row, "materialized"), owner: try result.string(row, "owner"),
                    definition: try result.optionalString(row, "definition") ?? "",
                    comment: try result.optionalString(row, "comment"), acl: try acls.grants(result, row))
        }
    }

    /// PostgreSQL 16 stopped qualifying columns with their relation where the query reads only
    /// one (`customers.id` became `id`): both sides are compared with every qualifier that names
    /// a relation of the FROM list taken out. A schema name (`public.customers`) stays.
    static func sameQuery(_ a: String, _ b: String) -> Bool {
        if Definition.same(a, b) { return true }
        return Definition.normalized(unqualified(a)) == Definition.normalized(unqualified(b))
    }

    private static let relation = try! NSRegularExpression(
        pattern: #"(?:FROM|JOIN)\s+(?:[A-Za-z_][A-Za-z0-9_$]*\.)?([A-Za-z_][A-Za-z0-9_$]*)(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_$]*))?"#)

    static func unqualified(_ text: String) -> String {
        let whole = NSRange(text.startIndex..., in: text)
        var names = Set<String>()
        for match in relation.matches(in: text, range: whole) {
            for group in 1...2 {
                if let range = Range(match.range(at: group), in: text) { names.insert(String(text[range])) }
            }
        }
        names.subtract(["WHERE", "GROUP", "ORDER", "JOIN", "LEFT", "RIGHT", "INNER", "ON", "LIMIT", "UNION", "HAVING", "CROSS", "FULL"])
        var result = text
        for name in names {
            let escaped = NSRegularExpression.escapedPattern(for: name)
            guard let pattern = try? NSRegularExpression(pattern: #"(?<![A-Za-z0-9_$."])"# + escaped + #"\.(?=[A-Za-z_"])"#) else { continue }
            result = pattern.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "")
        }
        return result
    }

    static func findings(_ context: ObjectsContext) -> [Finding] {
        let matched = Matched(context.source.views, context.target.views, by: \.name)
        var findings: [Finding] = matched.missing.map {
            Finding(.viewMissing, .error, $0.id, source: $0.definition, target: nil,
                    "\($0.word) \($0.name) does not exist on the target: queries and reports that read it fail.")
        }
        for (view, other) in matched.both {
            if view.materialized != other.materialized || !Self.sameQuery(view.definition, other.definition) {
                findings.append(Finding(.viewDiffers, .error, view.id, source: view.definition, target: other.definition,
                    view.materialized != other.materialized
                        ? "\(view.name) is a \(other.word) on the target, a \(view.word) on the source: it \(other.materialized ? "shows data as of its last refresh" : "is computed on every read")."
                        : "\(view.word) \(view.name) returns other rows or columns on the target."))
            }
            findings += context.owner(view.id, view.owner, other.owner)
            findings += Comment.findings(view.id, view.comment, other.comment)
            findings += IndexDef.findings(on: view.name, estimatedRows: 0, source: view.indexes, target: other.indexes)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .info, $0.id, source: nil, target: $0.definition, "\($0.word) \($0.name) exists only on the target.")
        }
        return findings
    }
}

// MARK: - Rebuilding

extension ViewDef {
    /// Missing views and materialized views are created from `pg_get_viewdef`, each after the
    /// views it reads; a materialized view is filled (its query runs) and gets its indexes.
    /// A view that differs is replaced (CREATE OR REPLACE: it keeps its dependents).
    static func steps(_ planner: ShapePlanner, _ owners: inout ShapeOwners) -> [Step] {
        let matched = Matched(planner.source.views, planner.target.views, by: \.name)
        var steps: [Step] = []
        var indexes: [Step] = []
        let differing = matched.both.filter { view, other in
            view.materialized == other.materialized && !sameQuery(view.definition, other.definition) && !view.materialized
        }
        // A view reading a table still to be rebuilt would keep it from being dropped.
        let waiting = planner.occupied.map(ViewDef.reference)
        for view in ordered(matched.missing + differing.map(\.source)) where !waiting.contains(where: view.definition.contains) {
            let object = "\(view.word) \(view.name)"
            let replacing = matched.both.contains { $0.source.name == view.name }
            let query = SQL.statement(view.definition).dropLast()
            if view.materialized {
                steps.append(planner.step(object, "CREATE MATERIALIZED VIEW \(SQL.qualified(view.name)) AS \(query) WITH DATA;",
                    "creates and fills materialized view \(view.name)", .accessExclusive(view.name),
                    requires: [.create(inSchema: view.name.schema)],
                    hazards: [.validationScan]))
            } else {
                steps.append(planner.step(object, "CREATE OR REPLACE VIEW \(SQL.qualified(view.name)) AS \(query);",
                    "\(replacing ? "replaces" : "creates") view \(view.name)", replacing ? .accessExclusive(view.name) : .none,
                    requires: replacing ? [.owner(view.name, .table)] : [.create(inSchema: view.name.schema)]))
            }
            if !replacing {
                steps += planner.comment(object, on: "\(view.sqlWord) \(SQL.qualified(view.name))", view.comment, nil, requires: [])
                owners.add(view.id, view.sqlWord, SQL.qualified(view.name), source: view.owner, target: nil)
            }
            indexes += IndexDef.steps(view.name, view.indexes, [], partitioned: false, rows: 0, planner)
        }
        for (view, other) in matched.both {
            indexes += IndexDef.steps(view.name, view.indexes, other.indexes, partitioned: false, rows: 0, planner)
            if !differing.contains(where: { $0.source.name == view.name }) {
                steps += planner.comment("\(view.word) \(view.name)", on: "\(view.sqlWord) \(SQL.qualified(view.name))",
                                         view.comment, other.comment, requires: [.owner(view.name, .table)])
            }
            owners.relation(view.id, view.sqlWord, view.name, source: view.owner, target: other.owner)
        }
        return steps + indexes
    }

    var sqlWord: String { materialized ? "MATERIALIZED VIEW" : "VIEW" }

    /// How a deparsed definition names a relation: `schema.name`, each quoted where needed.
    static func reference(_ name: QualifiedName) -> String {
        let quote = { (part: String) in
            part.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } && !(part.first?.isNumber ?? true)
                ? part : SQL.identifier(part)
        }
        return "\(quote(name.schema)).\(quote(name.name))"
    }

    /// Each view after the views it reads. Definitions are deparsed with search_path
    /// pg_catalog, so every view they read is named `schema.name` (quoted as needed).
    static func ordered(_ views: [ViewDef]) -> [ViewDef] {
        var done = Set<QualifiedName>()
        var result: [ViewDef] = []
        var pending = views
        while !pending.isEmpty {
            let ready = pending.filter { view in
                !pending.contains { other in
                    other.name != view.name && view.definition.contains(reference(other.name))
                }
            }
            let next = ready.isEmpty ? [pending[0]] : ready
            for view in next { done.insert(view.name); result.append(view) }
            pending.removeAll { done.contains($0.name) }
        }
        return result
    }
}
