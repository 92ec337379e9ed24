import XCTest
@testable import ReseqCore

final class ValueRuleTests: XCTestCase {
    private let up = SequenceBounds(increment: 1, minValue: 1, maxValue: Int64.max, cycle: false)
    private func at(_ value: Int64, called: Bool = true) -> SequencePosition {
        SequencePosition(lastValue: value, isCalled: called)
    }

    func testCopiesTheSourcePositionExactlyOntoANewSequence() {
        XCTAssertEqual(
            ValueRule.decide(source: at(13), bounds: up, target: nil, dataMax: 13, dataMin: 1),
            .set(at(13), next: 14))
    }

    func testIsCalledFalseMeansLastValueIsTheNextValue() {
        XCTAssertEqual(
            ValueRule.decide(source: at(1, called: false), bounds: up, target: nil, dataMax: nil, dataMin: nil),
            .set(at(1, called: false), next: 1))
        // A fresh target sequence at START already matches a never-used source.
        XCTAssertEqual(
            ValueRule.decide(source: at(1, called: false), bounds: up, target: at(1, called: false), dataMax: nil, dataMin: nil),
            .keep(next: 1))
    }

    func testEmptyTableFollowsTheSource() {
        XCTAssertEqual(
            ValueRule.decide(source: at(500), bounds: up, target: at(1, called: false), dataMax: nil, dataMin: nil),
            .set(at(500), next: 501))
    }

    func testTargetDataAheadOfTheSourceWins() {
        // CDC went on: the target holds ids up to 20 while the source sequence said 13.
        XCTAssertEqual(
            ValueRule.decide(source: at(13), bounds: up, target: nil, dataMax: 20, dataMin: 1),
            .set(at(20), next: 21))
    }

    func testSourceAheadOfDataWinsWhenRowsWereDeleted() {
        XCTAssertEqual(
            ValueRule.decide(source: at(900), bounds: up, target: at(1, called: false), dataMax: 13, dataMin: 1),
            .set(at(900), next: 901))
    }

    func testNeverMovesATargetBackwards() {
        XCTAssertEqual(
            ValueRule.decide(source: at(13), bounds: up, target: at(5000), dataMax: 13, dataMin: 1),
            .keep(next: 5001))
        XCTAssertEqual(
            ValueRule.decide(source: at(13), bounds: up, target: at(14, called: false), dataMax: 13, dataMin: 1),
            .keep(next: 14))
    }

    func testHeadroomSkipsIncrements() {
        let by5 = SequenceBounds(increment: 5, minValue: 1, maxValue: 1000, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(100), bounds: by5, target: nil, dataMax: 100, dataMin: 1, headroom: 10),
            .set(at(150), next: 155))
    }

    func testNegativeIncrementLooksAtTheMinimumOfTheData() {
        let down = SequenceBounds(increment: -1, minValue: -1000, maxValue: -1, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(-10), bounds: down, target: nil, dataMax: -1, dataMin: -10),
            .set(at(-10), next: -11))
        XCTAssertEqual(
            ValueRule.decide(source: at(-10), bounds: down, target: nil, dataMax: -1, dataMin: -50),
            .set(at(-50), next: -51))
        // A target further down is ahead for a descending sequence.
        XCTAssertEqual(
            ValueRule.decide(source: at(-10), bounds: down, target: at(-60), dataMax: -1, dataMin: -50),
            .keep(next: -61))
        XCTAssertEqual(
            ValueRule.decide(source: at(-1, called: false), bounds: down, target: nil, dataMax: nil, dataMin: nil),
            .set(at(-1, called: false), next: -1))
    }

    func testNeededValuePastMaxValueIsAnErrorNotAWrap() {
        let small = SequenceBounds(increment: 1, minValue: 1, maxValue: 100, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(10), bounds: small, target: nil, dataMax: 100, dataMin: 1),
            .outOfRange(needed: "101", limit: 100))
        XCTAssertEqual(
            ValueRule.decide(source: at(99), bounds: small, target: nil, dataMax: 98, dataMin: 1),
            .set(at(99), next: 100))
    }

    func testExhaustedSourceWithoutCycleIsOutOfRange() {
        let small = SequenceBounds(increment: 1, minValue: 1, maxValue: 100, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(100), bounds: small, target: nil, dataMax: nil, dataMin: nil),
            .outOfRange(needed: "101", limit: 100))
    }

    func testCycleWrapsTheSourceButNotTheData() {
        let ring = SequenceBounds(increment: 1, minValue: 1, maxValue: 100, cycle: true)
        // The source wrapped: its next value is MINVALUE, copied as is.
        XCTAssertEqual(
            ValueRule.decide(source: at(100), bounds: ring, target: nil, dataMax: nil, dataMin: nil),
            .set(at(100), next: 1))
        // Rows past the source's position still need a later value, inside the bounds.
        XCTAssertEqual(
            ValueRule.decide(source: at(10), bounds: ring, target: nil, dataMax: 50, dataMin: 1),
            .set(at(50), next: 51))
        // Data at MAXVALUE needs a value no cycle can give without reusing ids.
        XCTAssertEqual(
            ValueRule.decide(source: at(10), bounds: ring, target: nil, dataMax: 100, dataMin: 1),
            .outOfRange(needed: "101", limit: 100))
    }

    func testSixtyFourBitExtremesDoNotOverflow() {
        XCTAssertEqual(
            ValueRule.decide(source: at(Int64.max - 1), bounds: up, target: nil, dataMax: nil, dataMin: nil),
            .set(at(Int64.max - 1), next: Int64.max))
        XCTAssertEqual(
            ValueRule.decide(source: at(Int64.max), bounds: up, target: nil, dataMax: nil, dataMin: nil),
            .outOfRange(needed: "9223372036854775808", limit: Int64.max))
        XCTAssertEqual(
            ValueRule.decide(source: at(1), bounds: up, target: nil, dataMax: Int64.max, dataMin: 1),
            .outOfRange(needed: "9223372036854775808", limit: Int64.max))
        let down = SequenceBounds(increment: -1, minValue: Int64.min, maxValue: -1, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(Int64.min), bounds: down, target: nil, dataMax: nil, dataMin: nil),
            .outOfRange(needed: "-9223372036854775809", limit: Int64.min))
        let huge = SequenceBounds(increment: Int64.max, minValue: Int64.min, maxValue: Int64.max, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(0), bounds: huge, target: nil, dataMax: nil, dataMin: nil),
            .set(at(0), next: Int64.max))
    }

    func testNeededValueAtMinValueUsesIsCalledFalse() {
        // last_value = next - increment would fall below MINVALUE, so setval(next, false).
        let up10 = SequenceBounds(increment: 1, minValue: 10, maxValue: 100, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(5, called: false), bounds: up10, target: nil, dataMax: 9, dataMin: 9),
            .set(at(10, called: false), next: 10))
    }

    func testExhaustedTargetIsNeverMovedBack() {
        let small = SequenceBounds(increment: 1, minValue: 1, maxValue: 100, cycle: false)
        XCTAssertEqual(
            ValueRule.decide(source: at(10), bounds: small, target: at(100), dataMax: nil, dataMin: nil),
            .keep(next: nil))
    }
}
