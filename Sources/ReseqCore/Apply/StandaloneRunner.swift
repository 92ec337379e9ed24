import Foundation
import PostgresClient
import Synchronization

/// Runs the objects that must not share a transaction with others: those with a step that
/// cannot run in a transaction block (CREATE INDEX CONCURRENTLY, and VALIDATE CONSTRAINT,
/// which should not hold other objects' locks while it scans), and those with a long step
/// (a rewrite, a build under lock). Up to `jobs` sessions at once, biggest tables first; the
/// objects of one table run one after the other on one session (their locks conflict).
///
/// An object of standalone steps runs them one by one, each committed; when one fails, the
/// `undo` of every step run so far (the failing one's too) removes what they left (the
/// INVALID index of a failed concurrent build), so nothing is half-done; what it cannot remove
/// (the session is lost, the undo ran out of time) is named in the outcome, `leftover`, and
/// the next run's plan removes it. Any other object runs in one transaction of its own.
struct StandaloneRunner: Sendable {
    var options: Applier.Options
    var jobs: Int
    /// Told, about once a second while index builds run, how far each is
    /// (`pg_stat_progress_create_index`, read on a session of its own).
    var watch: (@Sendable (String) -> Void)?

    typealias Object = (object: String, steps: [Step])

    func run(_ objects: [Object], on connection: Connection, spare: SpareConnections?,
             shouldStop: @escaping @Sendable () -> Bool, done: @escaping @Sendable (Int) -> Void) -> [ApplyOutcome] {
        // Objects by the tables they lock (joined when one object locks several, as a rebuilt
        // partitioned table locks its partitions), in plan order within a group.
        let keys = objects.enumerated().map { index, object in
            let relations = Set(object.steps.compactMap { $0.lock.relation?.description })
            return relations.isEmpty ? ["\u{0}\(index)"] : relations.sorted()
        }
        let lockGroups = LockGroups(keys)
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        for (index, relations) in keys.enumerated() {
            let key = lockGroups.root(relations[0])
            if let group = groupOf[key] { groups[group].append(index) } else {
                groupOf[key] = groups.count
                groups.append([index])
            }
        }
        // Biggest tables first.
        let size = { (group: [Int]) in group.map { objects[$0].steps.map(\.rows).max() ?? 0 }.max() ?? 0 }
        let order = groups.indices.sorted { (size(groups[$0]), -$0) > (size(groups[$1]), -$1) }.map { groups[$0] }

        let next = Atomic<Int>(0)
        let results = Mutex<[Int: ApplyOutcome]>([:])
        let stopped = Mutex<String?>(nil)
        let sendableObjects = UncheckedObjects(objects)
        @Sendable func work(_ connection: Connection) {
            let session = SessionSettings(connection)
            try? connection.execute("SET lock_timeout = \(max(options.lockTimeoutMilliseconds, 1))")
            while stopped.withLock({ $0 }) == nil, !shouldStop() {
                let taken = next.add(1, ordering: .sequentiallyConsistent).oldValue
                guard taken < order.count else { return }
                for index in order[taken] {
                    let object = sendableObjects.objects[index]
                    if let reason = stopped.withLock({ $0 }) ?? (shouldStop() ? "interrupted" : nil) {
                        results.withLock { $0[index] = ApplyOutcome(object: object.object, status: .notRun, message: "not tried: \(reason)") }
                        continue
                    }
                    let (outcome, fatal) = runWithRetries(object, on: session, shouldStop: shouldStop)
                    results.withLock { $0[index] = outcome }
                    if let fatal { stopped.withLock { $0 = $0 ?? fatal } }
                    done(1)
                }
            }
        }

        let helpers = max(0, min(jobs, order.count) - 1)
        let group = DispatchGroup()
        if let spare {
            for _ in 0..<helpers {
                group.enter()
                Thread {
                    if let helper = try? spare.take() {
                        try? helper.execute(ParallelApplier.sessionSetup)
                        work(helper)
                        spare.give(helper)
                    }
                    group.leave()
                }.start()
            }
        }
        let finished = Atomic<Bool>(false)
        if let watch, let spare, objects.contains(where: { $0.steps.contains { $0.hazards.contains(.indexBuild) } }) {
            group.enter()
            Thread {
                if let watcher = try? spare.take() {
                    while !finished.load(ordering: .sequentiallyConsistent), !shouldStop() {
                        if let text = try? Self.progress(on: watcher), !text.isEmpty { watch(text) }
                        Thread.sleep(forTimeInterval: 0.5)
                    }
                    spare.give(watcher)
                }
                group.leave()
            }.start()
        }
        work(connection)
        finished.store(true, ordering: .sequentiallyConsistent)
        group.wait()
        let reason = stopped.withLock { $0 } ?? (shouldStop() ? "interrupted" : "not reached")
        return objects.indices.map { index in
            results.withLock { $0[index] } ?? ApplyOutcome(object: objects[index].object, status: .notRun, message: "not tried: \(reason)")
        }
    }

    /// Each index build of this database: `index on table: phase n%`, joined.
    static func progress(on connection: Connection) throws -> String {
        let rows = try connection.query("""
            SELECT coalesce(p.index_relid::regclass::text, 'index') || ' on ' || p.relid::regclass::text || ': ' || p.phase
                   || CASE WHEN p.blocks_total > 0 THEN ' ' || (100 * p.blocks_done / p.blocks_total) || '%'
                           WHEN p.tuples_total > 0 THEN ' ' || (100 * p.tuples_done / p.tuples_total) || '%' ELSE '' END AS line
            FROM pg_stat_progress_create_index p WHERE p.datname = current_database() ORDER BY p.pid
            """)
        return try (0..<rows.count).map { try rows.string($0, "line") }.joined(separator: "; ")
    }

    /// The tuple of objects crosses to the helper threads only to be read.
    private struct UncheckedObjects: @unchecked Sendable {
        let objects: [Object]
        init(_ objects: [Object]) { self.objects = objects }
    }

    /// Runs one object, again after a doubling pause while another session's lock holds it
    /// back. The second value is set when the run must stop (lost session, interrupt).
    /// A worker's session and the statement_timeout it runs under, set again only when a step
    /// needs another: most steps need the same, and each SET is a round trip.
    private final class SessionSettings {
        let connection: Connection
        var statementTimeout: Int?
        init(_ connection: Connection) { self.connection = connection }

        func statementTimeout(_ milliseconds: Int) throws {
            guard statementTimeout != milliseconds else { return }
            statementTimeout = nil
            try connection.execute("SET statement_timeout = \(milliseconds)")
            statementTimeout = milliseconds
        }
    }

    private func runWithRetries(_ object: Object, on session: SessionSettings,
                                shouldStop: () -> Bool) -> (ApplyOutcome, String?) {
        var pause = options.firstRetryPause
        var tries = 0
        while true {
            tries += 1
            let (outcome, fatal) = runOnce(object, on: session, shouldStop: shouldStop)
            guard outcome.status == .blocked, fatal == nil, tries <= options.lockRetries else {
                var outcome = outcome
                if outcome.status == .blocked { outcome.message = (outcome.message ?? "") + " (tried \(tries) time\(tries == 1 ? "" : "s"))" }
                return (outcome, fatal)
            }
            let until = Date().addingTimeInterval(pause)
            while Date() < until, !shouldStop() { Thread.sleep(forTimeInterval: min(0.05, pause)) }
            if shouldStop() { return (outcome, "interrupted") }
            pause *= 2
        }
    }

    private func runOnce(_ object: Object, on session: SessionSettings, shouldStop: () -> Bool) -> (ApplyOutcome, String?) {
        let connection = session.connection
        let role = options.runAs[object.object]
        let inTransaction = !object.steps.contains(where: \.standalone)
        var undo: [String] = []
        var current: Step?
        do {
            if inTransaction { try connection.execute("BEGIN") }
            if let role { try connection.execute("SET \(inTransaction ? "LOCAL " : "")ROLE \(SQL.identifier(role))") }
            for step in object.steps {
                if shouldStop() { throw PostgresError(kind: .cancel, sqlState: .queryCanceled, message: "interrupted") }
                current = step
                if let stepUndo = step.undo { undo.append(stepUndo) }
                if inTransaction {
                    try connection.execute("SET LOCAL statement_timeout = \(options.timeout(for: step))")
                } else {
                    try session.statementTimeout(options.timeout(for: step))
                }
                try connection.execute(step.sql)
            }
            if inTransaction { try connection.execute("COMMIT") }
            if role != nil, !inTransaction { try connection.execute("RESET ROLE") }
            return (ApplyOutcome(object: object.object, status: .applied), nil)
        } catch {
            let postgres = error as? PostgresError
            if inTransaction { try? connection.execute("ROLLBACK") }
            let fatal: String?
            if postgres?.sqlState == .queryCanceled, shouldStop() || postgres?.kind == .cancel {
                fatal = "interrupted (the running statement was cancelled)"
            } else if postgres?.sqlState?.isConnectionLoss ?? (postgres != nil) {
                fatal = "the connection to the target was lost (\(postgres?.message ?? "\(error)"))"
            } else {
                fatal = nil
            }
            // Leave nothing half-done: what the steps so far made goes again (briefly bounded
            // after an interrupt, so that stopping stays quick; a re-run drops what is left).
            // What could not go (the session is lost, the undo failed) is named in the outcome.
            // After an interrupt, 2 s: DROP INDEX CONCURRENTLY waits for every transaction
            // holding any lock on the table (a report reading it), and Ctrl-C must not wait long.
            var leftover: [String] = []
            if !undo.isEmpty {
                if connection.isConnectionOK {
                    session.statementTimeout = nil
                    try? connection.execute("SET statement_timeout = \(fatal == nil ? options.statementTimeoutMilliseconds : 2_000)")
                }
                for statement in undo.reversed() {
                    do { try connection.execute(statement) } catch { leftover.append(statement) }
                }
            }
            if role != nil { try? connection.execute("RESET ROLE") }
            let statement = postgres?.statement != nil ? "" : current.map { "; statement: \($0.sql)" } ?? ""
            let left = leftover.isEmpty ? "" : "; what it may have left stays until the next run removes it: \(leftover.joined(separator: " "))"
            if let fatal {
                return (ApplyOutcome(object: object.object, status: .notRun, message: "\(left.isEmpty ? "rolled back" : "cut off"): \(fatal)\(left)",
                                     leftover: leftover.isEmpty ? nil : leftover), fatal)
            }
            if postgres?.sqlState == .lockNotAvailable || postgres?.sqlState == .deadlockDetected {
                return (ApplyOutcome(object: object.object, status: .blocked,
                    message: "another session held a lock\(current?.lock.relation.map { " on \($0)" } ?? "") past lock_timeout (\(options.lockTimeoutMilliseconds)ms)\(statement)\(left)",
                    leftover: leftover.isEmpty ? nil : leftover), nil)
            }
            return (ApplyOutcome(object: object.object, status: .failed, message: "\(postgres?.description ?? "\(error)")\(statement)\(left)",
                                 leftover: leftover.isEmpty ? nil : leftover), nil)
        }
    }
}
