import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Faults met while `reseq reconcile --apply --allow-hazards all` rebuilds the shape a DMS copy
/// dropped (issue 11), through the built binary, on shape.sql and its DMS copy (ParityPair.swift):
/// a concurrent index build whose backend is killed, or interrupted; a validation held up by
/// another session's lock; a unique key the target's rows break; a helper session lost. Each
/// checks the exit code, the message and what is left on the target, then that re-runs converge.
///
/// A concurrent build is made to wait by a session holding a snapshot (REPEATABLE READ, after
/// one query): CREATE INDEX CONCURRENTLY waits for it before it marks the index valid, on a
/// `virtualxid` lock, so under a long --lock-timeout the build stays in flight until the test
/// acts. Its INVALID index exists by then.
final class ShapeFaultTests: VersionClustersTestCase {
    /// shape.sql on a source database, its DMS copy on a target of the same cluster, and the
    /// source's snapshot written by the binary.
    private struct Copy {
        var cluster: TestCluster
        var sourceFile: String
        var target: String
        /// The target, with `application_name` set so that the test finds reseq's sessions.
        var dsn: String
        var application: String

        func connect() throws -> Connection { try cluster.connect(database: target) }

        func reconcile(_ extra: [String] = []) -> [String] {
            ["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply", "--allow-hazards", "all"] + extra
        }
    }

    /// `changeSource` runs on the source before its snapshot is taken.
    private func prepare(_ application: String, changeSource: String? = nil) throws -> Copy {
        let cluster = try cluster(15)
        let source = try loadAsOwner(.shape, on: cluster)
        if let changeSource { try cluster.run(changeSource, database: source) }
        let target = try dmsCopy(.shape, on: cluster)
        let file = temporaryFile("source.json")
        let snapshot = try BinaryTests.reseq(["snapshot", "--dsn", cluster.conninfo(database: source), "--output", file])
        XCTAssertEqual(snapshot.status, 0, snapshot.stderr)
        return Copy(cluster: cluster, sourceFile: file, target: target,
                    dsn: cluster.conninfo(database: target) + " application_name=\(application)", application: application)
    }

    /// A session that holds a snapshot until `ROLLBACK`: concurrent builds wait for it.
    private func holdSnapshot(_ copy: Copy) throws -> Connection {
        let blocker = try copy.connect()
        try blocker.execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1")
        addTeardownBlock { blocker.close() }
        return blocker
    }

    /// Polls until a session of reseq runs a statement LIKE `query` and waits on `waitEvent`;
    /// returns its backend pid.
    private func waitForSession(_ copy: Copy, query: String, waitEvent: String,
                                _ reseq: BinaryFaultTests.Background) throws -> Int32 {
        let watcher = try copy.connect()
        defer { watcher.close() }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, reseq.process.isRunning {
            let rows = try watcher.query("""
                SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2 AND wait_event = $3
                """, [copy.application, query, waitEvent])
            if let pid = rows.rows.first?.first.flatMap({ $0 }).flatMap(Int32.init) { return pid }
            Thread.sleep(forTimeInterval: 0.02)
        }
        // What every session was doing instead, for the failure message.
        let sessions = try watcher.query("""
            SELECT application_name, state, wait_event, backend_xmin, left(query, 100)
            FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = current_database()
            """).rows.map { $0.map { $0 ?? "NULL" }.joined(separator: " | ") }
        throw TestClusterError("""
            no session of reseq waited on \(waitEvent) running \(query); the sessions:
            \(sessions.joined(separator: "\n"))
            """)
    }

    private func strings(_ copy: Copy, _ sql: String) throws -> [String] {
        try copy.connect().query(sql).rows.map { $0.first.flatMap { $0 } ?? "NULL" }
    }

    /// Every INVALID index of the target, in any schema.
    private func invalidIndexes(_ copy: Copy) throws -> [String] {
        try strings(copy, "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid ORDER BY 1")
    }

    /// pg_index.indisvalid of an index, nil when there is none.
    private func indexValid(_ copy: Copy, _ name: String) throws -> Bool? {
        let rows = try copy.connect().query("""
            SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1
            """, [name])
        return rows.count == 0 ? nil : try rows.bool(0, "valid")
    }

    /// pg_constraint.convalidated of a constraint of public.customers, nil when there is none.
    private func constraintValidated(_ copy: Copy, _ name: String) throws -> Bool? {
        let rows = try copy.connect().query("""
            SELECT convalidated AS validated FROM pg_constraint WHERE conrelid = 'public.customers'::regclass AND conname = $1
            """, [name])
        return rows.count == 0 ? nil : try rows.bool(0, "validated")
    }

    /// The summary's lines of objects not applied.
    private func notApplied(_ run: BinaryTests.Run) -> [String] {
        run.stdout.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("blocked: ") || $0.hasPrefix("failed: ") || $0.hasPrefix("notRun: ") }
    }

    /// `reseq reconcile` again: exit 0, verified, no INVALID index left.
    private func assertRerunConverges(_ copy: Copy, file: StaticString = #filePath, line: UInt = #line) throws {
        let rerun = try BinaryTests.reseq(copy.reconcile())
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr, file: file, line: line)
        XCTAssertTrue(rerun.stdout.contains("verified: the target now matches the source; ready for writes."), rerun.stdout,
                      file: file, line: line)
        XCTAssertEqual(try invalidIndexes(copy), [], file: file, line: line)
    }

    // MARK: a backend killed during CREATE INDEX CONCURRENTLY

    /// The build's backend killed while it waits for an old snapshot: exit 2, the build named as
    /// cut off, with the statement that removes what it left; its INVALID index stays (the undo
    /// needs the lost session). The re-run drops it, builds it again and verifies.
    func testBackendKilledDuringAConcurrentBuildLeavesAnInvalidIndexTheRerunRebuilds() throws {
        let copy = try prepare("reseq_cic_killed")
        let blocker = try holdSnapshot(copy)
        let reseq = try BinaryFaultTests.Background(copy.reconcile(["--lock-timeout", "60s"]))
        let pid = try waitForSession(copy, query: "CREATE INDEX CONCURRENTLY customers_active_idx %", waitEvent: "virtualxid", reseq)
        try blocker.query("SELECT pg_terminate_backend($1::int)", ["\(pid)"])
        try blocker.execute("ROLLBACK")
        let run = try reseq.finish()

        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("""
            notRun: index public.customers_active_idx: cut off: the connection to the target was lost (
            """), run.stdout)
        XCTAssertTrue(run.stdout.contains("""
            ; what it may have left stays until the next run removes it: DROP INDEX CONCURRENTLY IF EXISTS "public"."customers_active_idx";
            """), run.stdout)
        XCTAssertTrue(run.stderr.contains("the connection to the target was lost during apply."), run.stderr)
        XCTAssertTrue(run.stderr.contains("""
            the transaction in progress was rolled back by the server, and 1 object(s) run outside a transaction were cut off: \
            what they left (named above) is removed by the next run.
            """), run.stderr)
        XCTAssertTrue(run.stderr.contains("run the same reconcile again to finish"), run.stderr)
        XCTAssertFalse(run.stdout.contains("verif"), run.stdout)
        XCTAssertEqual(try invalidIndexes(copy), ["customers_active_idx"])

        try assertRerunConverges(copy)
        XCTAssertEqual(try indexValid(copy, "customers_active_idx"), true)
    }

    /// The same for the index of a unique key (built concurrently, then attached with USING
    /// INDEX): the INVALID index it leaves backs no constraint, and the re-run must drop it
    /// before building it again, not fail on "already exists".
    func testBackendKilledDuringTheBuildOfAUniqueKeysIndexTheRerunRebuildsIt() throws {
        // customers' other indexes gone from the source: the key's build is the one that waits.
        let copy = try prepare("reseq_key_killed", changeSource: "DROP INDEX customers_active_idx, customers_lower_email_idx")
        let blocker = try holdSnapshot(copy)
        let reseq = try BinaryFaultTests.Background(copy.reconcile(["--lock-timeout", "60s"]))
        let pid = try waitForSession(copy, query: "CREATE UNIQUE INDEX CONCURRENTLY customers_email_key %", waitEvent: "virtualxid", reseq)
        try blocker.query("SELECT pg_terminate_backend($1::int)", ["\(pid)"])
        try blocker.execute("ROLLBACK")
        let run = try reseq.finish()

        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("notRun: constraint public.customers.customers_email_key: cut off: "), run.stdout)
        XCTAssertEqual(try invalidIndexes(copy), ["customers_email_key"])
        XCTAssertNil(try constraintValidated(copy, "customers_email_key"))

        try assertRerunConverges(copy)
        XCTAssertEqual(try indexValid(copy, "customers_email_key"), true)
        XCTAssertEqual(try constraintValidated(copy, "customers_email_key"), true)
    }

    /// The session lost is a helper's (--jobs), not the first: the run stops and exits 2 as when
    /// the first is lost, without verifying; the re-run converges.
    func testHelperSessionKilledExitsTwoLikeTheFirst() throws {
        let copy = try prepare("reseq_helper_killed")
        // Both sessions of the first standalone segment wait on a lock: the first session on one
        // table, the helper on the other (which one takes which is not fixed).
        let holder = try copy.connect()
        try holder.execute("BEGIN; LOCK TABLE customers, orders_2025 IN ACCESS SHARE MODE")
        addTeardownBlock { holder.close() }
        let reseq = try BinaryFaultTests.Background(copy.reconcile(["--lock-timeout", "60s"]))
        let watcher = try copy.connect()
        var waiting: [(pid: String, started: String)] = []
        let deadline = Date().addingTimeInterval(30)
        while waiting.count < 2, Date() < deadline, reseq.process.isRunning {
            waiting = try watcher.query("""
                SELECT pid::text, (backend_start > (SELECT min(backend_start) FROM pg_stat_activity WHERE application_name = $1))::text
                FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'relation'
                """, [copy.application]).rows.map { ($0[0] ?? "", $0[1] ?? "") }
            if waiting.count < 2 { Thread.sleep(forTimeInterval: 0.02) }
        }
        // The helper connected after the first session (which reads the target first).
        let helper = try XCTUnwrap(waiting.first { $0.started == "true" }, "\(waiting)")
        XCTAssertEqual(waiting.count, 2, "\(waiting)")
        try holder.query("SELECT pg_terminate_backend($1::int)", [helper.pid])
        try holder.execute("ROLLBACK")
        let run = try reseq.finish()

        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains(": rolled back: the connection to the target was lost ("), run.stdout)
        XCTAssertTrue(run.stdout.contains("notRun: index public.customers_active_idx: not tried: the connection to the target was lost\n"),
                      run.stdout)
        XCTAssertTrue(run.stderr.contains("the connection to the target was lost during apply."), run.stderr)
        XCTAssertTrue(run.stderr.contains("so no object is half-applied. Nothing was verified."), run.stderr)
        XCTAssertFalse(run.stdout.contains("verif"), run.stdout)

        try assertRerunConverges(copy)
    }

    // MARK: a lock held during VALIDATE CONSTRAINT

    /// Another session takes SHARE UPDATE EXCLUSIVE on customers once its check is in NOT VALID
    /// and before its validation starts (the only lock the validation needs; holding it from the
    /// start would hold up customers' builds and ALTERs too). The validation is blocked, named
    /// with its table, after one retry (exit 1); the check stays NOT VALID and everything else
    /// is applied. With the lock gone the re-run validates it.
    ///
    /// The moments are made exact by an event trigger on the target (test instrumentation, not
    /// part of the shape): at the start of two statements of reseq's it waits until the test
    /// releases an advisory lock, a wait that lock_timeout does not cut (it polls):
    /// gate 1 before the VALIDATE, so that the test takes the table's lock then; gate 2 before
    /// the next statement on customers (the NOT NULL of email the copy dropped), so that the test
    /// releases it after the validation gave up and before anything else needs the table.
    func testALockHeldDuringAValidationBlocksItAloneAndTheRerunValidates() throws {
        let copy = try prepare("reseq_validate_blocked")
        let dry = try BinaryTests.reseq(["reconcile", "--source", copy.sourceFile, "--target-dsn", copy.dsn])
        XCTAssertTrue(dry.stdout.contains("""
            -- validation of public.customers (each statement on its own, outside a transaction)
            -- checks the rows already in public.customers against check customers_score_check \
            (lock: SHARE UPDATE EXCLUSIVE on public.customers; hazards: validation-scan)
            ALTER TABLE "public"."customers" VALIDATE CONSTRAINT "customers_score_check";
            """), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("CREATE TRIGGER customers_touch "), dry.stdout)

        let gates = try copy.connect()
        try gates.execute("""
            CREATE FUNCTION public.reseq_test_gate() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE gate int := CASE
                WHEN current_query() LIKE '%VALIDATE CONSTRAINT "customers_score_check"%' THEN 1
                WHEN current_query() LIKE '%ADD CONSTRAINT "reseq_not_null_email"%' THEN 2 END;
            BEGIN
              IF gate IS NOT NULL THEN
                WHILE NOT pg_try_advisory_lock_shared(gate) LOOP PERFORM pg_sleep(0.01); END LOOP;
                PERFORM pg_advisory_unlock_shared(gate);
              END IF;
            END $$;
            CREATE EVENT TRIGGER reseq_test_gate ON ddl_command_start EXECUTE FUNCTION public.reseq_test_gate();
            SELECT pg_advisory_lock(1), pg_advisory_lock(2);
            """)
        let holder = try copy.connect()
        addTeardownBlock { holder.close() }

        let reseq = try BinaryFaultTests.Background(copy.reconcile(["--lock-timeout", "200ms", "--lock-retries", "1"]))
        _ = try waitForSession(copy, query: "%VALIDATE CONSTRAINT \"customers_score_check\"%", waitEvent: "PgSleep", reseq)
        XCTAssertEqual(try constraintValidated(copy, "customers_score_check"), false)
        try holder.execute("BEGIN; LOCK TABLE customers IN SHARE UPDATE EXCLUSIVE MODE")
        try gates.execute("SELECT pg_advisory_unlock(1)")
        _ = try waitForSession(copy, query: "%ADD CONSTRAINT \"reseq_not_null_email\"%", waitEvent: "PgSleep", reseq)
        try holder.execute("COMMIT")
        try gates.execute("SELECT pg_advisory_unlock(2)")
        let run = try reseq.finish()

        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertEqual(notApplied(run), ["""
            blocked: validation of public.customers: another session held a lock on public.customers \
            past lock_timeout (200ms) (tried 2 times)
            """], run.stdout)
        XCTAssertTrue(run.stdout.hasPrefix("applied 57 of 58 object(s)."), run.stdout)
        XCTAssertTrue(run.stdout.contains("verification found 1 difference(s) that matter:"), run.stdout)
        XCTAssertTrue(run.stdout.contains("""
            warning constraintDiffers public.customers.customers_score_check: check customers_score_check on public.customers \
            is NOT VALID on the target: rows already there were never checked.
            """), run.stdout)
        XCTAssertEqual(try constraintValidated(copy, "customers_score_check"), false)
        XCTAssertEqual(try invalidIndexes(copy), [])

        try gates.execute("DROP EVENT TRIGGER reseq_test_gate; DROP FUNCTION public.reseq_test_gate()")
        // Validated, not dropped and added again (which would need the correctness hazard).
        let rerun = try BinaryTests.reseq(["reconcile", "--source", copy.sourceFile, "--target-dsn", copy.dsn, "--apply",
                                           "--allow-hazards", "validation-scan", "--lock-timeout", "200ms", "--lock-retries", "1"])
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stdout.hasPrefix("applied 1 of 1 object(s).\nverified: the target now matches the source; ready for writes."),
                      rerun.stdout)
        XCTAssertEqual(try constraintValidated(copy, "customers_score_check"), true)
    }

    // MARK: SIGINT during an index build

    /// SIGINT while a concurrent build waits: every session's statement is cancelled, the
    /// build's undo drops its INVALID index (DROP INDEX CONCURRENTLY does not wait for the old
    /// snapshot), exit 130 within a few seconds while the snapshot is still held; the re-run
    /// converges.
    func testSIGINTDuringAConcurrentBuildDropsItsIndexAndExits130() throws {
        let copy = try prepare("reseq_cic_sigint")
        let blocker = try holdSnapshot(copy)
        let reseq = try BinaryFaultTests.Background(copy.reconcile(["--lock-timeout", "60s"]))
        _ = try waitForSession(copy, query: "CREATE INDEX CONCURRENTLY customers_active_idx %", waitEvent: "virtualxid", reseq)
        XCTAssertEqual(try invalidIndexes(copy), ["customers_active_idx"])
        let interrupted = Date()
        kill(reseq.process.processIdentifier, SIGINT)
        let run = try reseq.finish()
        let took = Date().timeIntervalSince(interrupted)
        XCTAssertLessThan(took, 5, "exiting took \(took)s")

        XCTAssertEqual(run.status, 130, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains(
            "notRun: index public.customers_active_idx: rolled back: interrupted (the running statement was cancelled)\n"), run.stdout)
        XCTAssertTrue(run.stderr.contains("interrupted: the running transaction was rolled back; run reconcile again to finish."), run.stderr)
        XCTAssertFalse(run.stdout.contains("verif"), run.stdout)
        // Cancelled and undone before the snapshot was let go; no session of reseq lingers.
        XCTAssertEqual(try invalidIndexes(copy), [])
        XCTAssertNil(try indexValid(copy, "customers_active_idx"))
        XCTAssertEqual(try strings(copy, "SELECT count(*)::text FROM pg_stat_activity WHERE application_name = '\(copy.application)'"),
                       ["0"])
        try blocker.execute("ROLLBACK")

        try assertRerunConverges(copy)
        XCTAssertEqual(try indexValid(copy, "customers_active_idx"), true)
    }

    /// SIGINT while a concurrent build waits for a report that reads the table (a snapshot and
    /// ACCESS SHARE on it): the undo's DROP INDEX CONCURRENTLY waits for that lock too, so it
    /// is cut short by its brief timeout; exit 130 soon after, the INVALID index left and named
    /// with the statement that removes it. The re-run drops it and builds it again.
    func testSIGINTWhileAReportReadsTheTableLeavesTheInvalidIndexNamedAndExits130() throws {
        let copy = try prepare("reseq_cic_sigint_report")
        let blocker = try holdSnapshot(copy)
        let reseq = try BinaryFaultTests.Background(copy.reconcile(["--lock-timeout", "60s"]))
        _ = try waitForSession(copy, query: "CREATE INDEX CONCURRENTLY customers_active_idx %", waitEvent: "virtualxid", reseq)
        // The report's lock, taken now: earlier, it would have held up customers' ALTER TABLE.
        let report = try copy.connect()
        addTeardownBlock { report.close() }
        try report.execute("BEGIN; LOCK TABLE customers IN ACCESS SHARE MODE")
        let interrupted = Date()
        kill(reseq.process.processIdentifier, SIGINT)
        let run = try reseq.finish()
        let took = Date().timeIntervalSince(interrupted)
        XCTAssertLessThan(took, 5, "exiting took \(took)s")

        XCTAssertEqual(run.status, 130, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("""
            notRun: index public.customers_active_idx: cut off: interrupted (the running statement was cancelled); what it may \
            have left stays until the next run removes it: DROP INDEX CONCURRENTLY IF EXISTS "public"."customers_active_idx";
            """), run.stdout)
        XCTAssertTrue(run.stderr.contains("""
            interrupted: the running transaction was rolled back, and 1 object(s) run outside a transaction were cut off: \
            what they left (named above) is removed by the next run; run reconcile again to finish.
            """), run.stderr)
        XCTAssertEqual(try invalidIndexes(copy), ["customers_active_idx"])
        try report.execute("ROLLBACK")
        try blocker.execute("ROLLBACK")

        try assertRerunConverges(copy)
        XCTAssertEqual(try indexValid(copy, "customers_active_idx"), true)
    }

    // MARK: a step failing halfway through the plan

    /// A duplicate email on the target: the unique key's build fails naming the key, its
    /// INVALID index is dropped at once, nothing of the key is left, and every other object is
    /// applied (exit 1). With the duplicate gone the re-run builds the key and verifies, and a
    /// third run has nothing to do.
    func testADuplicateBreaksTheUniqueKeyAloneAndTheRerunBuildsIt() throws {
        let copy = try prepare("reseq_duplicate")
        try copy.connect().execute("""
            INSERT INTO customers (id, email, name, active, score, tags, profile, mood, credit)
            SELECT 1000, email, name, active, score, tags, profile, mood, credit FROM customers WHERE id = 1
            """)
        let run = try BinaryTests.reseq(copy.reconcile())

        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("applied 57 of 58 object(s)."), run.stdout)
        XCTAssertEqual(notApplied(run), ["""
            failed: constraint public.customers.customers_email_key: statement failed [SQLSTATE 23505]: could not create unique \
            index "customers_email_key" DETAIL: Key (email)=(c1@example.com) is duplicated. statement: CREATE UNIQUE INDEX \
            CONCURRENTLY customers_email_key ON public.customers USING btree (email);
            """], run.stdout)
        XCTAssertTrue(run.stdout.contains("verification found 1 difference(s) that matter:"), run.stdout)
        XCTAssertTrue(run.stdout.contains("uniqueMissing public.customers.customers_email_key"), run.stdout)
        XCTAssertNil(try indexValid(copy, "customers_email_key"))
        XCTAssertNil(try constraintValidated(copy, "customers_email_key"))
        XCTAssertEqual(try invalidIndexes(copy), [])
        // What does not need the key is there: the other indexes, the check, the trigger.
        XCTAssertEqual(try indexValid(copy, "customers_lower_email_idx"), true)
        XCTAssertEqual(try constraintValidated(copy, "customers_score_check"), true)
        XCTAssertEqual(try strings(copy, "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'customers'::regclass AND NOT tgisinternal"), ["customers_touch"])

        try copy.connect().execute("DELETE FROM customers WHERE id = 1000")
        let rerun = try BinaryTests.reseq(copy.reconcile())
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stdout.hasPrefix("applied 1 of 1 object(s).\nverified: the target now matches the source; ready for writes."),
                      rerun.stdout)
        XCTAssertEqual(try indexValid(copy, "customers_email_key"), true)
        XCTAssertEqual(try constraintValidated(copy, "customers_email_key"), true)

        let third = try BinaryTests.reseq(copy.reconcile())
        XCTAssertEqual(third.status, 0, third.stdout + third.stderr)
        XCTAssertTrue(third.stdout.hasPrefix("applied 0 of 0 object(s)."), third.stdout)
    }
}
