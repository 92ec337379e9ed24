import PostgresClient

/// A table constraint: primary key, unique, check, foreign key or exclusion, as
/// `pg_get_constraintdef` prints it, with whether it is validated and deferrable.
/// NOT NULL is the column's (`attnotnull`), even where PostgreSQL 18 keeps it here too.
public struct ConstraintDef: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        case primaryKey, unique, check, foreignKey, exclusion

        init?(code: String) {
            switch code {
            case "p": self = .primaryKey
            case "u": self = .unique
            case "c": self = .check
            case "f": self = .foreignKey
            case "x": self = .exclusion
            default: return nil
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var definition: String
    public var validated: Bool
    public var deferrable: Bool
    public var deferred: Bool
    /// The referenced table of a foreign key.
    public var references: QualifiedName?
    public var comment: String?

    public init(name: String, kind: Kind, definition: String, validated: Bool = true, deferrable: Bool = false,
                deferred: Bool = false, references: QualifiedName? = nil, comment: String? = nil) {
        self.name = name
        self.kind = kind
        self.definition = definition
        self.validated = validated
        self.deferrable = deferrable
        self.deferred = deferred
        self.references = references
        self.comment = comment
    }

    /// Constraints a partition inherits from its parent's (`conparentid`, PostgreSQL 11+) are
    /// the parent's: told once, there.
    static func query(_ scope: CatalogScope) -> String {
        """
        SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype::text AS kind,
               pg_get_constraintdef(k.oid) AS definition, k.convalidated AS validated,
               k.condeferrable AS deferrable, k.condeferred AS deferred,
               fn.nspname AS ref_schema, fc.relname AS ref_table, d.description AS comment
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class fc ON fc.oid = k.confrelid
        LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        \(Comment.join("k", "pg_constraint"))
        WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND c.relkind IN ('r', 'p') AND \(scope.readable("c")) AND \(scope.inRange("n", "c"))
          \(scope.serverVersion >= 110000 ? "AND k.conparentid = 0" : "")
          AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """
    }

    static func read(_ result: QueryResult) throws -> [QualifiedName: [ConstraintDef]] {
        var grouped: [QualifiedName: [ConstraintDef]] = [:]
        for (table, rows) in try SchemaObjects.byTable(result, { row -> ConstraintDef? in
            guard let kind = Kind(code: try result.string(row, "kind")) else { return nil }
            return ConstraintDef(
                name: try result.string(row, "name"), kind: kind, definition: try result.string(row, "definition"),
                validated: try result.bool(row, "validated"), deferrable: try result.bool(row, "deferrable"),
                deferred: try result.bool(row, "deferred"),
                references: try result.optionalString(row, "ref_table").map {
                    QualifiedName(schema: try result.string(row, "ref_schema"), name: $0)
                },
                comment: try result.optionalString(row, "comment"))
        }) {
            grouped[table] = rows.compactMap { $0 }
        }
        return grouped
    }

    /// Matched by name; a primary key of another name still counts as the primary key.
    static func findings(_ source: TableDef, _ target: TableDef, _ context: ObjectsContext) -> [Finding] {
        let key = { (c: ConstraintDef) in c.kind == .primaryKey ? "\u{0}primary key" : c.name }
        let matched = Matched(source.constraints, target.constraints, by: key)
        let table = source.name
        var findings: [Finding] = matched.missing.map { constraint in
            Finding(constraint.missingKind, .error, .constraint(table, constraint.name), source: constraint.definition,
                    target: nil, constraint.missingConsequence(table))
        }
        for (constraint, other) in matched.both {
            let id = ObjectID.constraint(table, constraint.name)
            if !Definition.same(constraint.definition, other.definition) || constraint.deferrable != other.deferrable
                || constraint.deferred != other.deferred {
                findings.append(Finding(.constraintDiffers, .error, id, source: constraint.definition, target: other.definition,
                    "\(constraint.kind.words) \(constraint.name) on \(table) checks something else on the target: rows the source refused may be accepted, or the reverse."))
            } else if constraint.validated, !other.validated {
                findings.append(Finding(.constraintDiffers, .warning, id, source: "validated", target: "NOT VALID",
                    "\(constraint.kind.words) \(constraint.name) on \(table) is NOT VALID on the target: rows already there were never checked."))
            }
            findings += Comment.findings(id, constraint.comment, other.comment)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .warning, .constraint(table, $0.name), source: nil, target: $0.definition,
                    "\($0.kind.words) \($0.name) exists only on the target: it may refuse writes the source accepted.")
        }
        return findings
    }

    var missingKind: Finding.Kind {
        switch kind {
        case .primaryKey: return .primaryKeyMissing
        case .unique: return .uniqueMissing
        case .check: return .checkMissing
        case .foreignKey: return .foreignKeyMissing
        case .exclusion: return .exclusionMissing
        }
    }

    func missingConsequence(_ table: QualifiedName) -> String {
        let columns = Definition.firstList(definition)
        switch kind {
        case .primaryKey:
            return "no primary key on \(table)\(columns): duplicate rows can be inserted, and DMS ignores updates and deletes on it."
        case .unique:
            return "no unique constraint on \(table)\(columns): duplicates can be inserted."
        case .check:
            return "no check \(name) on \(table): rows that break \(definition) can be inserted."
        case .foreignKey:
            let referenced = references?.description ?? "the referenced table"
            return "no foreign key \(table)\(columns) → \(referenced): rows can point at \(referenced) rows that don't exist, and deleting those leaves orphans."
        case .exclusion:
            return "no exclusion constraint \(name) on \(table): conflicting (for example overlapping) rows can be inserted."
        }
    }
}

extension ConstraintDef.Kind {
    var words: String {
        switch self {
        case .primaryKey: return "primary key"
        case .unique: return "unique constraint"
        case .check: return "check"
        case .foreignKey: return "foreign key"
        case .exclusion: return "exclusion constraint"
        }
    }
}
