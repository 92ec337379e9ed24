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

    /// What the constraint checks: the definition without the ` NOT VALID` that
    /// pg_get_constraintdef adds to one not validated yet (`validated` tells that apart).
    var checks: String {
        definition.hasSuffix(" NOT VALID") ? String(definition.dropLast(" NOT VALID".count)) : definition
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
            if !Definition.same(constraint.checks, other.checks) || constraint.deferrable != other.deferrable
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

// MARK: - Rebuilding

extension ConstraintDef {
    /// Keys, checks, foreign keys and exclusion constraints the target lacks, the online way:
    /// a primary key or unique constraint takes over an index built concurrently (`USING
    /// INDEX`); checks and foreign keys go in NOT VALID (new rows are checked at once) and
    /// are validated later (`validations`). A partitioned table allows neither: there the
    /// constraint is added whole, scanning under its lock. A check or foreign key that
    /// differs is replaced; a key that differs is left to a person (rows may break it).
    /// `keys`: the primary keys, unique and exclusion constraints (planned for every table
    /// before any foreign key, which needs the key it references); else checks and foreign keys.
    static func steps(_ table: TableDef, _ other: TableDef, keys: Bool, _ planner: ShapePlanner) -> [Step] {
        let key = { (c: ConstraintDef) in c.kind == .primaryKey ? "\u{0}primary key" : c.name }
        let isKey = { (c: ConstraintDef) in c.kind == .primaryKey || c.kind == .unique || c.kind == .exclusion }
        let matched = Matched(table.constraints.filter { isKey($0) == keys }, other.constraints, by: key)
        let partitioned = other.kind == .partitioned
        var steps: [Step] = []
        // A plain table's missing checks and foreign keys: one statement, NOT VALID (a
        // brief lock, however many), one object.
        let together = partitioned ? [] : matched.missing.filter { $0.kind == .check || $0.kind == .foreignKey }
        if !together.isEmpty {
            let object = "checks and foreign keys of \(table.name)"
            let (alter, requires) = planner.alterTable(table.name)
            let lock: Step.Lock = together.contains { $0.kind == .check } ? .accessExclusive(table.name) : .shareRowExclusive(table.name)
            steps.append(planner.step(object, "\(alter) \(together.map(\.notValidClause).joined(separator: ", "));",
                "adds \(together.map { "\($0.kind.words) \($0.name)" }.joined(separator: ", ")) to \(table.name); new rows are checked from now on",
                lock, requires: requires))
            for constraint in together {
                steps += planner.comment(object, on: "CONSTRAINT \(SQL.identifier(constraint.name)) ON \(SQL.qualified(table.name))",
                                         constraint.comment, nil, requires: requires)
            }
        }
        for constraint in matched.missing where !together.contains(constraint) {
            steps += constraint.add(to: table, partitioned: partitioned, replacing: nil, leftovers: other.indexes, planner)
        }
        for (constraint, current) in matched.both where constraint.kind == .check || constraint.kind == .foreignKey {
            if !Definition.same(constraint.checks, current.checks) || constraint.deferrable != current.deferrable
                || constraint.deferred != current.deferred {
                steps += constraint.add(to: table, partitioned: partitioned, replacing: current, leftovers: [], planner)
            }
        }
        for (constraint, current) in matched.both {
            steps += planner.comment("constraint \(table.name).\(constraint.name)",
                on: "CONSTRAINT \(SQL.identifier(constraint.name)) ON \(SQL.qualified(table.name))", constraint.comment,
                current.comment, requires: [.owner(table.name, .table)])
        }
        return steps
    }

    /// VALIDATE CONSTRAINT for the checks and foreign keys added NOT VALID above, or NOT VALID
    /// on the target and validated on the source: a table's in one statement, alone and
    /// committed, under a lock that lets reads and writes go on. When a row breaks one, none
    /// of the table's is validated; all stay NOT VALID (still checked for new rows) and the
    /// error names the one; a re-run validates them once the rows are fixed.
    static func validations(_ table: TableDef, _ other: TableDef, _ planner: ShapePlanner) -> [Step] {
        guard other.kind != .partitioned else { return [] }
        let current = Dictionary(other.constraints.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let pending = table.constraints.filter { constraint in
            guard constraint.validated, constraint.kind == .check || constraint.kind == .foreignKey else { return false }
            guard let existing = current[constraint.name] else { return true }
            return !existing.validated || !Definition.same(constraint.checks, existing.checks)
        }
        guard !pending.isEmpty else { return [] }
        let (alter, requires) = planner.alterTable(table.name)
        return [planner.step("validation of \(table.name)",
            "\(alter) \(pending.map { "VALIDATE CONSTRAINT \(SQL.identifier($0.name))" }.joined(separator: ", "));",
            "checks the rows already in \(table.name) against \(pending.map { "\($0.kind.words) \($0.name)" }.joined(separator: ", "))",
            .shareUpdateExclusive(table.name), requires: requires, hazards: [.validationScan], standalone: true,
            rows: table.estimatedRows)]
    }

    /// `ADD CONSTRAINT name definition NOT VALID` (a constraint NOT VALID on the source as it is).
    var notValidClause: String {
        "ADD CONSTRAINT \(SQL.identifier(name)) \(definition)\(validated ? " NOT VALID" : "")"
    }

    /// `leftovers`: the target's indexes; one named as the key's index but backing no constraint
    /// is what a build cut off left (INVALID, or built but never attached): dropped and built again.
    private func add(to table: TableDef, partitioned: Bool, replacing current: ConstraintDef?, leftovers: [IndexDef],
                     _ planner: ShapePlanner) -> [Step] {
        let object = "constraint \(table.name).\(name)"
        let (alter, requires) = planner.alterTable(table.name)
        let constraint = SQL.identifier(name)
        let drop = current.map { _ in
            [planner.step(object, "\(alter) DROP CONSTRAINT \(constraint);", "drops the \(kind.words) that differs from the source's",
                          .accessExclusive(table.name), requires: requires, hazards: [.correctness])]
        } ?? []
        let comment = planner.comment(object, on: "CONSTRAINT \(constraint) ON \(SQL.qualified(table.name))", self.comment, nil,
                                      requires: requires)
        switch kind {
        case .primaryKey, .unique:
            if !partitioned, let index = table.indexes.first(where: { $0.constraint == name }) {
                let timing = deferrable ? (deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE") : ""
                let words = kind == .primaryKey ? "PRIMARY KEY" : "UNIQUE"
                let leftover = leftovers.contains { $0.name == index.name && $0.constraint == nil }
                return index.build(on: table.name, partitioned: false, rows: table.estimatedRows, replacing: leftover,
                                   object: object, planner) + [
                    planner.step(object, "\(alter) ADD CONSTRAINT \(constraint) \(words) USING INDEX \(SQL.identifier(index.name))\(timing);",
                        "makes index \(index.name) the \(kind.words) \(name) of \(table.name)", .accessExclusive(table.name),
                        requires: requires, standalone: true)
                ] + comment.map { var step = $0; step.standalone = true; return step }
            }
            return [planner.step(object, "\(alter) ADD CONSTRAINT \(constraint) \(definition);",
                "adds the \(kind.words) \(name) to \(table.name), building its index under the lock", .accessExclusive(table.name),
                requires: requires, hazards: [.indexBuild], rows: table.estimatedRows)] + comment
        case .exclusion:
            return drop + [planner.step(object, "\(alter) ADD CONSTRAINT \(constraint) \(definition);",
                "adds the exclusion constraint \(name) to \(table.name), building its index under the lock",
                .accessExclusive(table.name), requires: requires, hazards: [.indexBuild], rows: table.estimatedRows)] + comment
        case .check, .foreignKey:
            let lock: Step.Lock = kind == .foreignKey ? .shareRowExclusive(table.name) : .accessExclusive(table.name)
            let alreadyNotValid = !validated
            if partitioned {
                return drop + [planner.step(object, "\(alter) ADD CONSTRAINT \(constraint) \(definition);",
                    "adds the \(kind.words) \(name) to \(table.name), checking its rows under the lock", lock,
                    requires: requires, hazards: alreadyNotValid ? [] : [.validationScan], rows: table.estimatedRows)] + comment
            }
            let notValid = alreadyNotValid ? "" : " NOT VALID"
            return drop + [planner.step(object, "\(alter) ADD CONSTRAINT \(constraint) \(definition)\(notValid);",
                "adds the \(kind.words) \(name) to \(table.name); new rows are checked from now on", lock,
                requires: requires)] + comment
        }
    }
}
