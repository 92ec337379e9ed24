import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest

final class ConnectionTests: ClusterTestCase {
    func testConnectAndQueryWithParameters() throws {
        let connection = try cluster.connect()
        XCTAssertTrue(connection.isConnectionOK)
        XCTAssertGreaterThanOrEqual(connection.serverVersionNumber, 100000)
        XCTAssertGreaterThan(connection.backendPID, 0)
        let result = try connection.query(
            "SELECT $1::bigint AS big, $2::bigint AS small, $3::text AS nothing, $4::bool AS yes, $5::text AS quote",
            ["9223372036854775807", "-9223372036854775808", nil, "true", "it's \"here\""])
        XCTAssertEqual(result.columns, ["big", "small", "nothing", "yes", "quote"])
        XCTAssertEqual(try result.int64(0, "big"), Int64.max)
        XCTAssertEqual(try result.int64(0, "small"), Int64.min)
        XCTAssertNil(try result.optionalString(0, "nothing"))
        XCTAssertTrue(try result.bool(0, "yes"))
        XCTAssertEqual(try result.string(0, "quote"), "it's \"here\"")
        XCTAssertThrowsError(try result.int64(0, "quote")) { error in
            XCTAssertTrue("\(error)".contains("quote"), "\(error)")
        }
        XCTAssertThrowsError(try result.string(0, "nothing"))
        XCTAssertThrowsError(try result.string(0, "missing"))
    }

    func testExecuteRunsSeveralStatements() throws {
        let connection = try cluster.connect()
        try connection.execute("CREATE TEMP TABLE t (a int); INSERT INTO t VALUES (1), (2);")
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM t").int64(0, "n"), 2)
    }

    func testServerErrorCarriesStateMessageAndStatement() throws {
        let connection = try cluster.connect()
        let sql = "SELECT * FROM no_such_table_here"
        XCTAssertThrowsError(try connection.query(sql)) { error in
            guard let error = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.sqlState, .undefinedTable)
            XCTAssertEqual(error.kind, .statement)
            XCTAssertTrue(error.message.contains("no_such_table_here"), error.message)
            XCTAssertEqual(error.statement, sql)
            XCTAssertTrue(error.description.contains("42P01"), error.description)
        }
        // The session stays usable after an error outside a transaction.
        XCTAssertEqual(try connection.query("SELECT 1 AS one").int64(0, "one"), 1)
    }

    func testBadPortFailsClearlyWithoutPassword() throws {
        let conninfo = "host=\(cluster.directory.path) port=1 dbname=postgres user=nobody password=secret connect_timeout=5"
        for _ in 0..<20 {  // a leak of PGconn on failure would show under valgrind/ASan; this at least exercises it
            XCTAssertThrowsError(try Connection(conninfo: conninfo)) { error in
                guard let error = error as? PostgresError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.kind, .connection)
                XCTAssertTrue(error.description.contains("could not connect to \(self.cluster.directory.path):1/postgres"), error.description)
                XCTAssertTrue(error.description.contains("Check the DSN"), error.description)
                XCTAssertFalse(error.description.contains("secret"), error.description)
            }
        }
    }

    func testCloseIsIdempotent() throws {
        let connection = try cluster.connect()
        connection.close()
        connection.close()
        XCTAssertFalse(connection.isConnectionOK)
        XCTAssertThrowsError(try connection.query("SELECT 1")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .connectionDoesNotExist)
        }
    }

    func testCancelFromAnotherThread() throws {
        let connection = try cluster.connect()
        let canceller = try connection.makeCanceller()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            try? canceller.cancel()
        }
        let started = Date()
        XCTAssertThrowsError(try connection.query("SELECT pg_sleep(30)")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .queryCanceled, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(try connection.query("SELECT 2 AS two").int64(0, "two"), 2)
    }

    func testTerminatedBackendIsConnectionLoss() throws {
        let victim = try cluster.connect()
        let killer = try cluster.connect()
        try killer.query("SELECT pg_terminate_backend($1::int)", [String(victim.backendPID)])
        XCTAssertThrowsError(try victim.query("SELECT 1")) { error in
            let state = (error as? PostgresError)?.sqlState
            XCTAssertTrue(state?.isConnectionLoss ?? false, "\(error)")
        }
    }
}
