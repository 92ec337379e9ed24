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

    static func findings(_ context: ObjectsContext) -> [Finding] {
        let matched = Matched(context.source.views, context.target.views, by: \.name)
        var findings: [Finding] = matched.missing.map {
            Finding(.viewMissing, .error, $0.id, source: $0.definition, target: nil,
                    "\($0.word) \($0.name) does not exist on the target: queries and reports that read it fail.")
        }
        for (view, other) in matched.both {
            if view.materialized != other.materialized || !Definition.same(view.definition, other.definition) {
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
