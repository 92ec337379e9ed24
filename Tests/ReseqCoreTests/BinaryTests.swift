import Foundation
import PostgresTestSupport
import XCTest

/// Runs the built `reseq` as a user would: arguments, files, stdout, stderr and exit codes.
final class BinaryTests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["RESEQ_BINARY"] { return URL(fileURLWithPath: path) }
        return LiveDatabase.repository.appendingPathComponent(".build/debug/reseq")
    }

    static func reseq(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let directory = FileManager.default.temporaryDirectory
        let out = directory.appendingPathComponent("reseq-out-\(UUID().uuidString)")
        let err = directory.appendingPathComponent("reseq-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }

    func testTheWholeJobThroughTheBinary() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        let db = try LiveDatabase(cluster: cluster, sqlFile: "demo/source.sql")
        let sourceFile = temporaryFile("source.json")
        let targetFile = temporaryFile("target.json")
        let afterFile = temporaryFile("after.json")

        let snap = try Self.reseq(["snapshot", "--dsn", cluster.conninfo(database: db.source), "--output", sourceFile])
        XCTAssertEqual(snap.status, 0, snap.stderr)
        XCTAssertEqual(snap.stdout, "")
        XCTAssertEqual(try Self.reseq(["snapshot", "--dsn", cluster.conninfo(database: db.target), "--output", targetFile]).status, 0)

        let diff = try Self.reseq(["diff", sourceFile, targetFile])
        XCTAssertEqual(diff.status, 1, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("inserts into public.django_migrations will fail: id has no default."), diff.stdout)

        let dry = try Self.reseq(["reconcile", "--source", sourceFile, "--target-dsn", cluster.conninfo(database: db.target)])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains(#"ALTER TABLE "public"."django_migrations" ALTER COLUMN "id" SET DEFAULT nextval('"public"."django_migrations_id_seq"'::regclass);"#))
        // A dry run changes nothing.
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM pg_sequences", in: db.target), "0")

        let apply = try Self.reseq(["reconcile", "--source", sourceFile, "--target-dsn", cluster.conninfo(database: db.target), "--apply"])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        XCTAssertTrue(apply.stdout.contains("verified: the target now matches the source; ready for writes."), apply.stdout)

        XCTAssertEqual(try Self.reseq(["snapshot", "--dsn", cluster.conninfo(database: db.target), "--output", afterFile]).status, 0)
        let clean = try Self.reseq(["diff", sourceFile, afterFile])
        XCTAssertEqual(clean.status, 0, clean.stdout)

        let again = try Self.reseq(["reconcile", "--source", sourceFile, "--target-dsn", cluster.conninfo(database: db.target), "--apply"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.hasPrefix("applied 0 of 0 object(s)."), again.stdout)

        // Onto the source itself: refused, nothing runs.
        let onto = try Self.reseq(["reconcile", "--source", sourceFile, "--target-dsn", cluster.conninfo(database: db.source), "--apply"])
        XCTAssertEqual(onto.status, 2)
        XCTAssertTrue(onto.stderr.contains("will not reconcile a database onto itself"), onto.stderr)
    }

    /// The source's snapshot without its rows' max(id) (the value rule needs only the
    /// target's) serves reconcile, which gives the same next id; taken of a target, nothing
    /// is guessed.
    func testASourceSnapshotWithoutRowReadsServesAndATargetOneIsRefused() throws {
        let cluster = try TestCluster.start()
        defer { cluster.stop() }
        let db = try LiveDatabase(cluster: cluster, sqlFile: "demo/source.sql")
        let sourceFile = temporaryFile("source.json")
        let bareTarget = temporaryFile("bare-target.json")
        let snap = try Self.reseq(["snapshot", "--skip-row-reads", "--dsn", cluster.conninfo(database: db.source), "--output", sourceFile])
        XCTAssertEqual(snap.status, 0, snap.stderr)
        XCTAssertFalse(snap.stderr.contains("warning"), snap.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sourceFile))) as? [String: Any])
        let reads = try XCTUnwrap(json["columns"] as? [[String: Any]]).compactMap { $0["dataRead"] as? String }
        XCTAssertFalse(reads.isEmpty)
        XCTAssertEqual(Set(reads), ["notAsked"])
        XCTAssertEqual(try Self.reseq(["snapshot", "--skip-row-reads", "--dsn", cluster.conninfo(database: db.target),
                                       "--output", bareTarget]).status, 0)

        // As a target: no sequence is planned from rows nobody read.
        let refused = try Self.reseq(["plan", sourceFile, bareTarget])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("Snapshot the target without --skip-row-reads and run again."),
                      refused.stdout + refused.stderr)

        let apply = try Self.reseq(["reconcile", "--source", sourceFile, "--target-dsn", cluster.conninfo(database: db.target), "--apply"])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        XCTAssertEqual(try db.scalar("SELECT nextval('public.django_migrations_id_seq')", in: db.target), "14")
    }

    func testErrorsExitTwoWithAClearMessage() throws {
        let missing = try Self.reseq(["diff", "/nonexistent/source.json", "/nonexistent/target.json"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot read snapshot /nonexistent/source.json"), missing.stderr)

        let garbage = temporaryFile("garbage.json")
        try "{ not json".write(toFile: garbage, atomically: true, encoding: .utf8)
        let bad = try Self.reseq(["diff", garbage, garbage])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains(garbage), bad.stderr)

        let usage = try Self.reseq(["diff"])
        XCTAssertEqual(usage.status, 2)
        let badDuration = try Self.reseq(["snapshot", "--dsn", "dbname=x", "--read-timeout", "soon"])
        XCTAssertEqual(badDuration.status, 2)
        XCTAssertTrue(badDuration.stderr.contains("soon"), badDuration.stderr)

        // Defaults are shown as written.
        let help = try Self.reseq(["snapshot", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("(default: 30s)"), help.stdout)
        XCTAssertTrue(try Self.reseq(["reconcile", "--help"]).stdout.contains("(default: 5s)"))

        let refused = try Self.reseq(["snapshot", "--dsn", "host=/nonexistent-socket-dir port=1 dbname=x connect_timeout=2"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("could not connect"), refused.stderr)
    }

    /// A file is written whole, over what was there, or not at all: nothing is left beside it.
    func testOutputFilesAreReplacedWholeOrNotWritten() throws {
        let snapshot = BadSnapshotTests.hostile
        let file = temporaryFile("plan.sql")
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        try String(repeating: "left over\n", count: 100_000).write(toFile: file, atomically: false, encoding: .utf8)
        let plan = try Self.reseq(["plan", snapshot, snapshot, "--output", file])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        let printed = try Self.reseq(["plan", snapshot, snapshot])
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), printed.stdout)
        XCTAssertFalse(printed.stdout.contains("left over"))

        let intoFolder = try Self.reseq(["plan", snapshot, snapshot, "--output", folder])
        XCTAssertEqual(intoFolder.status, 2)
        XCTAssertTrue(intoFolder.stderr.contains("cannot write \(folder): Is a directory. Check that the folder exists and is writable."),
                      intoFolder.stderr)
        let missing = try Self.reseq(["plan", snapshot, snapshot, "--output", folder + "/nonexistent/plan.sql"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot write \(folder)/nonexistent/plan.sql: "), missing.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["plan.sql"])
    }
}
