import Foundation

/// What a report says, computed once from a `ReportInput`; each format only lays it out.
/// Every lookup goes through a dictionary so that 10,000-sequence snapshots stay linear.
public struct ReportModel: Codable, Hashable, Sendable {
    /// 2 added `summary`.
    public static let formatVersion = 2

    public var reportFormatVersion: Int
    public var generatedAt: Date
    public var reseqVersion: String
    public var verdict: ReportVerdict
    /// The findings counted by kind, before and (after an apply) in the verification.
    public var summary: FindingSummary
    /// Source, target and, after an apply, the re-snapshotted target.
    public var databases: [DatabaseFacts]
    /// Sorted by schema, then table (schema-level groups first).
    public var findingGroups: [FindingGroup]
    /// In execution order.
    public var plan: [PlanRow]
    /// `nil` unless the input carries an apply's results.
    public var apply: ApplySection?
    /// Sorted by sequence name.
    public var capacity: [CapacityRow]

    public init(_ input: ReportInput) {
        reportFormatVersion = Self.formatVersion
        generatedAt = input.generatedAt
        reseqVersion = input.reseqVersion
        databases = [DatabaseFacts(input.source, role: "source"), DatabaseFacts(input.target, role: "target")]
            + (input.after.map { [DatabaseFacts($0, role: "after")] } ?? [])
        summary = FindingSummary(diff: input.findings, verification: input.verification)
        findingGroups = Self.group(input.findings)
        plan = input.plan.enumerated().map { PlanRow(step: $0.offset + 1, $0.element) }
        capacity = Self.capacity(source: input.source, target: input.target)
        let hasApply = input.after != nil || input.verification != nil || input.outcomes != nil
        apply = hasApply ? Self.applySection(input) : nil

        let judged = input.verification ?? input.findings
        let blocking = judged.filter(\.isBlocking).count
        let risks = capacity.filter(\.risk).count
        func count(_ n: Int) -> String { "\(n) blocking finding\(n == 1 ? "" : "s")" }
        var text = blocking == 0 ? "ready for writes" : "not ready"
        if input.verification != nil {
            let before = input.findings.filter(\.isBlocking).count
            text += " after apply: \(count(blocking)) (\(before) before)"
        } else {
            text += ": \(count(blocking))"
        }
        if risks > 0 { text += "; \(risks) capacity risk\(risks == 1 ? "" : "s") (see Capacity)" }
        verdict = ReportVerdict(
            readyForWrites: blocking == 0, blockingFindings: blocking, capacityRisks: risks,
            basis: input.verification == nil ? "target" : "afterApply", text: text)
    }

    static func group(_ findings: [Finding]) -> [FindingGroup] {
        struct Key: Hashable { var schema: String; var table: String? }
        let grouped = Dictionary(grouping: findings) { Key(schema: $0.schema, table: $0.table) }
        let groups: [FindingGroup] = grouped.map { key, members in
            let rows = members.map(FindingRow.init).sorted(by: FindingRow.ordered)
            return FindingGroup(schema: key.schema, table: key.table, findings: rows)
        }
        // Schema-level groups (no table) before the schema's tables.
        func order(_ g: FindingGroup) -> (String, Int, String) { (g.schema, g.table == nil ? 0 : 1, g.table ?? "") }
        return groups.sorted { order($0) < order($1) }
    }

    static func capacity(source: Snapshot, target: Snapshot) -> [CapacityRow] {
        let sourceNames = Set(source.sequences.map(\.name))
        let sourceLimits = SequenceLimits(source), targetLimits = SequenceLimits(target)
        let rows = source.sequences.map { CapacityRow($0, snapshot: "source", limit: sourceLimits.limit(of: $0)) }
            + target.sequences.filter { !sourceNames.contains($0.name) }
                .map { CapacityRow($0, snapshot: "target", limit: targetLimits.limit(of: $0)) }
        return rows.sorted { ($0.sequence, $0.snapshot) < ($1.sequence, $1.snapshot) }
    }

    static func applySection(_ input: ReportInput) -> ApplySection {
        let before = Dictionary(input.target.sequences.map { ($0.name, $0) }) { a, _ in a }
        let after = Dictionary((input.after?.sequences ?? []).map { ($0.name, $0) }) { a, _ in a }
        let outcomes = Dictionary((input.outcomes ?? []).map { ($0.object, $0.status) }) { a, _ in a }
        let changes = input.touchedSequences().sorted { $0.key < $1.key }.map { name, objects in
            let old = PositionFacts(before[name]), new = PositionFacts(after[name])
            let outcome = objects.sorted().lazy.compactMap { outcomes[$0] }.first
            return SequenceChange(sequence: name.description, before: old, after: new,
                                  changed: old != new, outcome: outcome)
        }
        let verification = input.verification.map { findings in
            ApplySection.Verification(
                clean: !findings.contains(where: \.isBlocking),
                findings: findings.map(FindingRow.init).sorted(by: FindingRow.ordered))
        }
        return ApplySection(changes: changes,
                            outcomes: (input.outcomes ?? []).sorted { $0.object < $1.object },
                            verification: verification)
    }
}

extension DatabaseFacts {
    init(_ snapshot: Snapshot, role: String) {
        let db = snapshot.database
        self.init(role: role, name: db.name, host: db.host, port: db.port,
                  serverVersion: db.serverVersion, capturedAt: db.capturedAt,
                  sequences: snapshot.sequences.count,
                  columnsUsingSequences: snapshot.columns.filter {
                      $0.defaultSequence != nil || $0.identity != nil
                  }.count)
    }
}
