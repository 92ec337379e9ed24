import PostgresClient

/// A table: plain, partitioned (with its key) or a partition (with its bounds), its columns,
/// constraints, indexes, triggers, row security and policies, owner, comment and row estimate.
public struct TableDef: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        case plain, partitioned, partition
    }

    public var name: QualifiedName
    public var kind: Kind
    /// `pg_get_partkeydef`, for a partitioned table.
    public var partitionKey: String?
    /// The parent and `pg_get_expr(relpartbound)`, for a partition.
    public var partitionOf: QualifiedName?
    public var partitionBound: String?
    public var owner: String
    public var unlogged: Bool
    public var rowSecurity: Bool
    public var forceRowSecurity: Bool
    /// `reltuples`, rounded: -1 when never vacuumed or analyzed (PostgreSQL 14 and later).
    public var estimatedRows: Int64
    public var comment: String?
    /// In column order.
    public var columns: [ColumnDef]
    /// Sorted by name, as are the others.
    public var constraints: [ConstraintDef]
    public var indexes: [IndexDef]
    public var triggers: [TriggerDef]
    public var policies: [PolicyDef]
    /// Its privileges: nil when never granted or revoked (the owner's alone).
    @ACLCoded public var acl: [Grant]?

    public init(name: QualifiedName, kind: Kind = .plain, partitionKey: String? = nil, partitionOf: QualifiedName? = nil,
                partitionBound: String? = nil, owner: String, unlogged: Bool = false, rowSecurity: Bool = false,
                forceRowSecurity: Bool = false, estimatedRows: Int64 = -1, comment: String? = nil,
                columns: [ColumnDef] = [], constraints: [ConstraintDef] = [], indexes: [IndexDef] = [],
                triggers: [TriggerDef] = [], policies: [PolicyDef] = [], acl: [Grant]? = nil) {
        self.name = name
        self.kind = kind
        self.partitionKey = partitionKey
        self.partitionOf = partitionOf
        self.partitionBound = partitionBound
        self.owner = owner
        self.unlogged = unlogged
        self.rowSecurity = rowSecurity
        self.forceRowSecurity = forceRowSecurity
        self.estimatedRows = estimatedRows
        self.comment = comment
        self.columns = columns
        self.constraints = constraints.sorted { $0.name < $1.name }
        self.indexes = indexes.sorted { $0.name < $1.name }
        self.triggers = triggers.sorted { $0.name < $1.name }
        self.policies = policies.sorted { $0.name < $1.name }
        self.acl = acl?.sorted()
    }

    var id: ObjectID { .table(name) }

    static func query(_ scope: CatalogScope) -> String { """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, pg_get_userbyid(c.relowner) AS owner,
               c.relpersistence = 'u' AS unlogged, c.relrowsecurity AS row_security,
               c.relforcerowsecurity AS force_row_security, round(c.reltuples)::int8 AS reltuples,
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
               CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
               pn.nspname AS parent_schema, pc.relname AS parent_name, d.description AS comment,
               \(CatalogSQL.aclJSON("c.relacl")) AS acl
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
        LEFT JOIN pg_class pc ON pc.oid = i.inhparent
        LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        \(Comment.join("c", "pg_class"))
        WHERE c.relkind IN ('r', 'p') AND \(scope.readable("c")) AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """ }

    static func read(tables: QueryResult, columns: QueryResult, acls: ACLReader) throws -> [TableDef] {
        let columnsByTable = try SchemaObjects.byTable(columns) { try ColumnDef(columns, $0, acls: acls) }
        return try (0..<tables.count).map { row in
            let name = QualifiedName(schema: try tables.string(row, "schema"), name: try tables.string(row, "name"))
            let parent = try tables.optionalString(row, "parent_name").map {
                QualifiedName(schema: try tables.string(row, "parent_schema"), name: $0)
            }
            let bound = try tables.optionalString(row, "partition_bound")
            let kind: Kind = try tables.string(row, "kind") == "p" ? .partitioned : bound != nil ? .partition : .plain
            return TableDef(name: name, kind: kind, partitionKey: try tables.optionalString(row, "partition_key"),
                            partitionOf: parent, partitionBound: bound, owner: try tables.string(row, "owner"),
                            unlogged: try tables.bool(row, "unlogged"), rowSecurity: try tables.bool(row, "row_security"),
                            forceRowSecurity: try tables.bool(row, "force_row_security"),
                            estimatedRows: try tables.int64(row, "reltuples"),
                            comment: try tables.optionalString(row, "comment"), columns: columnsByTable[name] ?? [],
                            acl: try acls.grants(tables, row))
        }
    }

    /// Above this many rows on the source, a target table without statistics is worth a warning.
    static let statisticsRows: Int64 = 1000

    var shape: String {
        switch kind {
        case .plain: return unlogged ? "unlogged table" : "table"
        case .partitioned: return "partitioned by \(partitionKey ?? "?")"
        case .partition: return "partition of \(partitionOf?.description ?? "?") \(partitionBound ?? "")"
        }
    }

    /// The tables' findings as `parts` jobs, in order: the tables both sides have in slices
    /// of about equal size, the first job with the missing tables, the last with the extra ones.
    static func findingJobs(_ context: ObjectsContext, parts: Int) -> [@Sendable () -> [Finding]] {
        let matched = Matched(context.source.tables, context.target.tables, by: \.name)
        let missing = matched.missing.map {
            Finding(.tableMissing, .error, $0.id, source: $0.shape, target: nil,
                    "table \($0.name) does not exist on the target: its rows and every query on it are gone.")
        }
        let extra = matched.extra.map {
            Finding(.onlyOnTarget, .info, $0.id, source: nil, target: $0.shape, "table \($0.name) exists only on the target.")
        }
        let both = matched.both
        let parts = max(1, min(parts, both.count))
        return (0..<parts).map { part in
            let slice = both.count * part / parts..<both.count * (part + 1) / parts
            return {
                var findings = part == 0 ? missing : []
                for index in slice { findings += both[index].source.findings(against: both[index].target, context) }
                return part == parts - 1 ? findings + extra : findings
            }
        }
    }

    private func findings(against target: TableDef, _ context: ObjectsContext) -> [Finding] {
        var findings: [Finding] = []
        if kind != target.kind || !Definition.same(partitionKey, target.partitionKey)
            || partitionOf != target.partitionOf || !Definition.same(partitionBound, target.partitionBound) {
            let consequence: String
            switch (kind, target.kind) {
            case (.partitioned, .plain):
                consequence = "\(name) is a plain table on the target: rows are no longer routed to partitions, queries scan everything, and dropping a partition's rows means DELETE."
            case (.partition, .plain):
                consequence = "\(name) is no longer a partition of \(partitionOf?.description ?? "its parent"): rows inserted through the parent do not land in it."
            default:
                consequence = "\(name) is partitioned differently on the target: rows are routed elsewhere."
            }
            findings.append(Finding(.tableDiffers, kind == .partitioned || target.kind == .partitioned ? .warning : .error,
                                    id, source: shape, target: target.shape, consequence))
        }
        if unlogged != target.unlogged {
            findings.append(Finding(.tableDiffers, .warning, id, source: shape, target: target.shape,
                target.unlogged ? "\(name) is unlogged on the target: a crash empties it, and replicas do not have it."
                                : "\(name) is logged on the target: writes are slower than on the source."))
        }
        if rowSecurity != target.rowSecurity || forceRowSecurity != target.forceRowSecurity {
            findings.append(Finding(.rowSecurityDiffers, .error, id, source: rowSecurityText, target: target.rowSecurityText,
                rowSecurity && !target.rowSecurity
                    ? "row security is off on \(name) on the target: every role with SELECT sees every row, whatever the policies say."
                    : "row security differs on \(name): roles see or change other rows than on the source."))
        }
        if estimatedRows >= Self.statisticsRows, target.estimatedRows < 0 {
            findings.append(Finding(.statisticsMissing, .warning, id, source: "\(estimatedRows) rows estimated", target: "never analyzed",
                "\(name) has never been analyzed on the target: the planner guesses its size and may pick slow plans until ANALYZE runs."))
        }
        findings += context.owner(id, owner, target.owner)
        findings += Comment.findings(id, comment, target.comment)
        findings += ColumnDef.findings(self, target, context)
        var keys = ConstraintDef.findings(self, target, context)
            + IndexDef.findings(on: name, estimatedRows: estimatedRows, source: indexes, target: target.indexes)
        if kind == .partition, target.kind != .partition {
            // What a partition had from its parent is its own once detached: told once, above,
            // not as a key or index "only on the target" per partition.
            keys = keys.filter { $0.kind != .onlyOnTarget }
        }
        findings += keys
        findings += TriggerDef.findings(self, target)
        findings += PolicyDef.findings(self, target)
        return findings
    }

    private var rowSecurityText: String {
        rowSecurity ? (forceRowSecurity ? "row security forced" : "row security enabled") : "row security disabled"
    }
}

// MARK: - Rebuilding

extension TableDef {
    /// The comments of the table and its columns, where the target's differ.
    func commentSteps(_ other: TableDef, _ planner: ShapePlanner) -> [Step] {
        let object = "comments of \(name)"
        let requires: [Step.Requirement] = [.owner(name, .table)]
        var steps = planner.comment(object, on: "TABLE \(SQL.qualified(name))", comment, other.comment, requires: requires)
        for (column, current) in Matched(columns, other.columns, by: \.name).both {
            steps += planner.comment(object, on: "COLUMN \(SQL.qualified(name)).\(SQL.identifier(column.name))",
                                     column.comment, current.comment, requires: requires)
        }
        return steps
    }
}

extension TableDef {
    /// A partitioned table the copy flattened into a plain one, rebuilt: in one transaction,
    /// under ACCESS EXCLUSIVE, the plain parent (checked empty there and then: rows of its own
    /// would be lost) is dropped, created again partitioned with the source's columns, and
    /// its partitions (their columns fixed earlier in the plan) are attached, each scanned to
    /// check its bound. Keys, indexes and triggers follow in their phases, on the parent: the
    /// partitions' own keys and indexes are attached to the parent's, not built again.
    /// The target's sequence defaults and OWNED BY links of the plain table carry over.
    func rebuildSteps(current: TableDef, partitions: [TableDef], targets: [QualifiedName: TableDef],
                      _ planner: ShapePlanner) -> [Step] {
        let object = "partitioning of \(name)"
        let table = SQL.qualified(name)
        let lock = Step.Lock.accessExclusive(name)
        let requires: [Step.Requirement] = [.owner(name, .table), .create(inSchema: name.schema)]
        let hazards: [Hazard] = [.correctness, .validationScan]
        let rows = partitions.map(\.estimatedRows).reduce(0, +)
        func step(_ sql: String, _ fixes: String, _ extra: [Step.Requirement] = [], on table: QualifiedName? = nil) -> Step {
            planner.step(object, sql, fixes, table.map { .accessExclusive($0) } ?? lock, requires: requires + extra,
                         hazards: hazards, rows: rows)
        }
        let message = SQL.literal("\(name) holds rows of its own, so reseq did not rebuild it as a partitioned table. If they are its partitions' rows copied a second time (DMS copies a partitioned table's rows into its parent), empty it with TRUNCATE ONLY \(table); otherwise move them into the partitions. Then run reconcile again.")
        let body = "BEGIN IF EXISTS (SELECT FROM ONLY \(table)) THEN RAISE EXCEPTION USING MESSAGE = \(message); END IF; END"
        var tag = "$reseq$"
        while body.contains(tag) { tag = "$reseq\(tag.count)$" }
        let owned = planner.ownedSequences[name] ?? []
        let kept = Dictionary(current.columns.filter(\.drawsFromSequence).map { ($0.name, $0.defaultExpression) },
                              uniquingKeysWith: { a, _ in a })
        let created = columns.map { column in
            var column = column
            if column.drawsFromSequence { column.defaultExpression = kept[column.name] ?? nil }
            column.identity = nil
            return column.createClause(table: name.name)
        }
        var steps = [
            step("LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE;", "locks \(name) while it is rebuilt"),
            step("DO \(tag)\(body)\(tag);", "checks that \(name) holds no rows of its own"),
        ]
        steps += owned.map {
            step("ALTER SEQUENCE \(SQL.qualified($0.sequence)) OWNED BY NONE;", "keeps \($0.sequence) when the plain \(name) is dropped")
        }
        steps += [
            step("DROP TABLE \(table);", "drops the plain table the copy made of \(name) (empty)"),
            step("CREATE TABLE \(table) (\(created.joined(separator: ", "))) PARTITION BY \(partitionKey ?? "");",
                 "creates \(name) partitioned by \(partitionKey ?? ""), as on the source"),
        ]
        if current.owner != planner.applyingRole {
            // The owner the plain table had: the sequences' steps expect it; the owners'
            // steps change it later where the source's differs.
            steps.append(step("ALTER TABLE \(table) OWNER TO \(SQL.identifier(current.owner));",
                              "gives the new \(name) the owner the plain one had", [.member(current.owner)]))
        }
        steps += owned.map {
            step("ALTER SEQUENCE \(SQL.qualified($0.sequence)) OWNED BY \(table).\(SQL.identifier($0.column));",
                 "links \($0.sequence) to the new \(name).\($0.column)")
        }
        for partition in partitions {
            let child = SQL.qualified(partition.name)
            let current = targets[partition.name]
            for column in partition.columns where column.notNull {
                guard let other = current?.columns.first(where: { $0.name == column.name }), !other.notNull else { continue }
                steps.append(step("ALTER TABLE \(child) ALTER COLUMN \(SQL.identifier(column.name)) SET NOT NULL;",
                                  "makes \(partition.name).\(column.name) NOT NULL, as attaching it needs", [.owner(partition.name, .table)],
                                  on: partition.name))
            }
            steps.append(step("ALTER TABLE \(table) ATTACH PARTITION \(child) \(partition.partitionBound ?? "DEFAULT");",
                              "attaches \(partition.name) to \(name)", [.owner(partition.name, .table)], on: partition.name))
        }
        return steps
    }

    /// What the target's table is once the rebuild has run: the source's columns (their
    /// sequence defaults are the sequences' steps), no keys, indexes, triggers or policies yet.
    func rebuilt(owner: String) -> TableDef {
        var table = TableDef(name: name, kind: .partitioned, partitionKey: partitionKey, owner: owner,
                             columns: columns.map { column in
                                 var column = column
                                 if column.drawsFromSequence { column.defaultExpression = nil }
                                 column.identity = nil
                                 column.comment = nil
                                 return column
                             })
        table.estimatedRows = estimatedRows
        return table
    }
}

extension ColumnDef {
    /// The column as CREATE TABLE writes it (an identity is left to the sequence's steps).
    /// Its NOT NULL is named as PostgreSQL 18 names it by default (`table_column_not_null`),
    /// where that name is whole: 18 otherwise picks `…_not_null1` when a detached partition
    /// still has a constraint of that name, and the shape would differ from the source's.
    func createClause(table: String) -> String {
        var clause = "\(SQL.identifier(name)) \(type)"
        if let collation { clause += " COLLATE \(collation)" }
        if let generated {
            clause += " GENERATED ALWAYS AS (\(generated)) STORED"
        } else if let defaultExpression {
            clause += " DEFAULT \(defaultExpression)"
        }
        if notNull {
            let constraint = "\(table)_\(name)_not_null"
            clause += constraint.utf8.count <= 63 ? " CONSTRAINT \(SQL.identifier(constraint)) NOT NULL" : " NOT NULL"
        }
        return clause
    }
}
