import XCTest
@testable import ReseqCore

final class ModelTests: XCTestCase {
    func testSequenceTypeRanges() {
        XCTAssertEqual(SequenceType.smallint.range, -32768...32767)
        XCTAssertEqual(SequenceType.bigint.range, Int64.min...Int64.max)
    }

    /// The report says "missing indexes: 34": each label is a distinct plural phrase.
    func testEveryKindHasItsOwnLabel() {
        let labels = Finding.Kind.allCases.map(\.label)
        XCTAssertEqual(Set(labels).count, labels.count, "two kinds share a label")
        XCTAssertFalse(labels.contains(where: \.isEmpty))
    }
}
