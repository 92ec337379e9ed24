import Foundation
import PostgresClient
import Synchronization

/// Runs independent read jobs on the given connection and, when a second one can be opened,
/// on that one too, in a second thread. Min/max and position reads cost the server a
/// relation open and a plan per table or sequence, so two backends on two cores take about
/// half the time. Each connection stays on the thread that uses it. The first connection
/// takes jobs from the front, the second from the back, so that each reads about the same
/// tables in every snapshot of a run: `reconcile`'s verification then finds them in its
/// session's caches (a warm max() read costs the server a ninth of a cold one), and
/// `ParallelApplier` gives each session the schemas from its end too. Outputs come back in
/// job order whoever ran them.
enum ParallelReads<Output: Sendable> {
    typealias Job = @Sendable (Connection) throws -> Output

    private final class State: Sendable {
        /// The next job from the front, and one past the next from the back.
        let ends: Mutex<(front: Int, back: Int)>
        let finished = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let outputs: Mutex<[Int: Output]> = Mutex([:])
        let failure: Mutex<(any Error)?> = Mutex(nil)
        init(jobs: Int) { ends = Mutex((0, jobs)) }

        func claim(fromBack: Bool) -> Int? {
            ends.withLock { ends in
                guard ends.front < ends.back else { return nil }
                if fromBack {
                    ends.back -= 1
                    return ends.back
                }
                ends.front += 1
                return ends.front - 1
            }
        }
    }

    /// `weights[i]` is what job i counts for in `progress` (objects read so far).
    static func run(
        _ jobs: [Job], on connection: Connection, spare: SpareConnections?,
        progress: @escaping @Sendable (Int) -> Void, weights: [Int]
    ) throws -> [Output] {
        let state = State(jobs: jobs.count)
        let work: @Sendable (Connection, Bool) -> Void = { connection, fromBack in
            while !state.stop.load(ordering: .relaxed) {
                guard let index = state.claim(fromBack: fromBack) else { return }
                do {
                    let output = try jobs[index](connection)
                    state.outputs.withLock { $0[index] = output }
                    progress(state.finished.add(weights[index], ordering: .relaxed).newValue)
                } catch {
                    state.failure.withLock { $0 = $0 ?? error }
                    state.stop.store(true, ordering: .relaxed)
                    return
                }
            }
        }
        let helperDone = DispatchSemaphore(value: 0)
        if let spare, jobs.count > 1 {
            Thread {
                // Not reaching the server a second time is no error: the first connection
                // takes every job.
                if let connection = try? spare.take() {
                    work(connection, true)
                    spare.give(connection)
                }
                helperDone.signal()
            }.start()
        } else {
            helperDone.signal()
        }
        work(connection, false)
        helperDone.wait()
        if let failure = state.failure.withLock({ $0 }) { throw failure }
        let outputs = state.outputs.withLock { $0 }
        return try jobs.indices.map { index in
            guard let output = outputs[index] else { throw SnapshotError("a data read was not run") }
            return output
        }
    }
}
