import XCTest
@testable import ReseqCore

final class CapacityTests: XCTestCase {
    func row(_ seq: SequenceInfo, column: String? = nil) -> CapacityRow {
        var snapshot = Snapshot(database: ReportFixture.source.database, sequences: [seq], columns: [])
        if let column {
            snapshot.columns = [ColumnInfo(ref: ColumnRef(table: seq.name, column: "id"), dataType: column,
                                           tableOwner: "app", defaultSequence: seq.name)]
        }
        return CapacityRow(seq, snapshot: "source", limit: SequenceLimits(snapshot).limit(of: seq))
    }

    func seq(_ type: SequenceType, inc: Int64 = 1, min: Int64? = nil, max: Int64? = nil,
             last: Int64?, called: Bool = true) -> SequenceInfo {
        SequenceInfo(name: QualifiedName(schema: "public", name: "s"), owner: "app", dataType: type,
                     increment: inc, minValue: min ?? (inc > 0 ? 1 : type.range.lowerBound),
                     maxValue: max ?? (inc > 0 ? type.range.upperBound : -1), lastValue: last, isCalled: called)
    }

    func testInt4At80PercentIsARisk() {
        let r = row(seq(.integer, last: ReportFixture.int4At80))
        XCTAssertEqual(r.usedPercent, "80.0%")
        XCTAssertTrue(r.risk)
        XCTAssertEqual(r.remaining, "429496729")
        XCTAssertEqual(r.note, "public.s has used 80.0% of integer: about 429,496,729 ids left; convert to bigint before it runs out.")
    }

    func testJustUnderThresholdIsNoRisk() {
        let under = row(seq(.integer, last: 1_610_612_735))  // 1,610,612,734 of 2,147,483,646 used
        XCTAssertFalse(under.risk)
        XCTAssertEqual(under.usedPercent, "74.9%")
        XCTAssertTrue(row(seq(.integer, last: 1_610_612_737)).risk)
    }

    func testBigintIsNeverARiskButIsMeasured() throws {
        let r = row(seq(.bigint, last: Int64.max / 10 * 9))
        XCTAssertEqual(try XCTUnwrap(r.usedFraction), 0.9, accuracy: 1e-9)
        XCTAssertFalse(r.risk)
    }

    func testNeverCalledHasUsedNothing() {
        let r = row(seq(.integer, last: 1, called: false))
        XCTAssertEqual(r.usedFraction, 0)
        XCTAssertEqual(r.remaining, "2147483647")
    }

    func testUnreadablePositionIsUnknown() {
        let r = row(seq(.integer, last: nil))
        XCTAssertNil(r.usedFraction)
        XCTAssertEqual(r.usedPercent, "unknown")
        XCTAssertFalse(r.risk)
    }

    func testDescendingCountsFromMaxValue() {
        let r = row(seq(.smallint, inc: -1, last: -30_000))
        // from -1 down to -32768: 29,999 of 32,767 steps used.
        XCTAssertEqual(r.usedPercent, "91.5%")
        XCTAssertTrue(r.risk)
        XCTAssertEqual(r.remaining, "2768")
    }

    func testSixtyFourBitExtremesDoNotOverflow() {
        let full = row(seq(.bigint, min: Int64.min, last: Int64.max))
        XCTAssertEqual(full.usedFraction, 1)
        XCTAssertEqual(full.remaining, "0")
        let start = row(seq(.bigint, min: Int64.min, last: Int64.min, called: false))
        XCTAssertEqual(start.usedFraction, 0)
        XCTAssertEqual(start.remaining, "18446744073709551616")
        let down = row(seq(.bigint, inc: Int64.min, min: Int64.min, max: Int64.max, last: Int64.max))
        XCTAssertEqual(down.usedFraction, 0)
        XCTAssertEqual(down.remaining, "1")
    }

    func testBigintSequenceFeedingAnInt4ColumnIsLimitedByTheColumn() {
        let r = row(seq(.bigint, last: 2_000_000_000), column: "integer")
        XCTAssertEqual(r.limitType, .integer)
        XCTAssertEqual(r.limitedBy, "public.s.id")
        XCTAssertTrue(r.risk)
        XCTAssertEqual(r.usedPercent, "93.1%")
    }

    func testGrouping() {
        XCTAssertEqual(CapacityRow.grouped(0), "0")
        XCTAssertEqual(CapacityRow.grouped(999), "999")
        XCTAssertEqual(CapacityRow.grouped(1000), "1,000")
        XCTAssertEqual(CapacityRow.grouped(-1_234_567), "-1,234,567")
    }
}
