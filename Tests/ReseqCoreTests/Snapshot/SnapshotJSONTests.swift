import Foundation
@testable import ReseqCore
import XCTest

final class SnapshotJSONTests: XCTestCase {
    private func sample(_ sequences: [SequenceInfo]? = nil) -> Snapshot {
        let info = DatabaseInfo(
            name: "shop", host: "db.example.com", port: "5432", serverVersion: "15.18",
            serverVersionNumber: 150018, systemIdentifier: "7712471889825434864",
            capturedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let table = QualifiedName(schema: "public", name: "t")
        return Snapshot(
            database: info,
            sequences: sequences ?? [
                SequenceInfo(name: QualifiedName(schema: "public", name: "up"), owner: "app",
                             minValue: Int64.min, maxValue: Int64.max, lastValue: Int64.max, isCalled: true),
                SequenceInfo(name: QualifiedName(schema: "public", name: "down"), owner: "app", start: -1,
                             increment: -1, minValue: Int64.min, maxValue: -1, lastValue: Int64.min, isCalled: true),
            ],
            columns: [ColumnInfo(ref: ColumnRef(table: table, column: "id"), tableOwner: "app",
                                 maxValue: Int64.max, minValue: Int64.min)],
            warnings: [SnapshotWarning(object: "public.t.id", message: "m")])
    }

    private func json(_ snapshot: Snapshot) throws -> String {
        String(decoding: try snapshot.jsonData(), as: UTF8.self)
    }

    private func assertFileError(_ text: String, contains parts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try Snapshot.decode(Data(text.utf8), file: "snap.json"), line: line) { error in
            guard let error = error as? SnapshotFileError else { return XCTFail("\(error)", line: line) }
            for part in parts + ["snap.json"] {
                XCTAssertTrue(error.description.contains(part), "\(error.description) lacks \(part)", line: line)
            }
        }
    }

    func testRoundTripKeepsExtremes() throws {
        let snapshot = sample()
        let data = try snapshot.jsonData()
        XCTAssertEqual(data.last, UInt8(ascii: "\n"))
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("9223372036854775807"))
        XCTAssertTrue(text.contains("-9223372036854775808"))
        XCTAssertTrue(text.contains("\"capturedAt\" : \"2023-11-14T22:13:20Z\""), text)
        XCTAssertEqual(try Snapshot.decode(data, file: "x.json"), snapshot)
    }

    func testInvalidAndTruncatedJSON() throws {
        assertFileError("{ not json", contains: ["not valid JSON"])
        let text = try json(sample())
        assertFileError(String(text.prefix(text.count / 2)), contains: ["not valid JSON"])
    }

    func testUnknownFormatVersionIsCheckedFirst() {
        assertFileError(#"{"formatVersion": 99}"#, contains: ["formatVersion", "99"])
        assertFileError(#"{"sequences": []}"#, contains: ["field formatVersion", "missing"])
    }

    func testMissingAndMistypedFieldsNameThePath() throws {
        let text = try json(sample())
        assertFileError(text.replacingOccurrences(of: "\"increment\" : -1,", with: ""),
                        contains: ["sequences[0].increment", "missing"])
        assertFileError(text.replacingOccurrences(of: "\"cache\" : 1,", with: "\"cache\" : \"one\","),
                        contains: ["sequences[0].cache"])
        assertFileError(text.replacingOccurrences(of: "\"owner\" : \"app\",", with: "\"owner\" : null,"),
                        contains: ["sequences[0].owner", "null"])
        assertFileError(text.replacingOccurrences(of: "\"dataType\" : \"bigint\",", with: "\"dataType\" : \"text\","),
                        contains: ["sequences[0].dataType"])
    }

    private func invalid(_ change: (inout SequenceInfo) -> Void) throws -> String {
        var sequence = SequenceInfo(name: QualifiedName(schema: "s", name: "q"), owner: "o")
        change(&sequence)
        return try json(sample([sequence]))
    }

    func testSemanticChecks() throws {
        assertFileError(try invalid { $0.increment = 0 }, contains: ["sequences[0].increment", "0"])
        assertFileError(try invalid { $0.cache = 0 }, contains: ["sequences[0].cache"])
        assertFileError(try invalid { $0.minValue = 10; $0.maxValue = 5 }, contains: ["sequences[0].minValue"])
        assertFileError(try invalid { $0.start = 0 }, contains: ["sequences[0].start"])
        assertFileError(try invalid { $0.lastValue = 0 }, contains: ["sequences[0].lastValue"])
        assertFileError(try invalid { $0.dataType = .integer }, contains: ["sequences[0].maxValue", "integer"])
        assertFileError(try invalid { $0.dataType = .smallint; $0.minValue = -40000; $0.maxValue = 10 },
                        contains: ["sequences[0].minValue", "smallint"])
        let one = SequenceInfo(name: QualifiedName(schema: "s", name: "q"), owner: "o")
        assertFileError(try json(sample([one, one])), contains: ["sequences[1].name", "duplicate"])
    }

    func testIdentifierQuoting() {
        XCTAssertEqual(SQL.qualified(QualifiedName(schema: "Billing", name: "Line \"No\"")), #""Billing"."Line ""No""""#)
        XCTAssertEqual(CatalogSQL.textArray(["a\"b", "c\\d", ""]), #"{"a\"b","c\\d",""}"#)
        XCTAssertEqual(CatalogSQL.textArray(["Łódź", "{x,y}", "NULL"]), #"{"Łódź","{x,y}","NULL"}"#)
        XCTAssertEqual(CatalogSQL.textArray([]), "{}")
    }
}
