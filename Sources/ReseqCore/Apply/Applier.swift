import Foundation
import PostgresClient

/// Runs a plan on the live target. Objects go in bounded transactions (never a lock on every
/// table at once); each object runs inside a savepoint, so it is applied whole or not at all.
///
/// What each failure leaves behind (the fault-injection tests check every case):
/// - A statement error (other than a lost session) rolls back to the object's savepoint: that
///   object is untouched, the rest of its transaction goes on.
/// - A lock held past `lock_timeout` does the same; the object is tried again alone, after a
///   doubling pause, `lockRetries` times, then reported `blocked` naming the relation of the
///   statement that waited. Total wait per object: about lock_timeout × (lockRetries + 1) plus
///   the pauses.
/// - A lost connection or a cancelled statement (an interrupt) ends the run: the server rolls
///   back the open transaction, so its objects are `notRun`; objects of earlier transactions
///   stay committed and `applied`. A re-run plans only what is left.
/// - `setval` is not transactional: a rollback does not undo it. It is always an object's last
///   step, so it never runs before a step of its own object that could still fail. A later
///   object's failure that rolls back the whole transaction can leave a *pre-existing*
///   sequence moved; the value rule only ever moves a sequence forward, to a value the
///   plan wanted anyway, so that costs at most unused ids, never a reused one, and the re-run
///   sees it in place. A sequence created in the same transaction disappears with its value.
public struct Applier {
    public struct Options: Sendable {
        /// `lock_timeout` for every transaction, in milliseconds.
        public var lockTimeoutMilliseconds: Int
        /// Objects per transaction: bounds the locks held at once and the work lost to a failure.
        /// 30 keeps a transaction under 32 new relations (an object creates at most one): past
        /// that, PostgreSQL's relcache stops listing them and walks every cached relation at each
        /// savepoint's end (AtEOSubXact_RelationCache), which made a 50,000-sequence apply
        /// quadratic. It also stays within the 64 subtransactions a backend tracks in memory.
        public var objectsPerTransaction: Int
        /// How often an object blocked by a lock is tried again, with a doubling pause.
        public var lockRetries: Int
        public var firstRetryPause: Double
        /// Objects whose steps run as another role (`SET ROLE`), as preflight decided.
        public var runAs: [String: String]
        /// `statement_timeout` of every statement but the long ones, in milliseconds.
        public var statementTimeoutMilliseconds: Int
        /// `statement_timeout` of index builds, validations and rewrites (0: none).
        public var buildTimeoutMilliseconds: Int

        public init(lockTimeoutMilliseconds: Int = 5000, objectsPerTransaction: Int = 30,
                    lockRetries: Int = 3, firstRetryPause: Double = 0.5, runAs: [String: String] = [:],
                    statementTimeoutMilliseconds: Int = 60_000, buildTimeoutMilliseconds: Int = 0) {
            self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
            self.objectsPerTransaction = objectsPerTransaction
            self.lockRetries = lockRetries
            self.firstRetryPause = firstRetryPause
            self.runAs = runAs
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.buildTimeoutMilliseconds = buildTimeoutMilliseconds
        }

        /// The statement_timeout a step runs under.
        func timeout(for step: Step) -> Int {
            step.isLong ? max(buildTimeoutMilliseconds, 0) : max(statementTimeoutMilliseconds, 0)
        }
    }

    public var options: Options
    /// Called after each transaction with the objects done so far and the total.
    public var progress: (Int, Int) -> Void
    /// Called before each object is tried, with its index in the plan and its name. A hook for
    /// fault-injection tests (kill the backend at a chosen point); does nothing by default.
    public var beforeObject: (Int, String) -> Void = { _, _ in }

    public init(options: Options = Options(), progress: @escaping (Int, Int) -> Void = { _, _ in }) {
        self.options = options
        self.progress = progress
    }

    /// Applies the plan and returns one outcome per object. A lost connection stops the run:
    /// objects not committed are reported `notRun` or `failed`, and a re-run finishes the job.
    public func apply(_ plan: Plan, on connection: Connection, shouldStop: () -> Bool = { false }) -> [ApplyOutcome] {
        let objects = plan.objects
        var outcomes: [String: ApplyOutcome] = [:]
        var blocked: [(object: String, steps: [Step])] = []
        var attempts: [String: Int] = [:]
        var stopped: String?
        let position = Dictionary(objects.enumerated().map { ($1.object, $0) }, uniquingKeysWith: { a, _ in a })

        func run(_ batch: ArraySlice<(object: String, steps: [Step])>) {
            guard stopped == nil else { return }
            let result = runTransaction(batch, on: connection, shouldStop: shouldStop, position: position)
            for (object, outcome) in result.outcomes { outcomes[object] = outcome }
            for object in result.blocked { attempts[object, default: 0] += 1 }
            blocked += batch.filter { result.blocked.contains($0.object) }
            stopped = result.stopped
        }

        var index = 0
        while index < objects.count, stopped == nil {
            let end = min(index + max(options.objectsPerTransaction, 1), objects.count)
            run(objects[index..<end])
            index = end
            progress(outcomes.count, objects.count)
        }
        // Objects whose lock was held: try each again alone, pausing longer each time.
        var pause = options.firstRetryPause
        for _ in 0..<max(options.lockRetries, 0) {
            guard !blocked.isEmpty, stopped == nil else { break }
            // Sleep in slices so that an interrupt during the pause is seen at once.
            let until = Date().addingTimeInterval(pause)
            while Date() < until, !shouldStop() { Thread.sleep(forTimeInterval: min(0.05, pause)) }
            if shouldStop() { stopped = "interrupted"; break }
            pause *= 2
            let retry = blocked
            blocked = []
            for object in retry { run([object]) }
        }
        return objects.map { object in
            guard var outcome = outcomes[object.object] else {
                return ApplyOutcome(object: object.object, status: .notRun,
                    message: stopped.map { "not tried: \($0)" } ?? "not tried")
            }
            if outcome.status == .blocked, let tries = attempts[object.object] {
                outcome.message = (outcome.message ?? "") + " (tried \(tries) time\(tries == 1 ? "" : "s"))"
            }
            return outcome
        }
    }

    private struct TransactionResult {
        var outcomes: [String: ApplyOutcome] = [:]
        var blocked: Set<String> = []
        var stopped: String?
    }

    private func runTransaction(
        _ batch: ArraySlice<(object: String, steps: [Step])>, on connection: Connection, shouldStop: () -> Bool,
        position: [String: Int]
    ) -> TransactionResult {
        var result = TransactionResult()
        var done: [String] = []
        var committing = false
        do {
            // One round trip for the whole transaction: BEGIN, its settings and every object,
            // each object between a savepoint and its release (SET ROLE inside the savepoint:
            // a rollback to it restores the role too). The server stops at the first error,
            // which says which statement failed: the objects before it ran, the failing one
            // is rolled back to its savepoint, and the rest go in the next round trip. So
            // each object is still applied whole or not at all. One statement per element: a
            // failure's index counts the server's statements.
            var opening = ["BEGIN", "SET LOCAL lock_timeout = \(max(options.lockTimeoutMilliseconds, 1))",
                           "SET LOCAL statement_timeout = \(options.statementTimeoutMilliseconds)"]
            var pending = batch[...]
            while !pending.isEmpty {
                if shouldStop() { throw Stop(reason: "interrupted") }
                var statements = opening
                // Where each object's savepoint is in `statements`, and how many SET ROLEs follow it.
                var savepoints: [(index: Int, roles: Int)] = []
                for (object, steps) in pending {
                    beforeObject(position[object] ?? 0, object)
                    let role = options.runAs[object].map { ["SET ROLE \(SQL.identifier($0))"] } ?? []
                    savepoints.append((statements.count, role.count))
                    statements += ["SAVEPOINT reseq_object"] + role + steps.map(\.sql)
                        + (role.isEmpty ? [] : ["RESET ROLE"]) + ["RELEASE SAVEPOINT reseq_object"]
                }
                do {
                    try connection.executeBatch(statements)
                    done += pending.map(\.object)
                    pending = []
                } catch let error as PostgresError where !isFatal(error) {
                    // A failure outside an object (BEGIN, a setting) or of its savepoint fails
                    // the transaction.
                    guard let index = error.statementIndex,
                          let failed = savepoints.lastIndex(where: { $0.index <= index }), savepoints[failed].index < index
                    else { throw error }
                    let (object, steps) = pending[pending.startIndex + failed]
                    let step = index - savepoints[failed].index - 1 - savepoints[failed].roles
                    done += pending.prefix(failed).map(\.object)
                    pending = pending.dropFirst(failed + 1)
                    try connection.execute("ROLLBACK TO SAVEPOINT reseq_object")
                    if error.sqlState == .lockNotAvailable {
                        result.blocked.insert(object)
                        result.outcomes[object] = ApplyOutcome(object: object, status: .blocked,
                            message: blockedMessage(steps.indices.contains(step) ? steps[step] : nil))
                    } else {
                        result.outcomes[object] = ApplyOutcome(object: object, status: .failed, message: error.description)
                    }
                }
                opening = []
            }
            committing = true
            try connection.execute("COMMIT")
            for object in done { result.outcomes[object] = ApplyOutcome(object: object, status: .applied) }
        } catch {
            // The transaction is gone: nothing of this batch committed.
            try? connection.execute("ROLLBACK")
            let reason: String
            if let stop = error as? Stop {
                reason = stop.reason
            } else if let error = error as? PostgresError, error.sqlState == .queryCanceled {
                reason = "interrupted (the running statement was cancelled)"
            } else if let error = error as? PostgresError, error.sqlState?.isConnectionLoss ?? true {
                reason = "the connection to the target was lost (\(error.message))"
            } else {
                reason = "\(error)"
            }
            // Lost during COMMIT, the server may have committed or not: say so; a re-run sees.
            let what = committing ? "unknown whether committed (lost during COMMIT; a re-run checks)" : "rolled back"
            for (object, _) in batch {
                result.outcomes[object] = ApplyOutcome(object: object, status: .notRun,
                    message: "\(what): \(reason)")
            }
            result.blocked = []
            result.stopped = reason
        }
        return result
    }

    /// Names the relation whose lock the failing statement waited for: the statement's own
    /// lock, not the object's first ALTER TABLE.
    private func blockedMessage(_ step: Step?) -> String {
        let what: String
        switch step?.lock {
        case .sequence(let name)?: what = " on sequence \(name) or the table it is linked to"
        case .grant(let name)?: what = " on \(name)"
        case let lock?: what = lock.relation.map { " on table \($0)" } ?? ""
        case nil: what = ""
        }
        let statement = step.map { "; waiting statement: \($0.sql)" } ?? ""
        return "another session held a lock\(what) past lock_timeout (\(options.lockTimeoutMilliseconds)ms)\(statement)"
    }

    /// Errors after which the session cannot go on: a lost connection or a cancelled statement.
    private func isFatal(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState else { return true }
        return state.isConnectionLoss || state == .queryCanceled
    }

    private struct Stop: Error { var reason: String }
}
