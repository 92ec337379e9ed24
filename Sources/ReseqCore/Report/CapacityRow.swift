/// How much of the values a sequence can hand out are already used.
///
/// Definition (documented in docs/report-json.md): the *limit type* is the narrowest of the
/// sequence's own type and the integer types of the columns that draw from it (a pre-10
/// `serial` is a bigint sequence feeding an int4 column). Counting runs from the start-side
/// bound (MINVALUE ascending, MAXVALUE descending) to the *end*: the nearer of the sequence's
/// own end-side bound and the limit type's. `usedFraction` is the distance from start to the
/// last value handed out, over the distance from start to end. A sequence never called has
/// used nothing. Differences are taken in Int128, so 64-bit extremes cannot overflow.
public struct CapacityRow: Codable, Hashable, Sendable {
    public var sequence: String
    /// `source`, or `target` for sequences that exist on the target only.
    public var snapshot: String
    public var dataType: SequenceType
    public var limitType: SequenceType
    /// The column whose narrower type sets `limitType`, if one does.
    public var limitedBy: String?
    public var increment: Int64
    /// `nil` when the position could not be read.
    public var usedFraction: Double?
    /// `81.0%` or `unknown`; floored, so it never shows 75.0% for a value past 75%.
    public var usedPercent: String
    /// Values left before the end, as a decimal string (it can exceed 64 bits).
    public var remaining: String?
    /// Past 75% of an int2/int4 range: the next outage.
    public var risk: Bool
    /// One sentence for risks; `nil` otherwise.
    public var note: String?

    public static let riskThreshold = 0.75

    init(_ seq: SequenceInfo, snapshot: String, limit: (type: SequenceType, column: String?)) {
        sequence = seq.name.description
        self.snapshot = snapshot
        dataType = seq.dataType
        limitType = limit.type
        limitedBy = limit.column
        increment = seq.increment
        let usage = Self.usage(of: seq, limitType: limit.type)
        usedFraction = usage.map { ($0.fraction * 1_000_000).rounded(.down) / 1_000_000 }
        remaining = usage.map { String($0.remaining) }
        usedPercent = usage.map { Self.percent($0.fraction) } ?? "unknown"
        risk = limit.type != .bigint && (usage?.fraction ?? 0) > Self.riskThreshold
        guard risk, let usage else { note = nil; return }
        let column = limit.column.map { " (column \($0))" } ?? ""
        note = "\(sequence) has used \(usedPercent) of \(limit.type)\(column): about "
            + "\(Self.grouped(usage.remaining)) ids left; convert to bigint before it runs out."
    }

    static func usage(of seq: SequenceInfo, limitType: SequenceType)
        -> (fraction: Double, remaining: Int128)?
    {
        guard let last = seq.lastValue, seq.increment != 0 else { return nil }
        let step = Int128(seq.increment)
        let range = limitType.range
        let start: Int128, end: Int128
        if step > 0 {
            start = Int128(seq.minValue)
            end = min(Int128(seq.maxValue), Int128(range.upperBound))
        } else {
            start = Int128(seq.maxValue)
            end = max(Int128(seq.minValue), Int128(range.lowerBound))
        }
        // The last value handed out; one step before start when nothing was.
        let lastUsed = seq.isCalled ? Int128(last) : Int128(last) - step
        let direction: Int128 = step > 0 ? 1 : -1
        let span = (end - start) * direction
        let used = min(max((lastUsed - start) * direction, 0), max(span, 0))
        let remaining = max((end - lastUsed) / step, 0)
        let fraction = span > 0 ? Double(used) / Double(span) : (remaining == 0 ? 1 : 0)
        return (fraction, remaining)
    }

    static func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded(.down))
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// `1,234,567`: fixed grouping, independent of the machine's locale.
    static func grouped(_ value: Int128) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }
}
