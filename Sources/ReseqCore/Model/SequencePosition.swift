/// Where a sequence stands: what `SELECT last_value, is_called FROM seq` returns.
public struct SequencePosition: Codable, Hashable, Sendable, CustomStringConvertible {
    public var lastValue: Int64
    public var isCalled: Bool

    public init(lastValue: Int64, isCalled: Bool) {
        self.lastValue = lastValue
        self.isCalled = isCalled
    }

    public var description: String { "last_value \(lastValue), is_called \(isCalled)" }
}

/// How a sequence counts: the parameters the value rule needs.
public struct SequenceBounds: Hashable, Sendable {
    public var increment: Int64
    public var minValue: Int64
    public var maxValue: Int64
    public var cycle: Bool

    public init(increment: Int64, minValue: Int64, maxValue: Int64, cycle: Bool) {
        self.increment = increment
        self.minValue = minValue
        self.maxValue = maxValue
        self.cycle = cycle
    }

    public var ascending: Bool { increment > 0 }

    /// The value `nextval` returns from `position`, or `nil` when the sequence is exhausted
    /// (past its bound without CYCLE), computed without overflow.
    public func nextValue(after position: SequencePosition) -> Int64? {
        guard position.isCalled else { return position.lastValue }
        let next = Int128(position.lastValue) + Int128(increment)
        if next > Int128(maxValue) || next < Int128(minValue) {
            guard cycle else { return nil }
            return ascending ? minValue : maxValue
        }
        return Int64(next)
    }

    /// True when `a` comes later than `b` in the order the sequence hands values out.
    public func isAhead(_ a: Int64, of b: Int64) -> Bool {
        ascending ? a > b : a < b
    }
}
