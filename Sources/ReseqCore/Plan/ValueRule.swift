/// The value rule of DESIGN.md: where a target sequence must stand after reconciliation.
///
/// The next value the target hands out is the one the source would hand out next, unless rows
/// already on the target need a later one, plus any headroom; and a target is never moved back.
/// All arithmetic is done in `Int128`, so 64-bit extremes cannot overflow.
public enum ValueRule {
    public enum Decision: Hashable, Sendable {
        /// The target already hands out `next` or a later value: leave it alone.
        case keep(next: Int64?)
        /// Move the target to `position`, from which `nextval` returns `next`.
        case set(SequencePosition, next: Int64)
        /// The value needed lies outside MINVALUE/MAXVALUE (or the source is exhausted without
        /// CYCLE): no position is right, and wrapping around would reuse ids.
        case outOfRange(needed: String, limit: Int64)
    }

    /// - Parameters:
    ///   - source: the source sequence's position.
    ///   - bounds: how the sequence counts (the source's definition, which the target gets).
    ///   - target: the target's position, `nil` when the sequence does not exist there yet.
    ///   - dataMax/dataMin: extremes of every target column drawing from the sequence.
    ///   - headroom: extra increments to skip, for writes still in flight.
    public static func decide(
        source: SequencePosition, bounds: SequenceBounds, target: SequencePosition?,
        dataMax: Int64?, dataMin: Int64?, headroom: Int64 = 0
    ) -> Decision {
        let increment = Int128(bounds.increment)
        let low = Int128(bounds.minValue)
        let high = Int128(bounds.maxValue)
        let inRange = { (value: Int128) in value >= low && value <= high }

        guard let sourceNextValue = bounds.nextValue(after: source) else {
            let limit = bounds.ascending ? bounds.maxValue : bounds.minValue
            return .outOfRange(needed: String(Int128(source.lastValue) + increment), limit: limit)
        }
        let sourceNext = Int128(sourceNextValue)
        // Rows on the target: the next value must come after the extreme in counting order.
        let extreme = bounds.ascending ? dataMax : dataMin
        var needed = sourceNext
        if let extreme {
            let dataNext = Int128(extreme) + increment
            if bounds.ascending ? dataNext > needed : dataNext < needed { needed = dataNext }
        }
        needed += Int128(max(headroom, 0)) * increment
        guard inRange(needed) else {
            return .outOfRange(needed: String(needed), limit: bounds.ascending ? bounds.maxValue : bounds.minValue)
        }
        let next = Int64(needed)

        if let target {
            // An exhausted target stands at its bound: nothing lies ahead of it.
            guard let targetNext = bounds.nextValue(after: target) else { return .keep(next: nil) }
            if targetNext == next || bounds.isAhead(targetNext, of: next) { return .keep(next: targetNext) }
        }
        if needed == sourceNext { return .set(source, next: next) }
        if inRange(needed - increment) {
            return .set(SequencePosition(lastValue: Int64(needed - increment), isCalled: true), next: next)
        }
        return .set(SequencePosition(lastValue: next, isCalled: false), next: next)
    }
}
