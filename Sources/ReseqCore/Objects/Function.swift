import PostgresClient

/// A function or procedure, keyed by name and identity arguments: `pg_get_functiondef`
/// (aggregates have none: their result type stands in), owner and SECURITY DEFINER.
public struct FunctionDef: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        case function, procedure, aggregate, window
    }

    public var name: QualifiedName
    /// `pg_get_function_identity_arguments`.
    public var arguments: String
    public var kind: Kind
    public var owner: String
    public var securityDefiner: Bool
    /// `pg_get_function_result` (nil for a procedure).
    public var result: String?
    /// `pg_get_functiondef`; nil for an aggregate.
    public var definition: String?
    public var comment: String?
    /// Its privileges: nil when never granted or revoked (EXECUTE for its owner and PUBLIC).
    @ACLCoded public var acl: [Grant]?

    public init(name: QualifiedName, arguments: String, kind: Kind = .function, owner: String, securityDefiner: Bool = false,
                result: String? = nil, definition: String?, comment: String? = nil, acl: [Grant]? = nil) {
        self.name = name
        self.arguments = arguments
        self.kind = kind
        self.owner = owner
        self.securityDefiner = securityDefiner
        self.result = result
        self.definition = definition
        self.comment = comment
        self.acl = acl?.sorted()
    }

    var id: ObjectID { .function(name, arguments: arguments) }

    static func query(_ scope: CatalogScope) -> String {
        let kind = scope.serverVersion >= 110000 ? "p.prokind::text"
            : "CASE WHEN p.proisagg THEN 'a' WHEN p.proiswindow THEN 'w' ELSE 'f' END"
        return """
            SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
                   \(kind) AS kind, pg_get_userbyid(p.proowner) AS owner, p.prosecdef AS security_definer,
                   pg_get_function_result(p.oid) AS result,
                   CASE WHEN \(kind) <> 'a' THEN pg_get_functiondef(p.oid) ELSE \(aggregateDefinition) END AS definition,
                   d.description AS comment, \(CatalogSQL.aclJSON("p.proacl")) AS acl
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            \(Comment.join("p", "pg_proc"))
            WHERE \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("p", "pg_proc"))
              -- A range type's constructors are the type's (an internal dependency).
              AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
            """
    }

    /// PostgreSQL has no deparser for an aggregate: its CREATE OR REPLACE AGGREGATE (12+) is
    /// put together from pg_aggregate's parts, each printed by PostgreSQL (regproc,
    /// format_type, quote_literal), as pg_dump does. The common options only; an
    /// ordered-set or moving aggregate has none (nil: not rebuilt, said so).
    static let aggregateDefinition = """
        (SELECT 'CREATE OR REPLACE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
                || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = ' || a.aggtransfn::regproc::text
                || ', STYPE = ' || format_type(a.aggtranstype, NULL)
                || CASE WHEN a.aggfinalfn <> 0 THEN ', FINALFUNC = ' || a.aggfinalfn::regproc::text ELSE '' END
                || CASE WHEN a.aggcombinefn <> 0 THEN ', COMBINEFUNC = ' || a.aggcombinefn::regproc::text ELSE '' END
                || CASE WHEN a.agginitval IS NOT NULL THEN ', INITCOND = ' || quote_literal(a.agginitval) ELSE '' END
                || CASE p.proparallel WHEN 's' THEN ', PARALLEL = SAFE' WHEN 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END
                || ')'
         FROM pg_aggregate a
         WHERE a.aggfnoid = p.oid AND a.aggkind = 'n' AND a.aggmtransfn = 0 AND a.aggserialfn = 0 AND NOT a.aggfinalextra)
        """

    static func read(_ result: QueryResult, acls: ACLReader) throws -> [FunctionDef] {
        try (0..<result.count).map { row in
            let kind: Kind
            switch try result.string(row, "kind") {
            case "p": kind = .procedure
            case "a": kind = .aggregate
            case "w": kind = .window
            default: kind = .function
            }
            return FunctionDef(name: QualifiedName(schema: try result.string(row, "schema"), name: try result.string(row, "name")),
                               arguments: try result.string(row, "arguments"), kind: kind, owner: try result.string(row, "owner"),
                               securityDefiner: try result.bool(row, "security_definer"),
                               result: try result.optionalString(row, "result"),
                               definition: try result.optionalString(row, "definition"),
                               comment: try result.optionalString(row, "comment"), acl: try acls.grants(result, row))
        }
    }

    static func findings(_ context: ObjectsContext) -> [Finding] {
        let matched = Matched(context.source.functions, context.target.functions, by: \.id)
        // Functions that triggers call: what breaks when they are gone is every write.
        var triggered: [QualifiedName: [String]] = [:]
        for table in context.source.tables {
            for trigger in table.triggers { triggered[trigger.function, default: []].append("\(table.name)") }
        }
        var findings: [Finding] = matched.missing.map { function in
            let users = triggered[function.name].map { " Triggers on \($0.joined(separator: ", ")) call it, so writes there fail." } ?? ""
            return Finding(.functionMissing, .error, function.id, source: function.definition ?? function.result, target: nil,
                           "\(function.kind.rawValue) \(function.name)(\(function.arguments)) does not exist on the target: calls to it fail.\(users)")
        }
        for (function, other) in matched.both {
            if !Definition.same(function.definition, other.definition) || function.result != other.result {
                findings.append(Finding(.functionDiffers, .error, function.id, source: function.definition ?? function.result,
                                        target: other.definition ?? other.result,
                    "\(function.kind.rawValue) \(function.name)(\(function.arguments)) does something else on the target."))
            } else if function.securityDefiner != other.securityDefiner {
                findings.append(Finding(.functionDiffers, .error, function.id,
                                        source: function.securityDefiner ? "SECURITY DEFINER" : "SECURITY INVOKER",
                                        target: other.securityDefiner ? "SECURITY DEFINER" : "SECURITY INVOKER",
                    function.securityDefiner
                        ? "\(function.name)(\(function.arguments)) runs with its caller's rights on the target: callers lacking them are refused."
                        : "\(function.name)(\(function.arguments)) runs with its owner's rights on the target."))
            }
            findings += context.owner(function.id, function.owner, other.owner)
            findings += Comment.findings(function.id, function.comment, other.comment)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .info, $0.id, source: nil, target: $0.result,
                    "\($0.kind.rawValue) \($0.name)(\($0.arguments)) exists only on the target.")
        }
        return findings
    }
}

// MARK: - Rebuilding

extension FunctionDef {
    /// Missing or different functions and procedures are (re)created from
    /// `pg_get_functiondef`, which writes CREATE OR REPLACE. Bodies are not checked on the way
    /// (the apply sets check_function_bodies off, as pg_dump's scripts do): a function may
    /// name tables and functions created later in the plan. Aggregates have no such text.
    static func steps(_ planner: ShapePlanner, _ owners: inout ShapeOwners, _ unresolved: inout [Finding]) -> [Step] {
        let matched = Matched(planner.source.functions, planner.target.functions, by: \.id)
        var steps: [Step] = []
        func create(_ function: FunctionDef, replacing other: FunctionDef?) {
            guard let definition = function.definition else {
                unresolved.append(Finding(other == nil ? .functionMissing : .functionDiffers, .error, function.id,
                    source: function.result, target: other?.result,
                    "aggregate \(function.name)(\(function.arguments)) is \(other == nil ? "missing" : "different") on the target and uses options reseq does not rebuild (ordered-set, moving or serialized state): copy its CREATE AGGREGATE from pg_dump --schema-only of the source."))
                return
            }
            steps.append(planner.step(function.object, SQL.statement(definition),
                "\(other == nil ? "creates" : "replaces") \(function.kind.rawValue) \(function.name)(\(function.arguments))",
                .none, requires: [.create(inSchema: function.name.schema)]))
        }
        // Aggregates after the functions they call.
        for function in matched.missing.filter({ $0.kind != .aggregate }) + matched.missing.filter({ $0.kind == .aggregate }) {
            create(function, replacing: nil)
            steps += planner.comment(function.object, on: function.sqlName, function.comment, nil, requires: [])
            owners.add(function.id, function.sqlWord, function.sqlSignature, source: function.owner, target: nil)
        }
        for (function, other) in matched.both {
            if !Definition.same(function.definition, other.definition) || function.result != other.result
                || function.securityDefiner != other.securityDefiner {
                create(function, replacing: other)
            }
            steps += planner.comment(function.object, on: function.sqlName, function.comment, other.comment, requires: [])
            owners.add(function.id, function.sqlWord, function.sqlSignature, source: function.owner, target: other.owner)
        }
        return steps
    }

    var object: String { "\(kind.rawValue) \(id)" }
    var sqlWord: String {
        switch kind {
        case .procedure: return "PROCEDURE"
        case .aggregate: return "AGGREGATE"
        case .function, .window: return "FUNCTION"
        }
    }
    /// `"s"."f"(a integer, b integer)`: the identity arguments name it among its overloads.
    var sqlSignature: String { "\(SQL.qualified(name))(\(arguments))" }
    var sqlName: String { "\(sqlWord) \(sqlSignature)" }
}
