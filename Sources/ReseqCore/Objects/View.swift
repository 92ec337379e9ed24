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
    /// A materialized view filled by its last refresh (false: created WITH NO DATA).
    public var populated = true
    /// The tables, views and materialized views its query reads (`pg_depend` of its rewrite
    /// rule), sorted: what must exist before it is created.
    public var dependsOn: [QualifiedName] = []
    /// Its privileges: nil when never granted or revoked (the owner's alone).
    @ACLCoded public var acl: [Grant]?

    public init(name: QualifiedName, materialized: Bool = false, owner: String, definition: String,
                indexes: [IndexDef] = [], comment: String? = nil, dependsOn: [QualifiedName] = [], acl: [Grant]? = nil) {
        self.name = name
        self.materialized = materialized
        self.owner = owner
        self.definition = definition
        self.indexes = indexes.sorted { $0.name < $1.name }
        self.comment = comment
        self.dependsOn = dependsOn
        self.acl = acl?.sorted()
    }

    private enum CodingKeys: String, CodingKey { case name, materialized, owner, definition, indexes, comment, populated, dependsOn, acl }

    /// Files written before `populated` existed read as populated.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(QualifiedName.self, forKey: .name),
                  materialized: try container.decode(Bool.self, forKey: .materialized),
                  owner: try container.decode(String.self, forKey: .owner),
                  definition: try container.decode(String.self, forKey: .definition),
                  comment: try container.decodeIfPresent(String.self, forKey: .comment))
        indexes = try container.decode([IndexDef].self, forKey: .indexes)
        populated = try container.decodeIfPresent(Bool.self, forKey: .populated) ?? true
        dependsOn = try container.decodeIfPresent([QualifiedName].self, forKey: .dependsOn) ?? []
        _acl = try container.decode(ACLCoded.self, forKey: .acl)
    }

    /// Which views each view's rewrite rule depends on, one row per pair: PostgreSQL's own
    /// record of what a view reads, not a reading of its text.
    static func dependencyQuery(_ scope: CatalogScope) -> String { """
        SELECT DISTINCT n.nspname AS schema, v.relname AS table, dn.nspname AS dep_schema, d.relname AS dep_name
        FROM pg_rewrite r
        JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid AND dep.refclassid = 'pg_class'::regclass
        JOIN pg_class v ON v.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = v.relnamespace
        JOIN pg_class d ON d.oid = dep.refobjid AND d.oid <> v.oid
        JOIN pg_namespace dn ON dn.oid = d.relnamespace
        WHERE v.relkind IN ('v', 'm') AND d.relkind IN ('r', 'p', 'v', 'm') AND \(CatalogSQL.userSchemas)
        """ }

    var id: ObjectID { .view(name) }
    var word: String { materialized ? "materialized view" : "view" }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
               pg_get_userbyid(c.relowner) AS owner, pg_get_viewdef(c.oid) AS definition, d.description AS comment,
               c.relispopulated AS populated, \(CatalogSQL.aclJSON("c.relacl")) AS acl
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        \(Comment.join("c", "pg_class"))
        WHERE c.relkind IN ('v', 'm') AND \(scope.readable("c")) AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """ }

    static func read(_ result: QueryResult, acls: ACLReader) throws -> [ViewDef] {
        try (0..<result.count).map { row in
            var view = ViewDef(name: QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "name")),
                               materialized: try result.bool(row, "materialized"), owner: try result.string(row, "owner"),
                               definition: try result.optionalString(row, "definition") ?? "",
                               comment: try result.optionalString(row, "comment"), acl: try acls.grants(result, row))
            view.populated = try result.bool(row, "populated")
            return view
        }
    }

    /// PostgreSQL 16 stopped qualifying columns with their relation where the query reads only
    /// one (`customers.id` became `id`): both sides are compared with every qualifier that names
    /// a relation of the FROM list taken out. A schema name (`public.customers`) stays.
    static func sameQuery(_ a: String, _ b: String) -> Bool {
        if Definition.same(a, b) { return true }
        return Definition.normalized(unqualified(a)) == Definition.normalized(unqualified(b))
    }

    /// A name as a definition prints it: plain, or quoted with `""` inside.
    private static let identifier = #"(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")"#
    private static let relation = try! NSRegularExpression(
        pattern: #"(?:FROM|JOIN)\s+(?:"# + identifier + #"\.)?("# + identifier + #")(?:\s+(?:AS\s+)?("# + identifier + #"))?"#)

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
            if view.materialized, other.materialized, view.populated, !other.populated {
                findings.append(Finding(.viewDiffers, .error, view.id, source: "populated", target: "WITH NO DATA",
                    "materialized view \(view.name) was never filled on the target: reading it fails until REFRESH MATERIALIZED VIEW."))
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
        // A view reading a table still to be rebuilt (or a view that does) would keep it from
        // being dropped: it waits.
        var waiting = planner.occupied
        for view in ordered(planner.source.views) where view.dependsOn.contains(where: waiting.contains) {
            waiting.insert(view.name)
        }
        for view in ordered(matched.missing + differing.map(\.source)) where !waiting.contains(view.name) {
            let object = "\(view.word) \(view.name)"
            let replacing = matched.both.contains { $0.source.name == view.name }
            let query = SQL.statement(view.definition).dropLast()
            if view.materialized {
                // Filled when the source's is (its query runs: a scan), else left empty as there.
                steps.append(planner.step(object, "CREATE MATERIALIZED VIEW \(SQL.qualified(view.name)) AS \(query) WITH \(view.populated ? "" : "NO ")DATA;",
                    "creates \(view.populated ? "and fills " : "")materialized view \(view.name)", .accessExclusive(view.name),
                    requires: [.create(inSchema: view.name.schema)],
                    hazards: view.populated ? [.validationScan] : []))
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
        for (view, other) in matched.both where view.materialized && other.materialized && view.populated && !other.populated {
            steps.append(planner.step("\(view.word) \(view.name)", "REFRESH MATERIALIZED VIEW \(SQL.qualified(view.name));",
                "fills materialized view \(view.name) (its query runs)", .accessExclusive(view.name),
                requires: [.owner(view.name, .table)], hazards: [.validationScan]))
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

    /// Each view after the views it reads (`dependsOn`); the source's order otherwise.
    static func ordered(_ views: [ViewDef]) -> [ViewDef] {
        let planned = Set(views.map(\.name))
        var done = Set<QualifiedName>()
        var result: [ViewDef] = []
        var pending = views
        while !pending.isEmpty {
            let ready = pending.filter { view in view.dependsOn.allSatisfy { done.contains($0) || !planned.contains($0) } }
            let next = ready.isEmpty ? [pending[0]] : ready  // a cycle cannot be; keep going all the same
            for view in next { done.insert(view.name); result.append(view) }
            pending.removeAll { done.contains($0.name) }
        }
        return result
    }
}
