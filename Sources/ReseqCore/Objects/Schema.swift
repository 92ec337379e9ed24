import PostgresClient

/// A schema (namespace) with its owner.
public struct SchemaDef: Codable, Hashable, Sendable {
    public var name: String
    public var owner: String
    public var comment: String?

    public init(name: String, owner: String, comment: String? = nil) {
        self.name = name
        self.owner = owner
        self.comment = comment
    }

    var id: ObjectID { .schema(name) }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner, d.description AS comment
        FROM pg_namespace n
        \(Comment.join("n", "pg_namespace"))
        WHERE \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("n", "pg_namespace"))
        """ }

    static func read(_ result: QueryResult) throws -> [SchemaDef] {
        try (0..<result.count).map { row in
            SchemaDef(name: try result.string(row, "name"), owner: try result.string(row, "owner"),
                      comment: try result.optionalString(row, "comment"))
        }
    }

    static func findings(_ context: ObjectsContext) -> [Finding] {
        let matched = Matched(context.source.schemas, context.target.schemas, by: \.name)
        var findings = matched.missing.map {
            Finding(.schemaMissing, .error, $0.id, source: $0.name, target: nil,
                    "schema \($0.name) does not exist on the target: nothing in it can be created or found.")
        }
        for (source, target) in matched.both {
            findings += context.owner(source.id, source.owner, target.owner)
            findings += Comment.findings(source.id, source.comment, target.comment)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .info, $0.id, source: nil, target: $0.name,
                    "schema \($0.name) exists only on the target.")
        }
        return findings
    }
}
