/// Compares a source snapshot with a target snapshot and says, in plain words, what will break.
/// Pure: no I/O.
public enum Differ {
    public struct Options: Sendable {
        /// Roles named differently on the target.
        public var roles: RoleMap
        /// Compare the shape (tables, constraints, indexes, …) when both snapshots keep it.
        public var objects: Bool
        /// `--only` / `--ignore`.
        public var kinds: Finding.KindFilter

        public init(roles: RoleMap = RoleMap(), objects: Bool = true, kinds: Finding.KindFilter = .init()) {
            self.roles = roles
            self.objects = objects
            self.kinds = kinds
        }
    }

    public static func diff(source: Snapshot, target: Snapshot, options: Options = Options()) -> [Finding] {
        let (source, target) = SnapshotIndex.pair(source, target)
        // The sequences, columns and privileges as one job, the rest of the shape in several
        // (about a tenth of a second each at 10,000 tables), on every core.
        var jobs: [@Sendable () -> [Finding]] = [{
            sequenceAndColumnFindings(source: source, target: target)
                + (AccessDiff(source: source, target: target, roles: options.roles, shape: options.objects)?.findings() ?? [])
        }]
        if options.objects, let sourceObjects = source.snapshot.schema, let targetObjects = target.snapshot.schema {
            jobs += ObjectsDiff.jobs(source: sourceObjects, target: targetObjects, roles: options.roles, tableParts: 4)
        }
        var findings = concurrentMap(jobs).flatMap { $0 }
        // Warnings already told as a finding about the same object are not repeated.
        let told = Set(findings.filter { $0.kind == .dataUnknown || $0.kind == .positionUnknown }.map(\.object))
        for warning in source.snapshot.warnings where !told.contains(warning.object) {
            findings.append(snapshotWarning(warning, side: "source", severity: .info))
        }
        for warning in target.snapshot.warnings where !told.contains(warning.object) {
            findings.append(snapshotWarning(warning, side: "target", severity: .warning))
        }
        return findings.filter { options.kinds.keeps($0.kind) }.sorted(by: Finding.reportOrder)
    }

    /// Every source sequence and column against the target, and the target's own sequences.
    private static func sequenceAndColumnFindings(source: SnapshotIndex, target: SnapshotIndex) -> [Finding] {
        var findings: [Finding] = []
        var matchedTargetSequences = Set<QualifiedName>()
        for sequence in source.snapshot.sequences where sequence.fromExtension == nil {
            let counterpart = counterpart(of: sequence, in: target)
            if let counterpart { matchedTargetSequences.insert(counterpart.name) }
            findings += sequenceFindings(sequence, counterpart, source: source, target: target)
        }
        for column in source.snapshot.columns {
            findings += columnFindings(column, source: source, target: target)
        }
        for sequence in target.snapshot.sequences
        where sequence.fromExtension == nil && !matchedTargetSequences.contains(sequence.name) {
            findings.append(Finding(
                kind: .onlyOnTarget, severity: .info, object: sequence.name.description,
                schema: sequence.name.schema, targetValue: sequence.position?.description,
                consequence: "\(sequence.name) exists only on the target; reseq leaves it alone."))
        }
        return findings
    }

    /// The target's version of a source sequence: the same name; for an identity column, the
    /// identity sequence the target gave it (whatever its name), else a same-named sequence
    /// someone made by hand.
    static func counterpart(of sequence: SequenceInfo, in target: SnapshotIndex) -> SequenceInfo? {
        guard sequence.isIdentity, let column = sequence.ownedBy else { return target.sequence(sequence.name) }
        return target.identitySequence(of: column) ?? target.sequence(sequence.name)
    }

    // MARK: - Sequences

    private static func sequenceFindings(
        _ sequence: SequenceInfo, _ counterpart: SequenceInfo?, source: SnapshotIndex, target: SnapshotIndex
    ) -> [Finding] {
        let name = sequence.name
        let users = source.columns(drawingFrom: name).map(\.ref)
        let table = sequence.ownedBy?.table ?? users.first?.table
        func finding(_ kind: Finding.Kind, _ severity: Finding.Severity, _ sourceValue: String?,
                     _ targetValue: String?, _ consequence: String) -> Finding {
            Finding(kind: kind, severity: severity, object: name.description, schema: name.schema,
                    table: table?.name, sourceValue: sourceValue, targetValue: targetValue,
                    consequence: consequence)
        }

        guard let counterpart else {
            let consequence: String
            if sequence.isIdentity, let column = sequence.ownedBy {
                consequence = "\(column.table) has lost the identity sequence of \(column.column)."
            } else if users.isEmpty {
                consequence = "calls to nextval('\(name)') will fail: the sequence does not exist."
            } else {
                consequence = "nextval('\(name)') will fail for \(users.map(\.description).joined(separator: ", "))."
            }
            return [finding(.sequenceMissing, .error, sequence.position?.description, nil, consequence)]
        }

        var findings: [Finding] = []
        if counterpart.name != name {
            findings.append(finding(.definitionDiffers, .warning, name.name, counterpart.name.name,
                "the identity sequence has another name on the target; tools that name it will not find it."))
        }
        for difference in definitionDifferences(sequence, counterpart) {
            findings.append(finding(.definitionDiffers, .warning, difference.source, difference.target,
                "\(difference.field) of \(name) differs: \(difference.effect)"))
        }
        if sequence.owner != counterpart.owner {
            findings.append(finding(.ownerDiffers, .info, sequence.owner, counterpart.owner,
                "\(name) is owned by another role on the target; that is usual on a managed server."))
        }
        if let comment = sequence.comment, comment != counterpart.comment {
            findings.append(finding(counterpart.comment == nil ? .commentMissing : .commentDiffers, .info, comment,
                counterpart.comment, "the comment on \(name) \(counterpart.comment == nil ? "is missing" : "differs"); documentation tools show \(counterpart.comment == nil ? "nothing" : "another") for it."))
        }
        if let column = sequence.ownedBy, !sequence.isIdentity, counterpart.ownedBy != column {
            findings.append(finding(.ownershipMissing, .warning, "OWNED BY \(column)",
                counterpart.ownedBy.map { "OWNED BY \($0)" } ?? "none",
                "dropping \(column.table) will leave \(name) behind, and tools that follow serial columns will not find it."))
        }
        findings += positionFindings(sequence, counterpart, source: source, target: target, finding: finding)
        return findings
    }

    private static func positionFindings(
        _ sequence: SequenceInfo, _ counterpart: SequenceInfo, source: SnapshotIndex, target: SnapshotIndex,
        finding: (Finding.Kind, Finding.Severity, String?, String?, String) -> Finding
    ) -> [Finding] {
        let name = sequence.name
        guard let sourcePosition = sequence.position else {
            return [finding(.positionUnknown, .warning, nil, counterpart.position?.description,
                "the source position of \(name) could not be read, so the target's cannot be checked.")]
        }
        guard let targetPosition = counterpart.position else {
            return [finding(.positionUnknown, .warning, sourcePosition.description, nil,
                "the target position of \(name) could not be read; grant SELECT on it and snapshot again.")]
        }
        let data = TargetData(for: sequence, source: source, target: target, targetSequence: counterpart.name)
        var findings: [Finding] = data.unknown.map { ref, read in
            Finding(kind: .dataUnknown, severity: .warning, object: ref.description, schema: ref.table.schema,
                    table: ref.table.name, sourceValue: nil, targetValue: read.rawValue,
                    consequence: "max(\(ref.column)) of \(ref.table) was not read (\(read.explanation)), so a collision with existing rows cannot be ruled out.")
        }
        let bounds = sequence.bounds
        let targetNext = bounds.nextValue(after: targetPosition)
        let sourceNext = bounds.nextValue(after: sourcePosition)
        let describeNext = { (value: Int64?) in value.map { "next \($0)" } ?? "exhausted" }

        if let sourceNext, let next = targetNext, bounds.isAhead(sourceNext, of: next) {
            findings.append(finding(.behindSource, .error, describeNext(sourceNext), describeNext(next),
                "the target hands out \(next) next, an id the source already handed out at \(sourceNext); inserts will reuse ids."))
        }
        let extreme = bounds.ascending ? data.max : data.min
        let extremeColumn = bounds.ascending ? data.maxColumn : data.minColumn
        if let extreme, let column = extremeColumn, let next = targetNext,
           next == extreme || bounds.isAhead(extreme, of: next) {
            findings.append(finding(.behindData, .error, "\(bounds.ascending ? "max" : "min")(\(column.column)) = \(extreme)",
                describeNext(next),
                "the next insert into \(column.table) collides with id \(next), which \(column.column) already holds (\(bounds.ascending ? "max" : "min") \(extreme))."))
        }
        if case .outOfRange(let needed, let limit) = ValueRule.decide(
            source: sourcePosition, bounds: bounds, target: targetPosition,
            dataMax: data.max, dataMin: data.min) {
            findings.append(finding(.valueOutOfRange, .error, sourcePosition.description, targetPosition.description,
                "\(name) would need to hand out \(needed), past its limit \(limit); raise MAXVALUE/MINVALUE or widen the type before writes resume."))
        }
        return findings
    }

    struct Difference {
        var field: String
        var source: String
        var target: String
        var effect: String
    }

    static func definitionDifferences(_ a: SequenceInfo, _ b: SequenceInfo) -> [Difference] {
        var out: [Difference] = []
        func check<T: Equatable>(_ field: String, _ x: T, _ y: T, _ effect: String) {
            if x != y { out.append(Difference(field: field, source: "\(x)", target: "\(y)", effect: effect)) }
        }
        check("type", a.dataType.rawValue, b.dataType.rawValue, "the range of ids the target can hand out differs.")
        check("increment", a.increment, b.increment, "ids on the target are spaced differently.")
        check("minvalue", a.minValue, b.minValue, "the target's range ends elsewhere.")
        check("maxvalue", a.maxValue, b.maxValue, "the target's range ends elsewhere.")
        check("start", a.start, b.start, "RESTART without a value goes elsewhere.")
        check("cache", a.cache, b.cache, "ids are handed out in other batches.")
        check("cycle", a.cycle, b.cycle, "reaching the limit behaves differently (wrap or error).")
        check("persistence", a.unlogged ? "unlogged" : "logged", b.unlogged ? "unlogged" : "logged",
              "the position survives a crash differently.")
        return out
    }

    // MARK: - Columns

    private static func columnFindings(_ column: ColumnInfo, source: SnapshotIndex, target: SnapshotIndex) -> [Finding] {
        let ref = column.ref
        let other = target.column(ref)
        func finding(_ kind: Finding.Kind, _ severity: Finding.Severity, _ sourceValue: String?,
                     _ targetValue: String?, _ consequence: String) -> Finding {
            Finding(kind: kind, severity: severity, object: ref.description, schema: ref.table.schema,
                    table: ref.table.name, sourceValue: sourceValue, targetValue: targetValue,
                    consequence: consequence)
        }
        let targetDefault = other?.defaultExpression ?? "none"
        let noDefault = "inserts into \(ref.table) will fail: \(ref.column) has no default."

        if let identity = column.identity {
            let sourceValue = "GENERATED \(identity.sql) AS IDENTITY"
            guard let targetIdentity = other?.identity else {
                let works = other?.defaultSequence != nil
                return [finding(.identityMissing, works ? .warning : .error, sourceValue,
                    other?.defaultExpression.map { "DEFAULT \($0)" } ?? "none",
                    works ? "\(ref.column) of \(ref.table) draws from a nextval default instead of an identity; inserts work, but the schema differs from the source."
                          : noDefault)]
            }
            if targetIdentity != identity {
                return [finding(.identityDiffers, .warning, sourceValue, "GENERATED \(targetIdentity.sql) AS IDENTITY",
                    identity == .always
                        ? "the target accepts explicit ids in \(ref.table).\(ref.column), which the source refused."
                        : "the target refuses explicit ids in \(ref.table).\(ref.column) unless inserts say OVERRIDING SYSTEM VALUE.")]
            }
            return []
        }
        guard let sequence = column.defaultSequence,
              source.sequence(sequence)?.fromExtension == nil else { return [] }
        let wanted = column.defaultExpression ?? "nextval('\(sequence)')"
        if other?.identity != nil {
            return [finding(.defaultDiffers, .info, wanted, "identity",
                "\(ref.column) of \(ref.table) is an identity column on the target; inserts work.")]
        }
        guard let targetSequence = other?.defaultSequence else {
            return [finding(other?.defaultExpression == nil ? .defaultMissing : .defaultDiffers, .error,
                wanted, targetDefault,
                other?.defaultExpression == nil ? noDefault
                    : "inserts into \(ref.table) get \(ref.column) from \(targetDefault), not from \(sequence).")]
        }
        if targetSequence != sequence {
            return [finding(.defaultDiffers, .error, wanted, targetDefault,
                "inserts into \(ref.table) draw \(ref.column) from \(targetSequence), not from \(sequence).")]
        }
        return []
    }

    private static func snapshotWarning(_ warning: SnapshotWarning, side: String, severity: Finding.Severity) -> Finding {
        let schema = warning.object.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        return Finding(kind: .dataUnknown, severity: severity, object: warning.object, schema: schema,
                       consequence: "\(side) snapshot: \(warning.message)")
    }
}

extension DataRead {
    var explanation: String {
        switch self {
        case .read: return "read"
        case .skipped: return "skipped: no btree index on a large table"
        case .timedOut: return "the read ran past its time budget"
        case .denied: return "permission denied"
        case .blocked: return "another session held a lock on the table"
        case .notAsked: return "the snapshot was taken with --skip-row-reads"
        }
    }
}

extension Finding {
    /// Errors first, then by schema, table and object, so output is stable.
    static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.severity, a.schema, a.table ?? "", a.object, a.kind.rawValue, a.sourceValue ?? "")
            < (b.severity, b.schema, b.table ?? "", b.object, b.kind.rawValue, b.sourceValue ?? "")
    }
}
