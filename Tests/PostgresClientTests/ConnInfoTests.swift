import PostgresClient
import XCTest

final class ConnInfoTests: XCTestCase {
    func testRedactedURIHidesPassword() {
        let text = ConnInfo.redacted("postgresql://u:secret@h/db")
        XCTAssertFalse(text.contains("secret"), text)
        XCTAssertTrue(text.contains("host=h"), text)
        XCTAssertTrue(text.contains("user=u"), text)
        XCTAssertTrue(text.contains("dbname=db"), text)
    }

    func testRedactedKeyValueHidesPassword() {
        for conninfo in ["host=h password=secret dbname=db", "password='sec ret' host=h", "sslpassword=secret host=h"] {
            let text = ConnInfo.redacted(conninfo)
            XCTAssertFalse(text.contains("secret") || text.contains("sec ret"), text)
            XCTAssertTrue(text.contains("host=h"), text)
        }
    }

    func testUnparseableIsNotShown() {
        let text = ConnInfo.redacted("host=h password='secret")
        XCTAssertFalse(text.contains("secret"), text)
    }

    func testDescribe() throws {
        let parts = try ConnInfo.describe("postgresql://alice:secret@db.example.com:6543/shop")
        XCTAssertEqual(parts.host, "db.example.com")
        XCTAssertEqual(parts.port, "6543")
        XCTAssertEqual(parts.database, "shop")
        XCTAssertEqual(parts.user, "alice")
        let keyValue = try ConnInfo.describe("host=/tmp/sock dbname='my db' user=bob")
        XCTAssertEqual(keyValue.host, "/tmp/sock")
        XCTAssertEqual(keyValue.database, "my db")
        XCTAssertThrowsError(try ConnInfo.describe("host='unterminated")) { error in
            XCTAssertFalse("\(error)".isEmpty)
        }
    }

    func testQuoteRoundTripsThroughLibpq() throws {
        let parts = try ConnInfo.describe("dbname=" + ConnInfo.quote("it's a \\ db") + " user=x")
        XCTAssertEqual(parts.database, "it's a \\ db")
    }
}
