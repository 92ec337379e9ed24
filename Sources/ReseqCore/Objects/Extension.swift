import PostgresClient

/// An installed extension, its version and the schema its objects live in.
public struct ExtensionDef: Codable, Hashable, Sendable {
    public var name: String
    public var version: String
    public var schema: String

    public init(name: String, version: String, schema: String) {
        self.name = name
        self.version = version
        self.schema = schema
    }

    var id: ObjectID { .extension(name) }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT x.extname AS name, x.extversion AS version, n.nspname AS schema
        FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
        """ }

    static func read(_ result: QueryResult) throws -> [ExtensionDef] {
        try (0..<result.count).map { row in
            ExtensionDef(name: try result.string(row, "name"), version: try result.string(row, "version"),
                         schema: try result.string(row, "schema"))
        }
    }

    static func findings(_ context: ObjectsContext) -> [Finding] {
        let matched = Matched(context.source.extensions, context.target.extensions, by: \.name)
        var findings = matched.missing.map {
            Finding(.extensionMissing, .error, $0.id, source: "\($0.name) \($0.version)", target: nil,
                    "extension \($0.name) is not installed on the target: the types, functions and operators it provides are missing.")
        }
        for (source, target) in matched.both {
            if source.version != target.version {
                findings.append(Finding(.extensionDiffers, .warning, source.id, source: source.version, target: target.version,
                    "extension \(source.name) is at version \(target.version) on the target, \(source.version) on the source: its functions may behave differently."))
            }
            if source.schema != target.schema {
                findings.append(Finding(.extensionDiffers, .error, source.id, source: "schema \(source.schema)", target: "schema \(target.schema)",
                    "extension \(source.name) lives in schema \(target.schema) on the target: names qualified with \(source.schema) will not find its objects."))
            }
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .info, $0.id, source: nil, target: "\($0.name) \($0.version)",
                    "extension \($0.name) is installed only on the target.")
        }
        return findings
    }
}
