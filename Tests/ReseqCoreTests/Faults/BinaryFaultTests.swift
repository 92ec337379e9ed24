import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Faults met by the built binary as a user runs it: SIGINT while the apply waits on a lock,
/// the apply's backend killed, a pinned target cluster that does not match, a role that may
/// not read some sequences, and passwords that must never show.
final class BinaryFaultTests: ClusterTestCase {
    /// A demo source and its DMS copy, with the source snapshot written by the binary.
    private func prepare() throws -> (db: LiveDatabase, sourceFile: String) {
        let db = try LiveDatabase(cluster: cluster, sqlFile: "demo/source.sql")
        let file = temporaryFile("source.json")
        let run = try BinaryTests.reseq(["snapshot", "--dsn", cluster.conninfo(database: db.source), "--output", file])
        XCTAssertEqual(run.status, 0, run.stderr)
        return (db, file)
    }

    /// `reseq` started in the background, its output in files.
    final class Background {
        let process = Process()
        let out: URL
        let err: URL

        init(_ arguments: [String]) throws {
            let directory = FileManager.default.temporaryDirectory
            out = directory.appendingPathComponent("reseq-bg-out-\(UUID().uuidString)")
            err = directory.appendingPathComponent("reseq-bg-err-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = BinaryTests.binary
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Killed if still running, and the output files removed, when the test lets go of
        /// it: also when the test failed before `finish`.
        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }

        /// Waits for the exit, at most `timeout` seconds (then kills it and fails).
        func finish(timeout: TimeInterval = 30) throws -> BinaryTests.Run {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                XCTFail("reseq did not exit within \(timeout)s")
            }
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "reseq was killed by signal \(process.terminationStatus)")
            return BinaryTests.Run(status: process.terminationStatus,
                                   stdout: try String(contentsOf: out, encoding: .utf8),
                                   stderr: try String(contentsOf: err, encoding: .utf8))
        }
    }

    /// Polls until the session named `application` waits on a lock; returns its backend pid.
    private func waitForLockWait(_ application: String, in database: String, process: Process) throws -> Int32 {
        let watcher = try cluster.connect(database: database)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            let rows = try watcher.query(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [application])
            if let pid = rows.rows.first?.first.flatMap({ $0 }).flatMap(Int32.init) { return pid }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestClusterError("the apply never waited on the held lock")
    }

    private func sequenceCount(_ database: String) throws -> Int {
        try cluster.connect(database: database).query("SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'S'").int(0, "n")
    }

    /// Fault 4: SIGINT while the apply waits on a lock held by another session: the statement
    /// is cancelled, the transaction rolled back, the summary printed, exit 130; a re-run
    /// after the lock is gone converges.
    func testSIGINTDuringApplyRollsBackAndExitsNonZero() throws {
        let (db, sourceFile) = try prepare()
        let holder = try cluster.connect(database: db.target)
        // ACCESS SHARE, as a long report query holds: the snapshot's reads pass, the apply's
        // ALTER TABLE (ACCESS EXCLUSIVE) waits. An exclusive lock would hold up the snapshot.
        try holder.execute("BEGIN; LOCK TABLE django_migrations IN ACCESS SHARE MODE")
        let dsn = cluster.conninfo(database: db.target) + " application_name=reseq_sigint"
        let reseq = try Background(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply", "--lock-timeout", "60s"])
        _ = try waitForLockWait("reseq_sigint", in: db.target, process: reseq.process)
        let interrupted = Date()
        kill(reseq.process.processIdentifier, SIGINT)
        let run = try reseq.finish()
        XCTAssertLessThan(Date().timeIntervalSince(interrupted), 10, "the cancel did not stop the wait")

        XCTAssertEqual(run.status, 130, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("applied 0 of 6 object(s)."), run.stdout)
        XCTAssertTrue(run.stdout.contains("notRun: public.django_migrations_id_seq: rolled back: interrupted"), run.stdout)
        XCTAssertTrue(run.stderr.contains("interrupted: the running transaction was rolled back; run reconcile again to finish."), run.stderr)
        XCTAssertFalse(run.stdout.contains("verified"), run.stdout)
        // Rolled back: nothing of the batch is left, and no session of reseq lingers.
        XCTAssertEqual(try sequenceCount(db.target), 0)
        try holder.execute("COMMIT")
        XCTAssertEqual(try cluster.connect(database: db.target)
            .query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'reseq_sigint'").int(0, "n"), 0)

        let rerun = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply"])
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("verified: the target now matches the source"), rerun.stdout)
    }

    /// A table another session holds ACCESS EXCLUSIVE while the target is read: the snapshot
    /// warns naming it, and reconcile leaves its sequence unplanned naming it (exit 1) within
    /// about two lock timeouts (the batch read, then the table alone), instead of waiting.
    func testALockHeldDuringTheTargetSnapshotIsReportedNotWaitedFor() throws {
        let (db, sourceFile) = try prepare()
        let holder = try cluster.connect(database: db.target)
        try holder.execute("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
        defer { try? holder.execute("ROLLBACK") }
        let dsn = cluster.conninfo(database: db.target)

        var started = Date()
        let snapshot = try BinaryTests.reseq(["snapshot", "--dsn", dsn, "--lock-timeout", "1s", "--output", temporaryFile("t.json")])
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(snapshot.status, 0, snapshot.stderr)
        XCTAssertTrue(snapshot.stderr.contains(
            "warning: public.orders.id: data not read: another session held a lock on public.orders past lock_timeout; run again when it is released"),
            snapshot.stderr)

        started = Date()
        let dry = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--lock-timeout", "1s"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(dry.status, 1, dry.stderr)
        XCTAssertTrue(dry.stderr.contains(
            "not planned: public.orders_id_seq: max(id) of public.orders on the target was not read (another session held a lock on the table)"),
            dry.stderr)
        XCTAssertTrue(dry.stderr.contains("Run again when the other session has released its lock."), dry.stderr)
        XCTAssertFalse(dry.stdout.contains(#"CREATE SEQUENCE "public"."orders_id_seq""#), dry.stdout)
    }

    /// SIGINT while the verification waits on a lock, possibly on the spare session: both are
    /// cancelled at once (not after the 60 s lock timeout), the apply's summary is printed, exit 130.
    func testSIGINTDuringTheVerificationCancelsEverySession() throws {
        let (db, sourceFile) = try prepare()
        // A table only the snapshots read (an integer primary key), not the apply.
        try cluster.run("CREATE TABLE plain_ids (id int PRIMARY KEY); INSERT INTO plain_ids VALUES (1)", database: db.target)
        let gate = try cluster.connect(database: db.target)
        try gate.execute("BEGIN; LOCK TABLE django_migrations IN ACCESS SHARE MODE")
        let dsn = cluster.conninfo(database: db.target) + " application_name=reseq_verify"
        let reseq = try Background(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply", "--lock-timeout", "60s"])
        // The apply waits at the gate: the first snapshot is done. Lock plain_ids, open the gate.
        _ = try waitForLockWait("reseq_verify", in: db.target, process: reseq.process)
        let holder = try cluster.connect(database: db.target)
        try holder.execute("BEGIN; LOCK TABLE plain_ids IN ACCESS EXCLUSIVE MODE")
        try gate.execute("COMMIT")
        let watcher = try cluster.connect(database: db.target)
        let deadline = Date().addingTimeInterval(30)
        var waiting = false
        while Date() < deadline, reseq.process.isRunning, !waiting {
            waiting = try watcher.query("""
                SELECT 1 FROM pg_stat_activity WHERE application_name = 'reseq_verify' AND wait_event_type = 'Lock'
                  AND query LIKE '%plain_ids%'
                """).count > 0
            if !waiting { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(waiting, "the verification never waited on plain_ids")
        let interrupted = Date()
        kill(reseq.process.processIdentifier, SIGINT)
        let run = try reseq.finish()
        XCTAssertLessThan(Date().timeIntervalSince(interrupted), 10, "a session was not cancelled")
        try holder.execute("ROLLBACK")
        XCTAssertEqual(run.status, 130, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("applied 6 of 6 object(s)."), run.stdout)
        XCTAssertFalse(run.stdout.contains("verified"), run.stdout)
        XCTAssertTrue(run.stderr.contains("interrupted"), run.stderr)
    }

    /// The apply's backend killed while it waits on a lock: a clear error naming what to do,
    /// exit 2, no verification on the dead connection, nothing half-applied; a re-run converges.
    func testLostConnectionDuringApplyExitsTwoAndTheRerunConverges() throws {
        let (db, sourceFile) = try prepare()
        let holder = try cluster.connect(database: db.target)
        try holder.execute("BEGIN; LOCK TABLE orders IN ACCESS SHARE MODE")
        let dsn = cluster.conninfo(database: db.target) + " application_name=reseq_killed"
        let reseq = try Background(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply", "--lock-timeout", "60s"])
        let pid = try waitForLockWait("reseq_killed", in: db.target, process: reseq.process)
        try holder.query("SELECT pg_terminate_backend($1::int)", ["\(pid)"])
        let run = try reseq.finish()

        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("applied 0 of 6 object(s)."), run.stdout)
        XCTAssertTrue(run.stdout.contains("rolled back: the connection to the target was lost"), run.stdout)
        XCTAssertTrue(run.stderr.contains("the connection to the target was lost during apply"), run.stderr)
        XCTAssertTrue(run.stderr.contains("no object is half-applied"), run.stderr)
        XCTAssertTrue(run.stderr.contains("run the same reconcile again"), run.stderr)
        XCTAssertFalse(run.stdout.contains("verif"), run.stdout)
        try holder.execute("COMMIT")
        XCTAssertEqual(try sequenceCount(db.target), 0)

        let rerun = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply"])
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
    }

    /// A held lock through the binary: the blocked object names its table, exit 1, bounded.
    func testBlockedObjectThroughTheBinaryExitsOne() throws {
        let (db, sourceFile) = try prepare()
        let holder = try cluster.connect(database: db.target)
        try holder.execute("BEGIN; LOCK TABLE auth_user IN ACCESS SHARE MODE")
        let started = Date()
        let run = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", cluster.conninfo(database: db.target),
                                         "--apply", "--lock-timeout", "100ms", "--lock-retries", "1"])
        try holder.execute("COMMIT")
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("blocked: public.auth_user_id_seq: another session held a lock on table public.auth_user past lock_timeout (100ms)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("(tried 2 times)"), run.stdout)
        XCTAssertTrue(run.stdout.hasPrefix("applied 5 of 6 object(s)."), run.stdout)
    }

    /// Wrong direction: a pinned target cluster that does not match is refused before any
    /// change; the right one is accepted.
    func testExpectTargetSystemIdRefusesAnotherCluster() throws {
        let (db, sourceFile) = try prepare()
        let dsn = cluster.conninfo(database: db.target)
        let actual = try XCTUnwrap(try db.scalar("SELECT system_identifier::text FROM pg_control_system()", in: db.target))

        let wrong = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply",
                                           "--expect-target-system-id", "1234567890"])
        XCTAssertEqual(wrong.status, 2, wrong.stdout + wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("has system identifier \(actual), not 1234567890 as --expect-target-system-id requires; nothing was changed"), wrong.stderr)
        XCTAssertEqual(wrong.stdout, "")
        XCTAssertEqual(try sequenceCount(db.target), 0)

        let right = try BinaryTests.reseq(["reconcile", "--source", sourceFile, "--target-dsn", dsn, "--apply",
                                           "--expect-target-system-id", actual])
        XCTAssertEqual(right.status, 0, right.stdout + right.stderr)
    }

    /// Fault 7: a role with no SELECT on some sequences: the snapshot succeeds, with a warning
    /// per sequence on stderr, in the file, and in the report and diff built from it.
    func testRoleWithoutSelectOnSomeSequencesSnapshotsWithWarnings() throws {
        let db = try LiveDatabase(cluster: cluster, sqlFile: "demo/source.sql")
        try cluster.run("""
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'limited') THEN CREATE ROLE limited LOGIN; END IF; END $$;
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO limited;
            GRANT SELECT ON SEQUENCE orders_id_seq TO limited;
            """, database: db.source)
        let file = temporaryFile("limited.json")
        let run = try BinaryTests.reseq(["snapshot", "--dsn", cluster.conninfo(database: db.source, user: "limited"), "--output", file])
        XCTAssertEqual(run.status, 0, run.stderr)
        let snapshot = try Snapshot.decode(Data(contentsOf: URL(fileURLWithPath: file)), file: file)
        XCTAssertEqual(snapshot.sequences.count, 6)
        let unreadable = snapshot.sequences.filter { $0.lastValue == nil }.map(\.name.description)
        XCTAssertEqual(unreadable.count, 5, "\(unreadable)")
        XCTAssertNotNil(snapshot.sequence(QualifiedName(schema: "public", name: "orders_id_seq"))?.lastValue)
        for name in unreadable {
            XCTAssertTrue(run.stderr.contains("warning: \(name): position not read: the role lacks SELECT on the sequence"), run.stderr)
            XCTAssertTrue(snapshot.warnings.contains { $0.object == name && $0.message.contains("GRANT SELECT ON SEQUENCE") })
        }

        let target = temporaryFile("target.json")
        XCTAssertEqual(try BinaryTests.reseq(["snapshot", "--dsn", cluster.conninfo(database: db.target), "--output", target]).status, 0)
        let report = try BinaryTests.reseq(["report", file, target, "--format", "markdown"])
        XCTAssertEqual(report.status, 0, report.stderr)
        for name in unreadable { XCTAssertTrue(report.stdout.contains(name), name) }
        XCTAssertTrue(report.stdout.contains("position not read"), report.stdout)
        let diff = try BinaryTests.reseq(["diff", file, target])
        XCTAssertEqual(diff.status, 1)
        XCTAssertTrue(diff.stdout.contains("position not read"), diff.stdout)
    }

    /// Fault 8: a password in a key=value DSN, in a URI, and in PGPASSWORD appears in no file
    /// and no message, including the errors of failed and malformed connections.
    func testPasswordAppearsInNoOutput() throws {
        let secret = "s3cr3t-xyz"
        let (db, _) = try prepare()
        try cluster.run("ALTER ROLE \(SQL.identifier(cluster.superuser)) PASSWORD '\(secret)'")
        let socket = cluster.directory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        func uri(_ database: String) -> String {
            "postgresql://\(cluster.superuser):\(secret)@/\(database)?host=\(socket)&port=\(cluster.port)"
        }
        let keyValue = { (database: String) in self.cluster.conninfo(database: database) + " password=\(secret)" }
        var texts: [(String, String)] = []
        var files: [String] = []
        func run(_ arguments: [String], env: [String: String] = [:], expect: Int32? = nil) throws {
            let result = try BinaryTests.reseq(arguments, environment: env)
            texts.append(("\(arguments.prefix(2)) stdout", result.stdout))
            texts.append(("\(arguments.prefix(2)) stderr", result.stderr))
            if let expect { XCTAssertEqual(result.status, expect, "\(arguments.prefix(2)): \(result.stderr)") }
        }

        for (label, dsn, env) in [("kv", keyValue, [String: String]()), ("uri", uri, [:]),
                                  ("env", { self.cluster.conninfo(database: $0) }, ["PGPASSWORD": secret])] {
            let source = temporaryFile("\(label)-source.json")
            let target = temporaryFile("\(label)-target.json")
            let plan = temporaryFile("\(label)-plan.sql")
            files += [source, target, plan]
            try run(["snapshot", "--dsn", dsn(db.source), "--output", source], env: env, expect: 0)
            try run(["snapshot", "--dsn", dsn(db.target), "--output", target], env: env, expect: 0)
            try run(["snapshot", "--dsn", dsn(db.target)], env: env, expect: 0)
            try run(["diff", source, target], env: env)
            try run(["plan", source, target, "--output", plan], env: env, expect: 0)
            try run(["reconcile", "--source", source, "--target-dsn", dsn(db.target)], env: env)
            for format in ["md", "html", "json"] {
                let report = temporaryFile("\(label)-report.\(format)")
                files.append(report)
                try run(["reconcile", "--source", source, "--target-dsn", dsn(db.target), "--apply", "--report", report], env: env, expect: 0)
                try run(["report", source, target, "--after", source, "--output", report + ".offline.\(format)"], env: env, expect: 0)
                files.append(report + ".offline.\(format)")
            }
            try run(["reconcile", "--source", source, "--target-dsn", dsn(db.source), "--apply"], env: env, expect: 2)
        }
        // Connections that fail, and strings libpq cannot parse (it echoes those back).
        for dsn in [
            "host=/nonexistent-dir port=1 dbname=x password=\(secret) connect_timeout=2",
            "postgresql://u:\(secret)@/x?host=%2Fnonexistent-dir&port=1",
            "postgresql://u:\(secret)@[bad/db",
            "postgresql://u:\(secret)@h:badport/db",
            "password=\(secret) garbage",
            "password='\(secret)",
        ] {
            try run(["snapshot", "--dsn", dsn], expect: 2)
            try run(["reconcile", "--source", files[0], "--target-dsn", dsn], expect: 2)
        }
        try run(["snapshot", "--dsn", cluster.conninfo(database: "nonexistent_db")], env: ["PGPASSWORD": secret], expect: 2)

        for (label, text) in texts {
            XCTAssertFalse(text.contains(secret), "\(label) shows the password: \(text)")
        }
        XCTAssertGreaterThan(texts.count, 60)
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            XCTAssertFalse(text.isEmpty, file)
            XCTAssertFalse(text.contains(secret), "\(file) holds the password")
        }
    }
}
