/// Plans one source sequence and every column that draws from it, in dependency order:
/// schema, sequence, definition, identity, defaults, ownership, and the value last.
struct ObjectPlanBuilder {
    let sequence: SequenceInfo
    let source: SnapshotIndex
    let target: SnapshotIndex
    let options: Planner.Options
    let access: AccessPlanner?
    private var steps: [Step] = []

    init(sequence: SequenceInfo, source: SnapshotIndex, target: SnapshotIndex, options: Planner.Options,
         access: AccessPlanner? = nil) {
        self.sequence = sequence
        self.source = source
        self.target = target
        self.options = options
        self.access = access
    }

    private var name: QualifiedName { sequence.name }
    private var object: String { name.description }

    private func unresolved(_ kind: Finding.Kind, _ consequence: String, table: QualifiedName? = nil) -> Finding {
        Finding(kind: kind, severity: .error, object: object, schema: name.schema, table: table?.name,
                sourceValue: sequence.position?.description, consequence: consequence)
    }

    private mutating func add(_ sql: String, _ fixes: String, _ lock: Step.Lock, _ requires: [Step.Requirement]) {
        steps.append(Step(object: object, sql: sql, fixes: fixes, lock: lock, requires: requires))
    }

    mutating func build() throws(Unplannable) -> [Step] {
        guard let sourcePosition = sequence.position else {
            throw Unplannable(unresolved(.positionUnknown,
                "the source position of \(name) was not readable; grant SELECT on it and snapshot the source again."))
        }
        // A hand-made sequence named like an identity sequence is in the way, not a counterpart.
        let existing = Differ.counterpart(of: sequence, in: target).flatMap {
            sequence.isIdentity && !$0.isIdentity ? nil : $0
        }
        let targetPosition: SequencePosition
        if let existing {
            guard let position = existing.position else {
                throw Unplannable(unresolved(.positionUnknown,
                    "the target position of \(existing.name) was not readable; grant SELECT on it."))
            }
            targetPosition = position
        } else {
            targetPosition = SequencePosition(lastValue: sequence.start, isCalled: false)
        }

        var handedOut: Int64?
        if sequence.isIdentity {
            // A sequence renamed out of the way may have handed out ids the new one must skip.
            if let clashing = try planIdentity(existing: existing), let position = clashing.position,
               position.isCalled {
                handedOut = position.lastValue
            }
        } else {
            planSequence(existing: existing)
            try planDefaultsAndOwnership(existing: existing)
        }
        if let existing { planDefinition(existing) }

        var data = TargetData(for: sequence, source: source, target: target, targetSequence: existing?.name)
        if let handedOut { data.include(handedOut) }
        if let (ref, read) = data.unknown.first, !options.trustSourceValues {
            throw Unplannable(unresolved(.dataUnknown,
                "max(\(ref.column)) of \(ref.table) on the target was not read (\(read.explanation)), so the ids already there are unknown and \(name) is not moved: a guess could hand out ids that exist. \(fixRead(ref, read)) Or pass --trust-source-values to use the source's position alone.",
                table: ref.table))
        }
        // The sequence's owner and privileges close its object, after its value: authorization
        // changes, which `Plan.allowing` holds back alone when they are not allowed.
        // A sequence linked to no column gets its source owner (an authorization change, an
        // object of its own); a linked one follows its table, which the shape's owner steps
        // give to the source's owner. Its grants are computed for that owner.
        var ownerStep: [Step] = []
        var grantsOwner = existing == nil ? futureOwner : nil
        let wanted = options.roles.target(sequence.owner)
        if sequence.ownedBy == nil, wanted != (existing?.owner ?? futureOwner),
           target.snapshot.access.map({ $0.roles.contains { $0.name == wanted } }) ?? true {
            ownerStep = [Step(object: object, sql: "ALTER SEQUENCE \(SQL.qualified(name)) OWNER TO \(SQL.identifier(wanted));",
                              fixes: "gives \(name) to \(wanted), its owner on the source", lock: .sequence(name),
                              requires: [.owner(name, .sequence), .member(wanted)], hazards: [.authorization])]
            if existing == nil { grantsOwner = wanted }
        } else if sequence.ownedBy != nil, options.ownersFollowSource, existing == nil {
            grantsOwner = wanted
        }
        let grants = ownerStep + (access?.sequenceGrants(name, object: object, created: grantsOwner) ?? [])
        if let comment = sequence.comment, comment != existing?.comment {
            add("COMMENT ON SEQUENCE \(SQL.qualified(name)) IS \(SQL.literal(comment));", "restores the comment on \(name)",
                .sequence(name), [.owner(name, .sequence)])
        }
        switch ValueRule.decide(source: sourcePosition, bounds: sequence.bounds, target: targetPosition,
                                dataMax: data.max, dataMin: data.min, headroom: options.headroom) {
        case .keep:
            break
        case .set(let position, let next):
            add("SELECT setval(\(SQL.literal(SQL.qualified(name)))::regclass, \(position.lastValue), \(position.isCalled));",
                "moves \(name) so that its next value is \(next)", .none, [.update(name)])
        case .outOfRange(let needed, let limit):
            throw Unplannable(unresolved(.valueOutOfRange,
                "\(name) would need to hand out \(needed), past its limit \(limit); raise MAXVALUE/MINVALUE or widen the type, then run reseq again."))
        }
        return steps + grants
    }

    /// What makes an unread column readable, in words and SQL.
    private func fixRead(_ ref: ColumnRef, _ read: DataRead) -> String {
        switch read {
        case .denied:
            let role = options.applyingRole ?? "the connected role"
            let me = options.applyingRole.map(SQL.identifier) ?? "ROLE"
            let owner = target.column(ref)?.tableOwner
            let viaOwner = owner.map { "GRANT \(SQL.identifier($0)) TO \(me); (\($0) owns it) or " } ?? ""
            return "\(role) may not read it. Fix: \(viaOwner)GRANT SELECT ON TABLE \(SQL.qualified(ref.table)) TO \(me);, then run again."
        case .blocked: return "Run again when the other session has released its lock."
        case .timedOut: return "Raise --read-timeout, or add an index on the column, and run again."
        case .skipped: return "Add an index on the column, or pass --allow-full-scans, and run again."
        case .notAsked: return "Snapshot the target without --skip-row-reads and run again."
        case .read: return ""
        }
    }

    /// Who owns the sequence once the plan created it: the owner of the table it is linked to
    /// (OWNED BY and identity need the same owner; the plan makes it so), else the applying role.
    private var futureOwner: String {
        if let ref = sequence.ownedBy, let column = target.column(ref) { return column.tableOwner }
        return options.applyingRole ?? options.roles.target(sequence.owner)
    }

    struct Unplannable: Error {
        let finding: Finding
        init(_ finding: Finding) { self.finding = finding }
    }

    // MARK: - Sequence and definition

    private var optionsClause: String {
        [
            "INCREMENT BY \(sequence.increment)",
            "MINVALUE \(sequence.minValue)",
            "MAXVALUE \(sequence.maxValue)",
            "START WITH \(sequence.start)",
            "CACHE \(sequence.cache)",
            sequence.cycle ? "CYCLE" : "NO CYCLE",
        ].joined(separator: " ")
    }

    private mutating func planSequence(existing: SequenceInfo?) {
        guard existing == nil else { return }
        if !target.schemas.contains(name.schema) {
            add("CREATE SCHEMA IF NOT EXISTS \(SQL.identifier(name.schema));",
                "creates schema \(name.schema), which the sequence lives in", .none, [.createSchema])
        }
        let unlogged = sequence.unlogged ? "UNLOGGED " : ""
        add("CREATE \(unlogged)SEQUENCE \(SQL.qualified(name)) AS \(sequence.dataType.rawValue) \(optionsClause);",
            "creates the missing sequence \(name)", .sequence(name), [.create(inSchema: name.schema)])
    }

    private mutating func planDefinition(_ existing: SequenceInfo) {
        let differences = Differ.definitionDifferences(sequence, existing)
        let clauses = differences.compactMap { difference -> String? in
            switch difference.field {
            case "type": return "AS \(sequence.dataType.rawValue)"
            case "increment": return "INCREMENT BY \(sequence.increment)"
            case "minvalue": return "MINVALUE \(sequence.minValue)"
            case "maxvalue": return "MAXVALUE \(sequence.maxValue)"
            case "start": return "START WITH \(sequence.start)"
            case "cache": return "CACHE \(sequence.cache)"
            case "cycle": return sequence.cycle ? "CYCLE" : "NO CYCLE"
            default: return nil
            }
        }
        // By now the target's sequence carries the source's name (an identity sequence under
        // another name was renamed above).
        if !clauses.isEmpty {
            add("ALTER SEQUENCE \(SQL.qualified(name)) \(clauses.joined(separator: " "));",
                "makes the definition of \(name) match the source (\(differences.map(\.field).filter { $0 != "persistence" }.joined(separator: ", ")))",
                .sequence(name), [.owner(name, .sequence)])
        }
        if existing.unlogged != sequence.unlogged {
            add("ALTER SEQUENCE \(SQL.qualified(name)) SET \(sequence.unlogged ? "UNLOGGED" : "LOGGED");",
                "makes \(name) \(sequence.unlogged ? "unlogged" : "logged") as on the source", .sequence(name), [.owner(name, .sequence)])
        }
    }

    // MARK: - Defaults and OWNED BY

    private mutating func planDefaultsAndOwnership(existing: SequenceInfo?) throws(Unplannable) {
        let users = source.columns(drawingFrom: name).filter { $0.identity == nil }
        var settingDefault = Set<ColumnRef>()
        for column in users {
            guard let targetColumn = target.column(column.ref) else {
                throw Unplannable(unresolved(.defaultMissing,
                    "\(column.ref.table) or its column \(column.ref.column) is not on the target; copy the table first.",
                    table: column.ref.table))
            }
            if targetColumn.identity != nil || targetColumn.defaultSequence == name { continue }
            settingDefault.insert(column.ref)
        }
        for column in users where settingDefault.contains(column.ref) {
            // ALTER TABLE on a partitioned parent sets the default on its partitions too.
            if let parent = column.partitionOf,
               settingDefault.contains(ColumnRef(table: parent, column: column.ref.column)) { continue }
            add("ALTER TABLE \(SQL.qualified(column.ref.table)) ALTER COLUMN \(SQL.identifier(column.ref.column)) SET DEFAULT \(SQL.nextval(name));",
                "gives \(column.ref) its default nextval('\(name)') back", .accessExclusive(column.ref.table), [.owner(column.ref.table, .table)])
        }
        guard let owner = sequence.ownedBy, existing?.ownedBy != owner else { return }
        guard let ownerColumn = target.column(owner) else {
            throw Unplannable(unresolved(.ownershipMissing,
                "\(owner.table) or its column \(owner.column) is not on the target; copy the table first.",
                table: owner.table))
        }
        // OWNED BY needs the sequence and the table to have the same owner.
        if (existing.map(\.owner) ?? options.applyingRole) != ownerColumn.tableOwner {
            add("ALTER SEQUENCE \(SQL.qualified(name)) OWNER TO \(SQL.identifier(ownerColumn.tableOwner));",
                "gives \(name) the owner of \(owner.table), which OWNED BY requires", .sequence(name), [.owner(name, .sequence), .member(ownerColumn.tableOwner)])
        }
        add("ALTER SEQUENCE \(SQL.qualified(name)) OWNED BY \(SQL.qualified(owner.table)).\(SQL.identifier(owner.column));",
            "links \(name) to \(owner), so it is dropped with the column", .sequence(name), [.owner(name, .sequence)])
    }

    // MARK: - Identity

    /// Restores or corrects the identity column. Returns the sequence renamed out of the way of
    /// the identity sequence's name, if there was one.
    private mutating func planIdentity(existing: SequenceInfo?) throws(Unplannable) -> SequenceInfo? {
        guard let ref = sequence.ownedBy, let kind = source.column(ref)?.identity else {
            throw Unplannable(unresolved(.identityMissing,
                "the source snapshot names \(name) an identity sequence but not its column; snapshot the source again."))
        }
        guard let column = target.column(ref) else {
            throw Unplannable(unresolved(.identityMissing,
                "\(ref.table) or its column \(ref.column) is not on the target; copy the table first.", table: ref.table))
        }
        let table = SQL.qualified(ref.table)
        let alterColumn = "ALTER TABLE \(table) ALTER COLUMN \(SQL.identifier(ref.column))"
        if let existing {
            if let current = column.identity, current != kind {
                add("\(alterColumn) SET GENERATED \(kind.sql);",
                    "makes \(ref) GENERATED \(kind.sql) as on the source", .accessExclusive(ref.table), [.owner(ref.table, .table)])
            }
            if existing.name != name {
                guard target.sequence(name) == nil else {
                    throw Unplannable(unresolved(.identityDiffers,
                        "the identity sequence of \(ref) is \(existing.name) on the target and another sequence holds the name \(name); rename one by hand."))
                }
                add("ALTER SEQUENCE \(SQL.qualified(existing.name)) RENAME TO \(SQL.identifier(name.name));",
                    "gives the identity sequence of \(ref) its source name \(name.name)", .sequence(existing.name), [.owner(existing.name, .sequence)])
            }
            return nil
        }
        if !column.notNull {
            add("\(alterColumn) SET NOT NULL;", "makes \(ref) NOT NULL, which an identity column needs",
                .accessExclusive(ref.table), [.owner(ref.table, .table)])
        }
        if let expression = column.defaultExpression {
            add("\(alterColumn) DROP DEFAULT;",
                "drops the default \(expression) of \(ref), which an identity column cannot have",
                .accessExclusive(ref.table), [.owner(ref.table, .table)])
        }
        var clashing: SequenceInfo?
        if let other = target.sequence(name) {
            // A sequence made by hand holds the name; keep it (it holds a position) under another.
            let spare = Self.spareName(for: name.name)
            guard target.sequence(QualifiedName(schema: name.schema, name: spare)) == nil else {
                throw Unplannable(unresolved(.identityMissing,
                    "\(name) and \(name.schema).\(spare) both exist on the target; rename one so the identity sequence can take its name."))
            }
            add("ALTER SEQUENCE \(SQL.qualified(name)) RENAME TO \(SQL.identifier(spare));",
                "keeps the hand-made \(name) as \(spare), so the identity sequence can take its name",
                .sequence(name), [.owner(name, .sequence)])
            clashing = other
        }
        // The identity sequence takes the column's type; AS in the options is refused.
        add("\(alterColumn) ADD GENERATED \(kind.sql) AS IDENTITY (SEQUENCE NAME \(SQL.qualified(name)) \(optionsClause));",
            "restores \(ref) as GENERATED \(kind.sql) AS IDENTITY", .accessExclusive(ref.table), [.owner(ref.table, .table)])
        if SequenceType(catalogName: column.dataType) != sequence.dataType {
            add("ALTER SEQUENCE \(SQL.qualified(name)) AS \(sequence.dataType.rawValue);",
                "gives the identity sequence \(name) its source type \(sequence.dataType.rawValue)", .sequence(name), [.owner(name, .sequence)])
        }
        if sequence.unlogged {
            add("ALTER SEQUENCE \(SQL.qualified(name)) SET UNLOGGED;", "makes \(name) unlogged as on the source", .sequence(name), [.owner(name, .sequence)])
        }
        return clashing
    }

    /// `<name>_before_reseq`, cut to PostgreSQL's 63-byte identifier limit on a character boundary.
    static func spareName(for name: String) -> String {
        let suffix = "_before_reseq"
        var base = name
        while base.utf8.count + suffix.utf8.count > 63 { base.removeLast() }
        return base + suffix
    }
}
