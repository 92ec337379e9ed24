import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// What a terminal shows while an index builds: `pg_stat_progress_create_index`, read on a
/// session of its own, names the index, its table and its phase.
final class BuildProgressTests: ClusterTestCase {
    func testARunningConcurrentBuildIsNamedWithItsPhase() throws {
        let database = try cluster.createDatabase("progress")
        try cluster.run("CREATE TABLE orders (id int, customer_id int); INSERT INTO orders SELECT g, g % 7 FROM generate_series(1, 1000) g",
                        database: database)
        // An open snapshot elsewhere makes the concurrent build wait in one of its phases.
        let blocker = try cluster.connect(database: database)
        defer { blocker.close() }
        try blocker.execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM orders")
        let builder = try cluster.connect(database: database)
        defer { builder.close() }
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedConnection(builder)
        Thread {
            try? box.connection.execute("CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)")
            done.signal()
        }.start()
        let watcher = try cluster.connect(database: database)
        defer { watcher.close() }
        var text = ""
        for _ in 0..<100 where !text.contains("waiting") {
            text = try StandaloneRunner.progress(on: watcher)
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(text.hasPrefix("orders_customer_id_idx on orders: waiting for"), text)
        try blocker.execute("COMMIT")
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(try StandaloneRunner.progress(on: watcher), "")
    }

    private struct UncheckedConnection: @unchecked Sendable {
        let connection: Connection
        init(_ connection: Connection) { self.connection = connection }
    }
}
