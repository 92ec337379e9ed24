import PostgresClient

/// How many rows a table holds, for checking that a rebuild kept every row: `count(*) FROM ONLY`
/// every user table (plain, partition or partitioned, the last holding none of its own) and
/// materialized view, and for a partitioned table also `count(*)` through it, its partitions' rows.
public struct RowCount: Hashable, Sendable, CustomStringConvertible {
    public enum Scope: String, Sendable {
        case only = "ONLY"
        case withPartitions = "with its partitions"
    }

    public var schema: String
    public var name: String
    public var scope: Scope
    /// nil: a materialized view that was never populated.
    public var rows: Int64?

    public init(schema: String, name: String, scope: Scope, rows: Int64?) {
        self.schema = schema
        self.name = name
        self.scope = scope
        self.rows = rows
    }

    public var description: String {
        "\(Self.quote(schema)).\(Self.quote(name)) \(scope.rawValue): \(rows.map(String.init) ?? "not populated")"
    }

    /// Every user table and materialized view of `database` (not those of extensions), counted
    /// as the superuser, so row security hides nothing; sorted by schema, name and scope.
    public static func all(_ cluster: TestCluster, database: String) throws -> [RowCount] {
        let connection = try cluster.connect(database: database)
        defer { connection.close() }
        let relations = try connection.query("""
            SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relispopulated AS populated
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm')
              AND n.nspname !~ '^(pg_catalog|information_schema|pg_toast.*|pg_temp.*)$'
              AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
            ORDER BY 1, 2
            """)
        var counts: [RowCount] = []
        for row in 0..<relations.count {
            let schema = try relations.string(row, "schema"), name = try relations.string(row, "name")
            let table = quote(schema) + "." + quote(name)
            guard try relations.bool(row, "populated") else {
                counts.append(RowCount(schema: schema, name: name, scope: .only, rows: nil))
                continue
            }
            let only = try connection.query("SELECT count(*) AS n FROM ONLY \(table)").int64(0, "n")
            counts.append(RowCount(schema: schema, name: name, scope: .only, rows: only))
            if try relations.string(row, "kind") == "p" {
                let all = try connection.query("SELECT count(*) AS n FROM \(table)").int64(0, "n")
                counts.append(RowCount(schema: schema, name: name, scope: .withPartitions, rows: all))
            }
        }
        return counts
    }

    /// The counts each side has and the other has not, for assertion messages; "" when none.
    public static func difference(_ source: [RowCount], _ target: [RowCount]) -> String {
        let missing = source.filter { !target.contains($0) }, extra = target.filter { !source.contains($0) }
        var lines: [String] = []
        if !missing.isEmpty { lines += ["row counts only in the source:"] + missing.map { "  \($0)" } }
        if !extra.isEmpty { lines += ["row counts only in the target:"] + extra.map { "  \($0)" } }
        return lines.joined(separator: "\n")
    }

    /// An identifier quoted as SQL writes it, every `"` doubled.
    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
