import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Faults injected into a real apply: a lock held by another session, the apply's backend
/// killed mid-plan, a DMS-style writer inserting explicit ids while reconcile runs. After each:
/// no object is half-applied, and a re-run converges.
final class ApplyFaultTests: ClusterTestCase {
    private func live() throws -> LiveDatabase {
        try LiveDatabase(cluster: cluster, sqlFile: "Tests/ReseqCoreTests/Fixtures/parity.sql")
    }

    /// Fault 1: ACCESS EXCLUSIVE held on "Billing".shared_b, the *second* table that draws from
    /// public.shared_ids. That object is reported blocked, naming that table, within the bound;
    /// every other object is applied; after the lock is gone a re-run converges.
    func testLockHeldByAnotherSessionBlocksOneObjectOnly() throws {
        let db = try live()
        let source = try db.snapshot(db.source)
        let before = try db.targetSnapshot(for: source)
        let plan = Planner.plan(source: source, target: before)
        XCTAssertEqual(plan.unresolved, [])

        let holder = try cluster.connect(database: db.target)
        try holder.execute(#"BEGIN; LOCK TABLE "Billing".shared_b IN ACCESS EXCLUSIVE MODE"#)
        let options = Applier.Options(lockTimeoutMilliseconds: 200, lockRetries: 2, firstRetryPause: 0.1)
        let started = Date()
        let outcomes = Applier(options: options).apply(plan, on: try cluster.connect(database: db.target))
        let elapsed = Date().timeIntervalSince(started)

        let blocked = outcomes.filter { $0.status == .blocked }
        XCTAssertEqual(blocked.map(\.object), ["public.shared_ids"])
        let message = try XCTUnwrap(blocked.first?.message)
        XCTAssertTrue(message.contains("on table Billing.shared_b"), message)
        XCTAssertFalse(message.contains("public.shared_a past"), message)
        XCTAssertTrue(message.contains("tried 3 times"), message)
        XCTAssertEqual(outcomes.filter { $0.status != .applied && $0.status != .blocked }, [])
        XCTAssertGreaterThan(outcomes.count, 10)
        // Bounded: 3 waits of 200ms and pauses of 0.1s + 0.2s, plus the work; far below 10s.
        XCTAssertLessThan(elapsed, 10, "blocked object held the run \(elapsed)s")

        // Every other object converged; the blocked one is untouched. (Released first: the
        // snapshot reads max(id) of the locked table too.)
        try holder.execute("COMMIT")
        let after = try db.targetSnapshot(for: source)
        try assertNoHalfAppliedObject(source: source, before: before, after: after)
        XCTAssertNil(after.sequence(QualifiedName(schema: "public", name: "shared_ids")))

        let rerun = try db.reconcile()
        XCTAssertEqual(rerun.outcomes.map(\.object), ["public.shared_ids"])
        XCTAssertEqual(rerun.outcomes.filter { $0.status != .applied }, [])
        XCTAssertEqual(rerun.verification?.filter(\.isBlocking), [])
    }

    /// Fault 2: the apply's backend is terminated right before object 7 (transactions of 3
    /// objects: 0–2 and 3–5 committed, 6 ran in the open transaction). Objects 0–5 are applied,
    /// the rest untouched; nothing half-applied; the re-run converges.
    func testBackendKilledMidPlanLeavesNoHalfAppliedObject() throws {
        let db = try live()
        let source = try db.snapshot(db.source)
        let before = try db.targetSnapshot(for: source)
        let plan = Planner.plan(source: source, target: before)
        XCTAssertGreaterThan(plan.objects.count, 9)

        let victim = try cluster.connect(database: db.target)
        let killer = try cluster.connect(database: db.target)
        let pid = victim.backendPID
        var applier = Applier(options: .init(objectsPerTransaction: 3))
        var killed = false
        applier.beforeObject = { index, _ in
            guard index == 7, !killed else { return }
            killed = true
            // Waits (up to 5s) until the backend is gone: the next statement meets a dead session.
            let result = try? killer.query("SELECT pg_terminate_backend($1::int, 5000)::text AS ok", ["\(pid)"])
            XCTAssertEqual(result?.rows.first?.first, "true")
        }
        let outcomes = applier.apply(plan, on: victim)
        XCTAssertTrue(killed)
        XCTAssertFalse(victim.isConnectionOK)

        XCTAssertEqual(outcomes.prefix(6).map(\.status), Array(repeating: .applied, count: 6))
        XCTAssertEqual(Set(outcomes.dropFirst(6).map(\.status)), [.notRun])
        XCTAssertTrue(outcomes[6].message?.contains("rolled back: the connection to the target was lost") ?? false,
                      outcomes[6].message ?? "")
        XCTAssertTrue(outcomes[9].message?.hasPrefix("not tried: ") ?? false, outcomes[9].message ?? "")

        let after = try db.targetSnapshot(for: source)
        let done = try assertNoHalfAppliedObject(source: source, before: before, after: after)
        XCTAssertEqual(done, Set(outcomes.prefix(6).map(\.object)))

        let rerun = try db.reconcile()
        XCTAssertEqual(Set(rerun.outcomes.map(\.object)), Set(outcomes.dropFirst(6).map(\.object)))
        XCTAssertEqual(rerun.outcomes.filter { $0.status != .applied }, [])
        XCTAssertEqual(rerun.verification?.filter(\.isBlocking), [])
    }

    /// Fault 4: an object's second statement fails in the middle of a transaction. The objects
    /// before and after it in that transaction are applied, the failing one is untouched, and
    /// it ran once: its first statement (a `nextval`, which no rollback undoes) counted 1.
    func testFailingObjectMidTransactionLeavesTheOthersAppliedAndRunsOnce() throws {
        let database = try cluster.createDatabase()
        let connection = try cluster.connect(database: database)
        try connection.execute("CREATE SEQUENCE tries")
        func object(_ name: String, _ sql: [String]) -> [Step] {
            sql.map { Step(object: name, sql: $0, fixes: "creates \(name)", lock: .none) }
        }
        let plan = Plan(steps: object("a", ["CREATE TABLE a (id int)"])
                            + object("b", ["SELECT nextval('tries')", "CREATE TABLE b (id int)", "SELECT 1 / 0"])
                            + object("c", ["CREATE TABLE c (id int)"]),
                        unresolved: [])
        let outcomes = Applier().apply(plan, on: connection)

        XCTAssertEqual(outcomes.map(\.status), [.applied, .failed, .applied])
        XCTAssertTrue(outcomes[1].message?.contains("division by zero") ?? false, outcomes[1].message ?? "")
        let tables = try connection.query("""
            SELECT string_agg(relname::text, ',' ORDER BY relname) AS names FROM pg_class WHERE relname IN ('a', 'b', 'c')
            """).string(0, "names")
        XCTAssertEqual(tables, "a,c")
        XCTAssertEqual(try connection.query("SELECT last_value::text AS tries FROM tries").string(0, "tries"), "1")
    }

    /// Fault 3: a writer inserts rows with explicit ids into the target while reconcile runs,
    /// as DMS CDC does. Ids written after the snapshot may lie past the position reconcile
    /// chose: the verification diff must catch that (not converged: exit 1), and a re-run,
    /// once CDC has stopped, must leave every sequence's next value above every id.
    func testConcurrentWriterWithExplicitIds() throws {
        let db = try LiveDatabase(cluster: cluster, sqlFile: "demo/source.sql")
        let source = try db.snapshot(db.source)
        let before = try db.targetSnapshot(for: source)
        let plan = Planner.plan(source: source, target: before)

        let writer = ExplicitIdWriter(conninfo: cluster.conninfo(database: db.target), tables: [
            ("orders", "id", "INSERT INTO orders (id, total) VALUES ($1, 1)", 20_000),
            ("django_migrations", "id", "INSERT INTO django_migrations (id, app, name) VALUES ($1, 'cdc', 'x')", 30_000),
            ("links_link", "id", "INSERT INTO links_link (id, url) VALUES ($1, 'cdc')", 40_000),
        ])
        // At least one row past the snapshot's max before the apply starts: deterministic race.
        try writer.writeOnce()
        writer.start()
        let outcomes = Applier(options: .init(lockTimeoutMilliseconds: 2000)).apply(plan, on: try cluster.connect(database: db.target))
        let after = try db.targetSnapshot(for: source)
        writer.stop()
        XCTAssertNil(writer.failure, writer.failure ?? "")
        XCTAssertGreaterThan(writer.written, 3)
        XCTAssertEqual(outcomes.filter { $0.status != .applied }, [])

        let verification = Differ.diff(source: source, target: after).filter(\.isBlocking)
        XCTAssertFalse(verification.isEmpty, "the writer's ids past the snapshot must be caught")
        XCTAssertEqual(Set(verification.map(\.kind)), [.behindData], "\(verification)")

        let rerun = try db.reconcile()
        XCTAssertEqual(rerun.outcomes.filter { $0.status != .applied }, [])
        XCTAssertEqual(rerun.verification?.filter(\.isBlocking), [])
        // The next value of every sequence is above every id of every column drawing from it.
        let check = try cluster.connect(database: db.target)
        let rows = try check.query("""
            SELECT d.refobjid::regclass::text AS seq, ad.adrelid::regclass::text AS tbl, a.attname AS col
            FROM pg_attrdef ad
            JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                            AND d.refclassid = 'pg_class'::regclass
            JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
            JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            UNION
            SELECT pg_get_serial_sequence(c.oid::regclass::text, a.attname), c.oid::regclass::text, a.attname
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE a.attidentity <> '' AND c.relnamespace = 'public'::regnamespace
            """)
        XCTAssertEqual(rows.count, 5)  // django_migrations, auth_user, orders, links_link, audit_event
        for row in rows.rows {
            guard let seq = row[0], let table = row[1], let column = row[2] else { continue }
            let maxID = try check.query("SELECT coalesce(max(\(SQL.identifier(column))), 0)::bigint AS m FROM \(table)").int64(0, "m")
            let next = try check.query("SELECT nextval($1::regclass) AS n", [seq]).int64(0, "n")
            XCTAssertGreaterThan(next, maxID, "\(seq) hands out \(next) but \(table).\(column) holds \(maxID)")
        }
    }

    /// For every source sequence, compares the blocking findings about it (its own, and those
    /// of every column drawing from it) before and after: either none are left (the object is
    /// done) or exactly the ones before remain (untouched). Returns the objects done.
    @discardableResult
    func assertNoHalfAppliedObject(source: Snapshot, before: Snapshot, after: Snapshot,
                                   file: StaticString = #filePath, line: UInt = #line) throws -> Set<String> {
        let findingsBefore = Differ.diff(source: source, target: before).filter(\.isBlocking)
        let findingsAfter = Differ.diff(source: source, target: after).filter(\.isBlocking)
        var done = Set<String>()
        for sequence in source.sequences where sequence.fromExtension == nil {
            var objects: Set<String> = [sequence.name.description]
            for column in source.columns where column.defaultSequence == sequence.name { objects.insert(column.ref.description) }
            if let owner = sequence.ownedBy { objects.insert(owner.description) }
            let was = Set(findingsBefore.filter { objects.contains($0.object) })
            let now = Set(findingsAfter.filter { objects.contains($0.object) })
            if now.isEmpty {
                if !was.isEmpty { done.insert(sequence.name.description) }
            } else {
                XCTAssertEqual(now, was, "\(sequence.name) is half-applied", file: file, line: line)
            }
        }
        return done
    }
}

/// Inserts rows with explicit, rising ids into a few tables from its own thread and connection,
/// as DMS CDC replays them, until stopped.
final class ExplicitIdWriter: @unchecked Sendable {
    typealias Table = (name: String, column: String, insert: String, firstID: Int64)
    private let conninfo: String
    private let tables: [Table]
    private let lock = NSLock()
    private var running = false
    private var thread: Thread?
    private var done = DispatchSemaphore(value: 0)
    private var nextIDs: [Int64]
    private var count = 0
    private var error: String?
    private lazy var connection: Connection? = try? Connection(conninfo: conninfo)

    init(conninfo: String, tables: [Table]) {
        self.conninfo = conninfo
        self.tables = tables
        nextIDs = tables.map(\.firstID)
    }

    var written: Int { lock.withLock { count } }
    var failure: String? { lock.withLock { error } }

    /// One row into each table, on the caller's thread.
    func writeOnce() throws {
        guard let connection else { throw TestClusterError("writer cannot connect") }
        for (index, table) in tables.enumerated() {
            let id = lock.withLock { () -> Int64 in
                defer { nextIDs[index] += 7 }
                return nextIDs[index]
            }
            try connection.query(table.insert, ["\(id)"])
            lock.withLock { count += 1 }
        }
    }

    func start() {
        lock.withLock { running = true }
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                do { try writeOnce() } catch { lock.withLock { self.error = "\(error)" }; break }
                Thread.sleep(forTimeInterval: 0.005)
            }
            done.signal()
        }
        self.thread = thread
        thread.start()
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }
}
