import XCTest
@testable import ReseqCore

final class SQLTests: XCTestCase {
    func testIdentifiersAreAlwaysQuotedAndQuotesDoubled() {
        XCTAssertEqual(SQL.identifier("id"), #""id""#)
        XCTAssertEqual(SQL.identifier("Invoice Lines"), #""Invoice Lines""#)
        XCTAssertEqual(SQL.identifier(#"a"b"#), #""a""b""#)
        XCTAssertEqual(SQL.identifier("x; DROP TABLE t; --"), #""x; DROP TABLE t; --""#)
        XCTAssertEqual(SQL.identifier("select"), #""select""#)
        XCTAssertEqual(SQL.identifier("a\nb"), "\"a\nb\"")
    }

    func testLiteralsDoubleSingleQuotes() {
        XCTAssertEqual(SQL.literal("it's"), "'it''s'")
        XCTAssertEqual(SQL.literal(#"\'"#), #"'\'''"#)
    }

    func testNextvalQuotesTheNameInsideTheLiteral() {
        XCTAssertEqual(SQL.nextval(QualifiedName(schema: "Billing", name: "o'brien\"s")),
                       #"nextval('"Billing"."o''brien""s"'::regclass)"#)
    }

    func testCommentsCannotBeEndedByNewlines() {
        XCTAssertEqual(SQL.comment("a\nDROP TABLE t;\r\nb"), "-- a DROP TABLE t; b")
    }

    func testSpareNameStaysWithin63Bytes() {
        XCTAssertEqual(ObjectPlanBuilder.spareName(for: "events_id_seq"), "events_id_seq_before_reseq")
        let long = String(repeating: "é", count: 31) // 62 bytes
        let spare = ObjectPlanBuilder.spareName(for: long)
        XCTAssertLessThanOrEqual(spare.utf8.count, 63)
        XCTAssertTrue(spare.hasSuffix("_before_reseq"))
    }
}
