/// The findings counted by kind, shown before the findings themselves: the diff's, and after an
/// apply the verification diff's.
public struct FindingSummary: Codable, Hashable, Sendable {
    /// The diff of source against target, before any apply.
    public var diff: [SummaryRow]
    /// The diff of source against the re-snapshotted target; `nil` when none was given.
    public var verification: [SummaryRow]?

    init(diff: [Finding], verification: [Finding]?) {
        self.diff = SummaryRow.rows(diff)
        self.verification = verification.map(SummaryRow.rows)
    }
}

/// How many findings of one kind a diff has, by severity.
public struct SummaryRow: Codable, Hashable, Sendable {
    public var kind: Finding.Kind
    /// The kind's family, as `diff --only`/`--ignore` accept it (`index`, `constraint`, …).
    public var family: String
    /// The kind in plain English: `missing foreign keys`.
    public var label: String
    /// The most severe of the row's findings.
    public var severity: Finding.Severity
    public var errors: Int
    public var warnings: Int
    public var info: Int
    public var total: Int

    init(kind: Finding.Kind, errors: Int = 0, warnings: Int = 0, info: Int = 0) {
        self.kind = kind
        family = kind.category
        label = kind.label
        self.errors = errors
        self.warnings = warnings
        self.info = info
        total = errors + warnings + info
        severity = errors > 0 ? .error : warnings > 0 ? .warning : .info
    }

    /// One row per kind present, most severe first, then the most findings, then by label
    /// (labels are distinct, so the order is total).
    static func rows(_ findings: [Finding]) -> [SummaryRow] {
        var counts: [Finding.Kind: [Finding.Severity: Int]] = [:]
        for finding in findings { counts[finding.kind, default: [:]][finding.severity, default: 0] += 1 }
        return counts.map { kind, bySeverity in
            SummaryRow(kind: kind, errors: bySeverity[.error] ?? 0, warnings: bySeverity[.warning] ?? 0,
                       info: bySeverity[.info] ?? 0)
        }.sorted { ($0.severity, -$0.total, $0.label) < ($1.severity, -$1.total, $1.label) }
    }
}
