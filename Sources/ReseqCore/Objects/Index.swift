import PostgresClient

/// An index of a table or materialized view, as `pg_get_indexdef` prints it (partial and
/// expression indexes included), with its validity. Indexes that back a primary key, unique
/// or exclusion constraint are told of with the constraint.
public struct IndexDef: Codable, Hashable, Sendable {
    public var name: String
    public var definition: String
    public var unique: Bool
    public var valid: Bool
    /// The constraint it backs, if any.
    public var constraint: String?
    public var comment: String?

    public init(name: String, definition: String, unique: Bool = false, valid: Bool = true,
                constraint: String? = nil, comment: String? = nil) {
        self.name = name
        self.definition = definition
        self.unique = unique
        self.valid = valid
        self.constraint = constraint
        self.comment = comment
    }

    /// Partitions of a partitioned index (`relispartition`, PostgreSQL 11+) are the parent's.
    static func query(_ scope: CatalogScope) -> String {
        """
        SELECT n.nspname AS schema, c.relname AS table, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
               i.indisunique AS is_unique, i.indisvalid AS valid, k.conname AS constraint_name, d.description AS comment
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
        \(Comment.join("ic", "pg_class"))
        WHERE c.relkind IN ('r', 'p', 'm') AND \(scope.readable("c")) AND \(scope.readable("ic")) AND \(scope.inRange("n", "c")) \(scope.serverVersion >= 110000 ? "AND NOT ic.relispartition" : "")
          AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """
    }

    static func read(_ result: QueryResult) throws -> [QualifiedName: [IndexDef]] {
        try SchemaObjects.byTable(result) { row in
            IndexDef(name: try result.string(row, "name"), definition: try result.string(row, "definition"),
                     unique: try result.bool(row, "is_unique"), valid: try result.bool(row, "valid"),
                     constraint: try result.optionalString(row, "constraint_name"),
                     comment: try result.optionalString(row, "comment"))
        }
    }

    /// What the index covers, for sentences: `public.orders (customer_id)`.
    func covers(_ table: QualifiedName) -> String {
        guard let using = definition.range(of: " USING ") else { return table.description }
        let rest = definition[using.upperBound...]
        return "\(table)\(Definition.firstList(String(rest)))"
    }

    /// The definition with the index's own name left out, so a renamed copy still matches.
    private var shape: String {
        Definition.normalized(definition.replacingOccurrences(of: " \(name) ON ", with: " ON "))
    }

    static func findings(on name: QualifiedName, estimatedRows: Int64, source: [IndexDef], target: [IndexDef]) -> [Finding] {
        let matched = Matched(source, target, by: \.name)
        var findings: [Finding] = []
        // An index of another name and the same definition is the same index.
        let targetShapes = Set(matched.extra.map(\.shape))
        let sourceShapes = Set(matched.missing.map(\.shape))
        for index in matched.missing where index.constraint == nil && !targetShapes.contains(index.shape) {
            let rows = estimatedRows > 0 ? "all \(Self.rows(estimatedRows)) rows" : "the whole table"
            findings.append(index.unique
                ? Finding(.uniqueMissing, .error, .index(name, index.name), source: index.definition, target: nil,
                          "no unique index on \(index.covers(name)): duplicates can be inserted.")
                : Finding(.indexMissing, .warning, .index(name, index.name), source: index.definition, target: nil,
                          "no index \(name.schema).\(index.name): queries on \(index.covers(name)) scan \(rows)."))
        }
        for (index, other) in matched.both {
            let id = ObjectID.index(name, index.name)
            if !Definition.same(index.definition, other.definition), index.constraint == nil || other.constraint == nil {
                findings.append(Finding(.indexDiffers, index.unique != other.unique ? .error : .warning, id,
                    source: index.definition, target: other.definition,
                    index.unique && !other.unique ? "index \(index.name) is not unique on the target: duplicates can be inserted."
                        : "index \(index.name) indexes something else on the target: queries that used it may scan instead."))
            } else if index.valid, !other.valid {
                findings.append(Finding(.indexDiffers, index.unique ? .error : .warning, id, source: "valid", target: "INVALID",
                    "index \(index.name) is invalid on the target (a failed CREATE INDEX CONCURRENTLY): queries do not use it\(index.unique ? ", though it still checks uniqueness of new rows" : "")."))
            }
            findings += Comment.findings(id, index.comment, other.comment)
        }
        findings += matched.extra.filter { $0.constraint == nil && !sourceShapes.contains($0.shape) }.map {
            Finding(.onlyOnTarget, $0.unique ? .warning : .info, .index(name, $0.name), source: nil, target: $0.definition,
                    $0.unique ? "unique index \($0.name) exists only on the target: it may refuse writes the source accepted."
                              : "index \($0.name) exists only on the target; it slows writes a little.")
        }
        return findings
    }

    static func rows(_ count: Int64) -> String {
        switch count {
        case 1_000_000...: return "\(count / 1_000_000) M"
        case 10_000...: return "\(count / 1000) k"
        default: return "\(count)"
        }
    }
}

// MARK: - Rebuilding

extension IndexDef {
    /// Secondary indexes the target lacks, or has INVALID or different: built with CREATE
    /// INDEX CONCURRENTLY, each alone and committed (writes go on); an INVALID leftover of a
    /// failed build is dropped (concurrently) first, and after a failure of this build too.
    /// A partitioned table's index cannot be built concurrently: it is built in a transaction
    /// and holds writes back until it ends. Indexes of keys are the constraints'.
    static func steps(on table: TableDef, _ other: TableDef, _ planner: ShapePlanner) -> [Step] {
        steps(table.name, table.indexes, other.indexes, partitioned: other.kind == .partitioned,
              rows: table.estimatedRows, planner)
    }

    static func steps(_ table: QualifiedName, _ source: [IndexDef], _ target: [IndexDef], partitioned: Bool, rows: Int64,
                      _ planner: ShapePlanner) -> [Step] {
        let matched = Matched(source.filter { $0.constraint == nil }, target, by: \.name)
        let targetShapes = matched.missing.isEmpty ? [] : Set(target.map(\.shape))
        var steps: [Step] = []
        for index in matched.missing where !targetShapes.contains(index.shape) {
            steps += index.build(on: table, partitioned: partitioned, rows: rows, replacing: false, planner)
        }
        for (index, other) in matched.both where other.constraint == nil
            && (!other.valid || !Definition.same(index.definition, other.definition)) {
            steps += index.build(on: table, partitioned: partitioned, rows: rows, replacing: true, planner)
        }
        return steps
    }

    /// `object`: the object the build belongs to (a constraint's, when it backs one).
    func build(on table: QualifiedName, partitioned: Bool, rows: Int64, replacing: Bool, object: String? = nil,
               _ planner: ShapePlanner) -> [Step] {
        let object = object ?? "index \(table.schema).\(name)"
        let qualified = SQL.qualified(QualifiedName(schema: table.schema, name: name))
        let requires: [Step.Requirement] = [.owner(table, .table)]
        if partitioned {
            let drop = replacing ? [planner.step(object, "DROP INDEX IF EXISTS \(qualified);", "drops the index to rebuild it",
                                                 .accessExclusive(table), requires: requires)] : []
            return drop + [planner.step(object, SQL.statement(definition.replacingOccurrences(of: " ON ONLY ", with: " ON ")),
                "builds index \(name) on \(table) and its partitions", .share(table), requires: requires,
                hazards: [.indexBuild], rows: rows)]
        }
        let undo = "DROP INDEX CONCURRENTLY IF EXISTS \(qualified);"
        let drop = replacing ? [planner.step(object, undo, "drops the INVALID or different index to rebuild it",
                                             .shareUpdateExclusive(table), requires: requires, standalone: true)] : []
        let comment = planner.comment(object, on: "INDEX \(qualified)", self.comment, nil, requires: requires)
            .map { var step = $0; step.standalone = true; return step }
        return drop + [planner.step(object, SQL.statement(concurrently), "builds index \(name) on \(table) without blocking writes",
                                    .shareUpdateExclusive(table), requires: requires, hazards: [.indexBuild], standalone: true,
                                    undo: undo, rows: rows)] + comment
    }

    /// The definition as CREATE [UNIQUE] INDEX CONCURRENTLY, on the table itself (a flattened
    /// partitioned table is a plain table now).
    var concurrently: String {
        var text = definition.replacingOccurrences(of: " ON ONLY ", with: " ON ")
        for prefix in ["CREATE UNIQUE INDEX ", "CREATE INDEX "] where text.hasPrefix(prefix) {
            text = prefix + "CONCURRENTLY " + text.dropFirst(prefix.count)
            break
        }
        return text
    }
}
