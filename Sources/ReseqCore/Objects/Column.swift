import PostgresClient

/// A column of a table: its type as `format_type` prints it, NOT NULL, default, collation
/// (when not the type's own), identity and generation expression.
public struct ColumnDef: Codable, Hashable, Sendable {
    public var name: String
    public var type: String
    public var notNull: Bool
    /// `pg_get_expr` of the default; nil for a generated column (see `generated`).
    public var defaultExpression: String?
    /// The collation, when it is not the type's default.
    public var collation: String?
    public var identity: IdentityKind?
    /// `pg_get_expr` of a stored generated column's expression.
    public var generated: String?
    public var comment: String?
    /// Privileges granted on the column itself (nil: none, the default); the table's own
    /// privileges cover every column besides.
    @ACLCoded public var acl: [Grant]?

    public init(name: String, type: String, notNull: Bool = false, defaultExpression: String? = nil,
                collation: String? = nil, identity: IdentityKind? = nil, generated: String? = nil, comment: String? = nil,
                acl: [Grant]? = nil) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultExpression = defaultExpression
        self.collation = collation
        self.identity = identity
        self.generated = generated
        self.comment = comment
        self.acl = acl?.sorted()
    }

    /// Defaults are deparsed without their table (relid 0): a default cannot refer to a column,
    /// and naming the table makes pg_get_expr open every relation. Generated columns do refer
    /// to columns (PostgreSQL 12+).
    static func query(_ scope: CatalogScope) -> String {
        let generated = scope.serverVersion >= 120000 ? "a.attgenerated::text" : "''"
        return """
            SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
                   format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                   CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
                   a.attidentity::text AS identity, \(generated) AS generated,
                   pg_get_expr(ad.adbin, CASE WHEN \(generated) = '' THEN 0 ELSE ad.adrelid END) AS default_expression,
                   d.description AS comment, \(CatalogSQL.aclJSON("a.attacl")) AS acl
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
            LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
            WHERE c.relkind IN ('r', 'p') AND \(scope.readable("c")) AND a.attnum > 0 AND NOT a.attisdropped
              AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
            ORDER BY n.nspname, c.relname, a.attnum
            """
    }

    init(_ result: QueryResult, _ row: Int, acls: ACLReader) throws {
        let expression = try result.optionalString(row, "default_expression")
        let isGenerated = try result.string(row, "generated") != ""
        let identity = IdentityKind(catalogCode: try result.string(row, "identity"))
        self.init(name: try result.string(row, "name"), type: try result.string(row, "type"),
                  notNull: try result.bool(row, "not_null"), defaultExpression: isGenerated ? nil : expression,
                  collation: try result.optionalString(row, "collation"), identity: identity,
                  generated: isGenerated ? expression : nil, comment: try result.optionalString(row, "comment"),
                  acl: try acls.grants(result, row))
    }

    /// A default that draws from a sequence; the sequence diff tells of those.
    var drawsFromSequence: Bool { identity != nil || defaultExpression?.hasPrefix("nextval(") == true }

    static func findings(_ source: TableDef, _ target: TableDef, _ context: ObjectsContext) -> [Finding] {
        let matched = Matched(source.columns, target.columns, by: \.name)
        var findings: [Finding] = matched.missing.map {
            Finding(.columnMissing, .error, .column(source.name, $0.name), source: $0.type, target: nil,
                    "column \($0.name) of \(source.name) does not exist on the target: its data is gone and queries naming it fail.")
        }
        for (column, other) in matched.both {
            findings += column.findings(against: other, table: source.name, context)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, $0.notNull && $0.defaultExpression == nil ? .warning : .info, .column(source.name, $0.name),
                    source: nil, target: $0.type,
                    $0.notNull && $0.defaultExpression == nil
                        ? "column \($0.name) exists only on the target and is NOT NULL without a default: inserts written for the source fail."
                        : "column \($0.name) of \(source.name) exists only on the target.")
        }
        return findings
    }

    private func findings(against other: ColumnDef, table: QualifiedName, _ context: ObjectsContext) -> [Finding] {
        let id = ObjectID.column(table, name)
        let ref = "\(table).\(name)"
        var findings: [Finding] = []
        if type != other.type {
            let (severity, consequence) = Self.typeChange(from: type, to: other.type, ref: ref, context)
            findings.append(Finding(.columnTypeDiffers, severity, id, source: type, target: other.type, consequence))
        }
        if notNull != other.notNull {
            findings.append(Finding(.notNullDiffers, .error, id, source: notNull ? "NOT NULL" : "NULL",
                                    target: other.notNull ? "NOT NULL" : "NULL",
                notNull ? "\(ref) accepts NULL on the target: rows the source refused can be inserted."
                        : "\(ref) is NOT NULL on the target: inserts that leave it empty fail, as they did not on the source."))
        }
        // Sequence defaults and identity are the sequence diff's.
        if !drawsFromSequence, !other.drawsFromSequence, !Definition.same(defaultExpression, other.defaultExpression) {
            if let wanted = defaultExpression {
                findings.append(Finding(other.defaultExpression == nil ? .defaultMissing : .defaultDiffers, .error, id,
                    source: wanted, target: other.defaultExpression ?? "none",
                    other.defaultExpression == nil
                        ? "inserts that omit \(ref) get NULL instead of \(wanted)\(notNull ? ", and fail on its NOT NULL" : "")."
                        : "inserts that omit \(ref) get \(other.defaultExpression ?? "") instead of \(wanted)."))
            } else {
                findings.append(Finding(.defaultDiffers, .warning, id, source: "none", target: other.defaultExpression,
                    "inserts that omit \(ref) get \(other.defaultExpression ?? "") on the target, NULL on the source."))
            }
        }
        if collation != other.collation {
            findings.append(Finding(.columnDiffers, .warning, id, source: collation.map { "COLLATE \($0)" } ?? "default collation",
                                    target: other.collation.map { "COLLATE \($0)" } ?? "default collation",
                                    "\(ref) sorts and compares text differently on the target: ORDER BY and unique checks may disagree with the source."))
        }
        if !Definition.same(generated, other.generated) {
            findings.append(Finding(.columnDiffers, .error, id, source: generated.map { "GENERATED ALWAYS AS (\($0))" } ?? "plain",
                                    target: other.generated.map { "GENERATED ALWAYS AS (\($0))" } ?? "plain",
                generated != nil ? "\(ref) is no longer computed on the target: new rows get whatever the application writes, or NULL."
                                 : "\(ref) is computed on the target: writes that set it fail."))
        }
        findings += Comment.findings(id, comment, other.comment)
        return findings
    }

    /// How bad a type change is: error when values were lost or are read differently, warning
    /// when the target only accepts more.
    static func typeChange(from source: String, to target: String, ref: String, _ context: ObjectsContext)
        -> (Finding.Severity, String)
    {
        let sourceBase = base(source), targetBase = base(target)
        let modifier = { (type: String) -> [Int] in
            guard let open = type.firstIndex(of: "("), let close = type.firstIndex(of: ")") else { return [] }
            return type[type.index(after: open)..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        let text = ["text", "character varying"]
        if sourceBase == "numeric", targetBase == "numeric", let scale = modifier(target).last, modifier(target).count == 2 {
            if modifier(source).isEmpty || (modifier(source).last ?? 0) > scale {
                return (.error, "\(ref) is \(target) on the target, \(source) on the source: values with more than \(scale) decimal places were rounded by the copy.")
            }
        }
        if source == "boolean", targetBase != "boolean" {
            return (.error, "\(ref) is \(target) on the target, boolean on the source: true and false are stored as text, so boolean comparisons and clients expecting booleans fail.")
        }
        if let type = context.sourceTypes[source] {
            switch type.kind {
            case .enum:
                return (.error, "\(ref) is \(target) on the target, enum \(source) on the source: any text is accepted where only its labels were, and ordering follows the alphabet, not the enum.")
            case .domain:
                return (.error, "\(ref) is \(target) on the target, domain \(source) on the source: the domain's checks no longer apply.")
            default:
                return (.error, "\(ref) is \(target) on the target, \(source) on the source: values are stored as text and its operators are gone.")
            }
        }
        if ["json", "jsonb", "xml", "hstore"].contains(sourceBase) || source.hasSuffix("[]"), text.contains(targetBase) {
            return (.error, "\(ref) is \(target) on the target, \(source) on the source: values are plain text, so operators such as -> and @> or array subscripts fail, and invalid values are accepted.")
        }
        if text.contains(sourceBase), targetBase == "character varying", let limit = modifier(target).first,
           sourceBase == "text" || modifier(source).isEmpty || (modifier(source).first ?? 0) > limit {
            return (.error, "\(ref) is \(target) on the target, \(source) on the source: values longer than \(limit) characters were cut or refused.")
        }
        let widening: [String: [String]] = ["smallint": ["integer", "bigint", "numeric"], "integer": ["bigint", "numeric"],
                                            "bigint": ["numeric"], "real": ["double precision"],
                                            "character varying": ["text", "character varying"], "character": ["text", "character varying"]]
        if widening[sourceBase]?.contains(targetBase) == true,
           targetBase != sourceBase || (modifier(target).first ?? Int.max) >= (modifier(source).first ?? Int.max) {
            return (.warning, "\(ref) is \(target) on the target, \(source) on the source: the target accepts values the source refused.")
        }
        return (.error, "\(ref) is \(target) on the target, \(source) on the source: values may have been converted by the copy and are read differently.")
    }
}

// MARK: - Rebuilding

extension ColumnDef {
    /// Two objects per table, one statement each: every column's type changed back in one
    /// ALTER TABLE (one rewrite, `USING column::type`: text to jsonb, varchar to the recreated
    /// enum or to boolean), with the defaults of those columns (a default of the source's type
    /// cannot go on the copy's); and the other defaults the copy dropped, a brief lock
    /// (sequence defaults are the sequences'). Values the copy already rounded or cut do not
    /// come back; the step says so.
    static func steps(_ table: TableDef, _ other: TableDef, _ planner: ShapePlanner,
                      _ unresolved: inout [Finding]) -> [Step] {
        let matched = Matched(table.columns, other.columns, by: \.name)
        let object = "columns of \(table.name)"
        let (alter, requires) = planner.alterTable(table.name)
        var types: [String] = []
        var hazards: Set<Hazard> = []
        var lost: [String] = []
        var defaults: [String] = []
        var defaultColumns: [String] = []
        for column in matched.missing {
            unresolved.append(Finding(.columnMissing, .error, .column(table.name, column.name), source: column.type, target: nil,
                "column \(column.name) of \(table.name) does not exist on the target, so its values were not copied; reseq does not invent them. Add it to the copy and run reconcile again."))
        }
        for (column, target) in matched.both {
            let name = SQL.identifier(column.name)
            if column.generated != target.generated, let expression = column.generated, target.generated == nil {
                // A plain column cannot become generated in place: replaced, its values
                // computed again (a rewrite; the column moves to the end of the table).
                types.append("DROP COLUMN \(name), ADD COLUMN \(name) \(column.type)\(column.collation.map { " COLLATE \($0)" } ?? "") GENERATED ALWAYS AS (\(expression)) STORED\(column.notNull ? " NOT NULL" : "")")
                hazards.formUnion([.tableRewrite, .correctness])
                continue
            }
            if column.generated != target.generated {
                unresolved.append(Finding(.columnDiffers, .error, .column(table.name, column.name),
                    source: column.generated.map { "GENERATED ALWAYS AS (\($0)) STORED" } ?? "plain",
                    target: target.generated.map { "GENERATED ALWAYS AS (\($0)) STORED" } ?? "plain",
                    "\(table.name).\(column.name) is generated differently on the target; reseq does not drop a generated expression. Fix it by hand."))
                continue
            }
            let retyped = column.type != target.type || column.collation != target.collation
            if retyped {
                let collate = column.collation != target.collation ? " COLLATE \(column.collation ?? "pg_catalog.\"default\"")" : ""
                types.append("ALTER COLUMN \(name) TYPE \(column.type)\(collate) USING \(name)::\(column.type)")
                if !Self.keepsStorage(from: target.type, to: column.type) { hazards.insert(.tableRewrite) }
                // A cast can fail on the rows there; what the copy lost stays lost.
                if column.type != target.type { hazards.insert(.correctness) }
                if Self.lostData(from: column.type, to: target.type) { lost.append(column.name) }
            }
            if !column.drawsFromSequence, !target.drawsFromSequence, let wanted = column.defaultExpression,
               !Definition.same(wanted, target.defaultExpression) {
                let clause = "ALTER COLUMN \(name) SET DEFAULT \(wanted)"
                if retyped { types.append(clause) } else { defaults.append(clause); defaultColumns.append(column.name) }
            }
        }
        var steps: [Step] = []
        if !types.isEmpty {
            let note = lost.isEmpty ? "" : "; values of \(lost.joined(separator: ", ")) that the copy rounded or cut stay as they are"
            steps.append(planner.step(object, "\(alter) \(types.joined(separator: ", "));",
                "gives \(table.name) its columns' source types\(note)", .accessExclusive(table.name), requires: requires,
                hazards: Array(hazards), rows: table.estimatedRows))
        }
        if !defaults.isEmpty {
            steps.append(planner.step("defaults of \(table.name)", "\(alter) \(defaults.joined(separator: ", "));",
                "restores the default\(defaults.count == 1 ? "" : "s") of \(defaultColumns.map { "\(table.name).\($0)" }.joined(separator: ", "))",
                .accessExclusive(table.name), requires: requires))
        }
        return steps
    }

    /// NOT NULL the copy dropped, without a long ACCESS EXCLUSIVE scan: a CHECK (c IS NOT
    /// NULL) NOT VALID, validated under a lock that lets writes go on, lets SET NOT NULL skip
    /// its scan (PostgreSQL 12+); the check is dropped after. Each step commits on its own;
    /// a failure drops the check again.
    static func notNullSteps(_ table: TableDef, _ other: TableDef, _ planner: ShapePlanner) -> [Step] {
        let (alter, requires) = planner.alterTable(table.name)
        var steps: [Step] = []
        for (column, target) in Matched(table.columns, other.columns, by: \.name).both
        where column.notNull && !target.notNull && column.identity == nil {
            let object = "NOT NULL \(table.name).\(column.name)"
            let name = SQL.identifier(column.name)
            let check = SQL.identifier("reseq_not_null_\(column.name)")  // cut to 63 bytes by the server
            if table.kind == .partitioned {
                // No NOT VALID check on a partitioned table: SET NOT NULL scans the partitions.
                steps.append(planner.step(object, "\(alter) ALTER COLUMN \(name) SET NOT NULL;", "makes \(table.name).\(column.name) NOT NULL",
                    .accessExclusive(table.name), requires: requires, hazards: [.validationScan], rows: table.estimatedRows))
                continue
            }
            steps += [
                // A check left by a run cut off before it could drop it is replaced, not in the way.
                planner.step(object, "\(alter) DROP CONSTRAINT IF EXISTS \(check), ADD CONSTRAINT \(check) CHECK (\(name) IS NOT NULL) NOT VALID;",
                    "checks new rows of \(table.name).\(column.name) for NULL", .accessExclusive(table.name), requires: requires,
                    standalone: true, undo: "\(alter) DROP CONSTRAINT IF EXISTS \(check);"),
                planner.step(object, "\(alter) VALIDATE CONSTRAINT \(check);", "checks the rows already there for NULL",
                    .shareUpdateExclusive(table.name), requires: requires, hazards: [.validationScan], standalone: true,
                    rows: table.estimatedRows),
                planner.step(object, "\(alter) ALTER COLUMN \(name) SET NOT NULL;",
                    "makes \(table.name).\(column.name) NOT NULL (the validated check spares the scan)",
                    .accessExclusive(table.name), requires: requires, standalone: true),
                planner.step(object, "\(alter) DROP CONSTRAINT \(check);", "drops the check NOT NULL replaces",
                    .accessExclusive(table.name), requires: requires, standalone: true),
            ]
        }
        return steps
    }

    /// A type without its modifier: `numeric(28,6)` → `numeric`.
    static func base(_ type: String) -> String { String(type.prefix { $0 != "(" }) }

    /// A change PostgreSQL makes without rewriting the table: a longer or unlimited varchar,
    /// an unconstrained numeric.
    static func keepsStorage(from current: String, to wanted: String) -> Bool {
        if base(current) == "character varying", wanted == "text" || wanted == "character varying" { return true }
        if base(current) == "numeric", wanted == "numeric" { return true }
        return false
    }

    /// The copy's type kept less than the source's: numeric rounded to fewer places, text cut.
    static func lostData(from source: String, to copy: String) -> Bool {
        if base(source) == "numeric", copy.hasPrefix("numeric(") { return source == "numeric" || source != copy }
        if ["text", "character varying"].contains(base(source)), copy.hasPrefix("character varying(") { return source != copy }
        return false
    }
}
