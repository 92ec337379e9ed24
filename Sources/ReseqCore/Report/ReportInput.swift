import Foundation

/// Everything a report shows, as plain values: the renderers do no I/O and read no clock.
public struct ReportInput: Sendable {
    public var source: Snapshot
    public var target: Snapshot
    public var findings: [Finding]
    public var plan: [Step]
    /// The target snapshotted again after an apply; `nil` before one.
    public var after: Snapshot?
    /// The diff of source against `after`: empty when the apply verified clean.
    public var verification: [Finding]?
    public var outcomes: [ApplyOutcome]?
    /// Injected so that golden files stay stable.
    public var generatedAt: Date
    /// The reseq that writes the report; injected for the same reason.
    public var reseqVersion: String

    public init(
        source: Snapshot, target: Snapshot, findings: [Finding], plan: [Step],
        after: Snapshot? = nil, verification: [Finding]? = nil, outcomes: [ApplyOutcome]? = nil,
        generatedAt: Date, reseqVersion: String = ReseqVersion.current
    ) {
        self.reseqVersion = reseqVersion
        self.source = source
        self.target = target
        self.findings = findings
        self.plan = plan
        self.after = after
        self.verification = verification
        self.outcomes = outcomes
        self.generatedAt = generatedAt
    }

    /// The computed content every format renders.
    public var model: ReportModel { ReportModel(self) }
}
