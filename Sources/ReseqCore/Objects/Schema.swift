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

// MARK: - Rebuilding

extension SchemaDef {
    /// A missing schema is created (its owner set with the other owners, last).
    static func steps(_ planner: ShapePlanner, _ owners: inout ShapeOwners) -> [Step] {
        let matched = Matched(planner.source.schemas, planner.target.schemas, by: \.name)
        var steps: [Step] = []
        for schema in matched.missing {
            let object = "schema \(schema.name)"
            steps.append(planner.step(object, "CREATE SCHEMA IF NOT EXISTS \(SQL.identifier(schema.name));",
                                      "creates schema \(schema.name)", .none, requires: [.createSchema]))
            steps += planner.comment(object, on: "SCHEMA \(SQL.identifier(schema.name))", schema.comment, nil, requires: [])
            owners.add(schema.id, "SCHEMA", SQL.identifier(schema.name), source: schema.owner, target: nil)
        }
        for (schema, other) in matched.both {
            steps += planner.comment("schema \(schema.name)", on: "SCHEMA \(SQL.identifier(schema.name))", schema.comment,
                                     other.comment, requires: [.schemaOwner(schema.name)])
            owners.add(schema.id, "SCHEMA", SQL.identifier(schema.name), source: schema.owner, target: other.owner)
        }
        return steps
    }
}
