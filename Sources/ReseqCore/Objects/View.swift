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

    public init(name: QualifiedName, materialized: Bool = false, owner: String, definition: String,
                indexes: [IndexDef] = [], comment: String? = nil) {
        self.name = name
        self.materialized = materialized
        self.owner = owner
        self.definition = definition
        self.indexes = indexes.sorted { $0.name < $1.name }
        self.comment = comment
    }

    var id: ObjectID { .view(name) }
    var word: String { materialized ? "materialized view" : "view" }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
               pg_get_userbyid(c.relowner) AS owner, pg_get_viewdef(c.oid) AS definition, d.description AS comment
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        \(Comment.join("c", "pg_class"))
        WHERE c.relkind IN ('v', 'm') AND \(scope.readable("c")) AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """ }

    static func read(_ result: QueryResult) throws -> [ViewDef] {
        try (0..<result.count).map { row in
            ViewDef(name: QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "name")),
                    materialized: try result.bool(row, "materialized"), owner: try result.string(row, "owner"),
                    definition: try result.optionalString(row, "definition") ?? "",
                    comment: try result.optionalString(row, "comment"))
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
