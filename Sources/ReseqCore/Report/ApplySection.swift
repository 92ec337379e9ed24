/// What an apply did: before → after for every sequence the plan touched, and the verification.
public struct ApplySection: Codable, Hashable, Sendable {
    /// Sorted by sequence.
    public var changes: [SequenceChange]
    /// Sorted by object.
    public var outcomes: [ApplyOutcome]
    /// `nil` when no verification diff was given.
    public var verification: Verification?

    public struct Verification: Codable, Hashable, Sendable {
        /// True when the diff of source against the re-snapshotted target found nothing blocking.
        public var clean: Bool
        public var findings: [FindingRow]
    }
}

/// One sequence the plan touched, as the target had it before and after the apply.
public struct SequenceChange: Codable, Hashable, Sendable {
    public var sequence: String
    /// `nil` when the sequence did not exist (or was unreadable) on that side.
    public var before: PositionFacts?
    public var after: PositionFacts?
    public var changed: Bool
    /// The apply status of the object the step belonged to, when outcomes were given.
    public var outcome: ApplyOutcome.Status?
}

/// A sequence position with the value `nextval` will hand out from it.
public struct PositionFacts: Codable, Hashable, Sendable, CustomStringConvertible {
    public var lastValue: Int64
    public var isCalled: Bool
    /// `nil` when the sequence is exhausted.
    public var nextValue: Int64?

    init?(_ sequence: SequenceInfo?) {
        guard let sequence, let position = sequence.position else { return nil }
        lastValue = position.lastValue
        isCalled = position.isCalled
        nextValue = sequence.bounds.nextValue(after: position)
    }

    /// `next 5121 (last_value 5120, called)`.
    public var description: String {
        let next = nextValue.map { "next \($0)" } ?? "exhausted"
        return "\(next) (last_value \(lastValue), \(isCalled ? "called" : "not called"))"
    }
}
