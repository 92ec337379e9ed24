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

// MARK: - Rebuilding

extension ExtensionDef {
    /// A missing extension is created at the source's version, in the source's schema. One of
    /// another version is not changed: an extension's update scripts are not always
    /// reversible, and a newer one may be what the managed server offers.
    static func steps(_ planner: ShapePlanner, _ unresolved: inout [Finding]) -> [Step] {
        let matched = Matched(planner.source.extensions, planner.target.extensions, by: \.name)
        var steps: [Step] = []
        for ext in matched.missing {
            if let offered = planner.unavailableExtensions[ext.name] {
                let versions = offered.isEmpty ? "does not offer it at all" : "offers only \(offered.joined(separator: ", "))"
                unresolved.append(Finding(.extensionMissing, .error, ext.id, source: ext.version, target: nil,
                    "extension \(ext.name) \(ext.version) is missing and the target \(versions): what uses it cannot be rebuilt. Install it on the server (on RDS: a supported version, or the nearest, via the parameter group's allow-list), or create it at an offered version yourself, then run reconcile again."))
                continue
            }
            steps.append(planner.step("extension \(ext.name)",
                "CREATE EXTENSION IF NOT EXISTS \(SQL.identifier(ext.name)) WITH SCHEMA \(SQL.identifier(ext.schema)) VERSION \(SQL.literal(ext.version));",
                "creates extension \(ext.name) \(ext.version)", .none, requires: [.createSchema], hazards: [.extension]))
        }
        for (ext, other) in matched.both where ext.version != other.version {
            unresolved.append(Finding(.extensionDiffers, .warning, ext.id, source: ext.version, target: other.version,
                "extension \(ext.name) is version \(other.version) on the target, \(ext.version) on the source; reseq does not change an extension's version. If the application needs \(ext.version), run ALTER EXTENSION \(SQL.identifier(ext.name)) UPDATE TO \(SQL.literal(ext.version)); where the server offers it."))
        }
        return steps
    }
}
