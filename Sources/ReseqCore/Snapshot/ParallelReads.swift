import Foundation
import PostgresClient
import Synchronization

/// Runs independent read jobs on the given connection and, when a second one can be opened,
/// on that one too, in a second thread. Min/max and position reads cost the server a
/// relation open and a plan per table or sequence, so two backends on two cores take about
/// half the time. Each connection stays on the thread that uses it; jobs are taken in order
/// from a shared counter, and outputs come back in job order whoever ran them.
enum ParallelReads<Output: Sendable> {
    typealias Job = @Sendable (Connection) throws -> Output

    private final class State: Sendable {
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let outputs: Mutex<[Int: Output]> = Mutex([:])
        let failure: Mutex<(any Error)?> = Mutex(nil)
    }

    /// `weights[i]` is what job i counts for in `progress` (objects read so far).
    static func run(
        _ jobs: [Job], on connection: Connection, spare: SpareConnections?,
        progress: @escaping @Sendable (Int) -> Void, weights: [Int]
    ) throws -> [Output] {
        let state = State()
        let work: @Sendable (Connection) -> Void = { connection in
            while !state.stop.load(ordering: .relaxed) {
                let index = state.next.add(1, ordering: .relaxed).oldValue
                guard index < jobs.count else { return }
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
                    work(connection)
                    spare.give(connection)
                }
                helperDone.signal()
            }.start()
        } else {
            helperDone.signal()
        }
        work(connection)
        helperDone.wait()
        if let failure = state.failure.withLock({ $0 }) { throw failure }
        let outputs = state.outputs.withLock { $0 }
        return try jobs.indices.map { index in
            guard let output = outputs[index] else { throw SnapshotError("a data read was not run") }
            return output
        }
    }
}
