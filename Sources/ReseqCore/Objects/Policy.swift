import PostgresClient

/// A row-security policy of a table: its command, whether permissive, its roles and its
/// USING and WITH CHECK expressions as `pg_get_expr` prints them.
public struct PolicyDef: Codable, Hashable, Sendable {
    public var name: String
    /// `polcmd`: `*` (all), `r` (SELECT), `a` (INSERT), `w` (UPDATE), `d` (DELETE).
    public var command: String
    public var permissive: Bool
    /// Sorted; `public` for PUBLIC.
    public var roles: [String]
    public var using: String?
    public var check: String?

    public init(name: String, command: String, permissive: Bool = true, roles: [String], using: String?, check: String?) {
        self.name = name
        self.command = command
        self.permissive = permissive
        self.roles = roles.sorted()
        self.using = using
        self.check = check
    }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS schema, c.relname AS table, p.polname AS name, p.polcmd::text AS command,
               p.polpermissive AS permissive,
               to_json(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
                             FROM unnest(p.polroles) r))::text AS roles,
               pg_get_expr(p.polqual, p.polrelid) AS using_expression,
               pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE \(scope.readable("c")) AND \(scope.inRange("n", "c")) AND \(CatalogSQL.userSchemas)
        """ }

    static func read(_ result: QueryResult) throws -> [QualifiedName: [PolicyDef]] {
        try SchemaObjects.byTable(result) { row in
            PolicyDef(name: try result.string(row, "name"), command: try result.string(row, "command"),
                      permissive: try result.bool(row, "permissive"),
                      roles: SchemaObjects.strings(try result.optionalString(row, "roles")),
                      using: try result.optionalString(row, "using_expression"),
                      check: try result.optionalString(row, "check_expression"))
        }
    }

    var summary: String {
        let words = ["*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"]
        return "\(permissive ? "PERMISSIVE" : "RESTRICTIVE") FOR \(words[command] ?? command) TO \(roles.joined(separator: ", "))"
            + (using.map { " USING (\($0))" } ?? "") + (check.map { " WITH CHECK (\($0))" } ?? "")
    }

    static func findings(_ source: TableDef, _ target: TableDef) -> [Finding] {
        let table = source.name
        let matched = Matched(source.policies, target.policies, by: \.name)
        var findings: [Finding] = matched.missing.map {
            Finding(.policyMissing, .error, .policy(table, $0.name), source: $0.summary, target: nil,
                    "policy \($0.name) on \(table) is missing: with row security on, roles it let through see nothing; with it off, everyone sees everything.")
        }
        for (policy, other) in matched.both
        where policy.command != other.command || policy.permissive != other.permissive || policy.roles != other.roles
            || !Definition.same(policy.using, other.using) || !Definition.same(policy.check, other.check) {
            findings.append(Finding(.policyDiffers, .error, .policy(table, policy.name), source: policy.summary, target: other.summary,
                "policy \(policy.name) on \(table) lets other roles or rows through on the target."))
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .warning, .policy(table, $0.name), source: nil, target: $0.summary,
                    "policy \($0.name) on \(table) exists only on the target.")
        }
        return findings
    }
}
