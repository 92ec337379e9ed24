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
    public var comment: String?

    public init(name: String, command: String, permissive: Bool = true, roles: [String], using: String?, check: String?,
                comment: String? = nil) {
        self.name = name
        self.command = command
        self.permissive = permissive
        self.roles = roles.sorted()
        self.using = using
        self.check = check
        self.comment = comment
    }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS schema, c.relname AS table, p.polname AS name, p.polcmd::text AS command,
               p.polpermissive AS permissive,
               to_json(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
                             FROM unnest(p.polroles) r))::text AS roles,
               pg_get_expr(p.polqual, p.polrelid) AS using_expression,
               pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression, d.description AS comment
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        \(Comment.join("p", "pg_policy"))
        WHERE \(scope.readable("c")) AND \(scope.inRange("n", "c")) AND \(CatalogSQL.userSchemas)
        """ }

    static func read(_ result: QueryResult) throws -> [QualifiedName: [PolicyDef]] {
        try SchemaObjects.byTable(result) { row in
            PolicyDef(name: try result.string(row, "name"), command: try result.string(row, "command"),
                      permissive: try result.bool(row, "permissive"),
                      roles: SchemaObjects.strings(try result.optionalString(row, "roles")),
                      using: try result.optionalString(row, "using_expression"),
                      check: try result.optionalString(row, "check_expression"),
                      comment: try result.optionalString(row, "comment"))
        }
    }

    var summary: String {
        let words = ["*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"]
        return "\(permissive ? "PERMISSIVE" : "RESTRICTIVE") FOR \(words[command] ?? command) TO \(roles.joined(separator: ", "))"
            + (using.map { " USING (\($0))" } ?? "") + (check.map { " WITH CHECK (\($0))" } ?? "")
    }

    /// Lets other roles or rows through (its comment aside).
    func differs(from other: PolicyDef) -> Bool {
        command != other.command || permissive != other.permissive || roles != other.roles
            || !Definition.same(using, other.using) || !Definition.same(check, other.check)
    }

    static func findings(_ source: TableDef, _ target: TableDef) -> [Finding] {
        let table = source.name
        let matched = Matched(source.policies, target.policies, by: \.name)
        var findings: [Finding] = matched.missing.map {
            Finding(.policyMissing, .error, .policy(table, $0.name), source: $0.summary, target: nil,
                    "policy \($0.name) on \(table) is missing: with row security on, roles it let through see nothing; with it off, everyone sees everything.")
        }
        for (policy, other) in matched.both {
            if policy.differs(from: other) {
                findings.append(Finding(.policyDiffers, .error, .policy(table, policy.name), source: policy.summary, target: other.summary,
                    "policy \(policy.name) on \(table) lets other roles or rows through on the target."))
            }
            findings += Comment.findings(.policy(table, policy.name), policy.comment, other.comment)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .warning, .policy(table, $0.name), source: nil, target: $0.summary,
                    "policy \($0.name) on \(table) exists only on the target.")
        }
        return findings
    }
}

// MARK: - Rebuilding

extension PolicyDef {
    /// A table's policies and row security switch, as one object: the policies first, so
    /// that turning row security on never leaves the table with none. An authorization
    /// change: who sees which rows.
    static func steps(_ table: TableDef, _ other: TableDef, _ planner: ShapePlanner) -> [Step] {
        let matched = Matched(table.policies, other.policies, by: \.name)
        let object = "row security of \(table.name)"
        let (alter, requires) = planner.alterTable(table.name)
        let lock = Step.Lock.accessExclusive(table.name)
        var steps: [Step] = []
        func add(_ sql: String, _ fixes: String) {
            steps.append(planner.step(object, sql, fixes, lock, requires: requires, hazards: [.authorization]))
        }
        for (policy, current) in matched.both where policy.differs(from: current) {
            add("DROP POLICY \(SQL.identifier(policy.name)) ON \(SQL.qualified(table.name));", "drops policy \(policy.name), which differs from the source's")
            add(policy.createSQL(on: table.name, planner.roles), "creates policy \(policy.name) as on the source")
        }
        for policy in matched.missing {
            add(policy.createSQL(on: table.name, planner.roles), "creates policy \(policy.name) on \(table.name)")
        }
        for policy in table.policies {
            let current = matched.both.first { $0.source.name == policy.name }
            let kept = current.map { !$0.source.differs(from: $0.target) } ?? false
            steps += planner.comment(object, on: "POLICY \(SQL.identifier(policy.name)) ON \(SQL.qualified(table.name))",
                                     policy.comment, kept ? current?.target.comment : nil, requires: requires)
        }
        if table.rowSecurity != other.rowSecurity {
            add("\(alter) \(table.rowSecurity ? "ENABLE" : "DISABLE") ROW LEVEL SECURITY;",
                "turns row security \(table.rowSecurity ? "on" : "off") for \(table.name), as on the source")
        }
        if table.forceRowSecurity != other.forceRowSecurity {
            add("\(alter) \(table.forceRowSecurity ? "FORCE" : "NO FORCE") ROW LEVEL SECURITY;",
                "\(table.forceRowSecurity ? "forces" : "stops forcing") row security on \(table.name)'s owner, as on the source")
        }
        return steps
    }

    func createSQL(on table: QualifiedName, _ map: RoleMap) -> String {
        let commands = ["r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"]
        let to = roles.map { $0 == "public" ? "PUBLIC" : SQL.identifier(map.target($0)) }.joined(separator: ", ")
        var sql = "CREATE POLICY \(SQL.identifier(name)) ON \(SQL.qualified(table)) AS \(permissive ? "PERMISSIVE" : "RESTRICTIVE")"
            + " FOR \(commands[command] ?? "ALL") TO \(to.isEmpty ? "PUBLIC" : to)"
        if let using { sql += " USING (\(using))" }
        if let check { sql += " WITH CHECK (\(check))" }
        return sql + ";"
    }
}
