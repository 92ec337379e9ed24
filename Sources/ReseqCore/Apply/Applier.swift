import Foundation
import PostgresClient

/// Runs a plan on the live target. Objects go in bounded transactions (never a lock on every
/// table at once); each object runs inside a savepoint, so it is applied whole or not at all.
public struct Applier {
    public struct Options: Sendable {
        /// `lock_timeout` for every transaction, in milliseconds.
        public var lockTimeoutMilliseconds: Int
        /// Objects per transaction: bounds the locks held at once and the work lost to a failure.
        public var objectsPerTransaction: Int
        /// How often an object blocked by a lock is tried again, with a doubling pause.
        public var lockRetries: Int
        public var firstRetryPause: Double

        public init(lockTimeoutMilliseconds: Int = 5000, objectsPerTransaction: Int = 100,
                    lockRetries: Int = 3, firstRetryPause: Double = 0.5) {
            self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
            self.objectsPerTransaction = objectsPerTransaction
            self.lockRetries = lockRetries
            self.firstRetryPause = firstRetryPause
        }
    }

    public var options: Options
    /// Called after each transaction with the objects done so far and the total.
    public var progress: (Int, Int) -> Void

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
        var stopped: String?

        func run(_ batch: ArraySlice<(object: String, steps: [Step])>) {
            guard stopped == nil else { return }
            let result = runTransaction(batch, on: connection, shouldStop: shouldStop)
            for (object, outcome) in result.outcomes { outcomes[object] = outcome }
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
        for _ in 0..<options.lockRetries {
            guard !blocked.isEmpty, stopped == nil else { break }
            Thread.sleep(forTimeInterval: pause)
            pause *= 2
            let retry = blocked
            blocked = []
            for object in retry { run([object]) }
        }
        return objects.map { object in
            outcomes[object.object] ?? ApplyOutcome(object: object.object, status: .notRun,
                message: stopped.map { "not tried: \($0)" } ?? "not tried")
        }
    }

    private struct TransactionResult {
        var outcomes: [String: ApplyOutcome] = [:]
        var blocked: Set<String> = []
        var stopped: String?
    }

    private func runTransaction(
        _ batch: ArraySlice<(object: String, steps: [Step])>, on connection: Connection, shouldStop: () -> Bool
    ) -> TransactionResult {
        var result = TransactionResult()
        var done: [String] = []
        do {
            try connection.execute("BEGIN")
            try connection.execute("SET LOCAL lock_timeout = \(max(options.lockTimeoutMilliseconds, 1))")
            for (object, steps) in batch {
                if shouldStop() { throw Stop(reason: "interrupted") }
                do {
                    // One round trip per object: the savepoint, its statements and the release
                    // as one multi-statement string. The server stops at the first error, so
                    // the object is still applied whole or not at all.
                    try connection.execute((["SAVEPOINT reseq_object;"] + steps.map(\.sql)
                        + ["RELEASE SAVEPOINT reseq_object;"]).joined(separator: "\n"))
                    done.append(object)
                } catch let error as PostgresError where !isFatal(error) {
                    try connection.execute("ROLLBACK TO SAVEPOINT reseq_object")
                    if error.sqlState == .lockNotAvailable {
                        result.blocked.insert(object)
                        let table = steps.compactMap { step -> QualifiedName? in
                            if case .accessExclusive(let table) = step.lock { return table }
                            return nil
                        }.first
                        result.outcomes[object] = ApplyOutcome(object: object, status: .blocked,
                            message: "another session holds a lock\(table.map { " on \($0)" } ?? "") past lock_timeout")
                    } else {
                        result.outcomes[object] = ApplyOutcome(object: object, status: .failed, message: error.description)
                    }
                }
            }
            try connection.execute("COMMIT")
            for object in done { result.outcomes[object] = ApplyOutcome(object: object, status: .applied) }
        } catch {
            // The transaction is gone: nothing of this batch committed.
            try? connection.execute("ROLLBACK")
            let reason = (error as? Stop)?.reason ?? "\(error)"
            for (object, _) in batch {
                result.outcomes[object] = ApplyOutcome(object: object, status: .notRun,
                    message: "rolled back: \(reason)")
            }
            result.blocked = []
            result.stopped = reason
        }
        return result
    }

    /// Errors after which the session cannot go on: a lost connection or a cancelled statement.
    private func isFatal(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState else { return true }
        return state.isConnectionLoss || state == .queryCanceled
    }

    private struct Stop: Error { var reason: String }
}
