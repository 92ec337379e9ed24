import Foundation

// The rows of a `ReportModel`: small Codable values that every format renders and that
// `JSONReport` writes as they are (their fields are documented in docs/report-json.md).

/// The first line of every report.
public struct ReportVerdict: Codable, Hashable, Sendable {
    public var readyForWrites: Bool
    /// Findings with `isBlocking`; after an apply, those of the verification diff.
    public var blockingFindings: Int
    /// Sequences past 75% of an int2/int4 range. Listed next to the verdict, never counted in it.
    public var capacityRisks: Int
    /// `target` before an apply, `afterApply` when the verdict is on the verification diff.
    public var basis: String
    /// The verdict as one sentence, e.g. `not ready: 3 blocking findings`.
    public var text: String
}

/// One database of the side-by-side table. Holds no password: `DatabaseInfo` has none.
public struct DatabaseFacts: Codable, Hashable, Sendable {
    /// `source`, `target` or `after`.
    public var role: String
    public var name: String
    public var host: String
    public var port: String
    public var serverVersion: String
    public var capturedAt: Date
    public var sequences: Int
    /// Columns with a `nextval` default or an identity.
    public var columnsUsingSequences: Int
}

public struct FindingRow: Codable, Hashable, Sendable {
    public var severity: Finding.Severity
    public var kind: Finding.Kind
    public var object: String
    public var sourceValue: String?
    public var targetValue: String?
    public var consequence: String
    public var blocking: Bool

    init(_ finding: Finding) {
        severity = finding.severity
        kind = finding.kind
        object = finding.object
        sourceValue = finding.sourceValue
        targetValue = finding.targetValue
        consequence = finding.consequence
        blocking = finding.isBlocking
    }

    /// Severity first, so that errors head each group.
    static func ordered(_ a: Self, _ b: Self) -> Bool {
        (a.severity, a.object, a.kind.rawValue, a.consequence)
            < (b.severity, b.object, b.kind.rawValue, b.consequence)
    }
}

/// The findings of one table (or, with `table` nil, of the schema's free-standing sequences).
public struct FindingGroup: Codable, Hashable, Sendable {
    public var schema: String
    public var table: String?
    public var findings: [FindingRow]

    /// `schema.table`, or `schema` alone.
    public var title: String { table.map { "\(schema).\($0)" } ?? schema }
}

public struct PlanRow: Codable, Hashable, Sendable {
    /// 1-based; the plan runs in this order.
    public var step: Int
    public var object: String
    public var sql: String
    public var fixes: String
    /// `none`, `sequence` or `accessExclusive`.
    public var lockLevel: String
    /// The sequence or table locked; `nil` for `none`.
    public var lockedObject: String?
    /// For people: `ACCESS EXCLUSIVE on public.t`.
    public var lock: String
    /// `index-build`, `table-rewrite`, … (`Hazard`); empty for a brief catalog change.
    public var hazards: [String]

    init(step: Int, _ s: Step) {
        self.step = step
        object = s.object
        sql = s.sql
        fixes = s.fixes
        lock = s.lock.description
        switch s.lock {
        case .none: lockLevel = "none"; lockedObject = nil
        case .sequence(let name): lockLevel = "sequence"; lockedObject = name.description
        case .accessExclusive(let table): lockLevel = "accessExclusive"; lockedObject = table.description
        case .grant(let name): lockLevel = "none"; lockedObject = name.description
        case .shareUpdateExclusive(let table): lockLevel = "shareUpdateExclusive"; lockedObject = table.description
        case .shareRowExclusive(let table): lockLevel = "shareRowExclusive"; lockedObject = table.description
        case .share(let table): lockLevel = "share"; lockedObject = table.description
        }
        hazards = s.hazards.map(\.rawValue)
    }
}
