import XCTest
@testable import ReseqCore

final class ModelTests: XCTestCase {
    func testSequenceTypeRanges() {
        XCTAssertEqual(SequenceType.smallint.range, -32768...32767)
        XCTAssertEqual(SequenceType.bigint.range, Int64.min...Int64.max)
    }
}
