import Foundation
import Synchronization

/// Runs `first` and `second` on two threads and returns both results: for independent halves
/// of CPU work (loading two snapshots, indexing them, planning two halves of a plan).
public func concurrently<A: Sendable, B: Sendable>(
    _ first: @Sendable () -> A, _ second: @Sendable () -> B
) -> (A, B) {
    let a = Mutex<A?>(nil)
    let b = Mutex<B?>(nil)
    DispatchQueue.concurrentPerform(iterations: 2) { side in
        if side == 0 {
            let value = first()
            a.withLock { $0 = value }
        } else {
            let value = second()
            b.withLock { $0 = value }
        }
    }
    return (a.withLock { $0! }, b.withLock { $0! })
}

/// Runs the jobs on every core there is, each once, and returns their results in the jobs'
/// order: for CPU work in pieces of unequal size (the diff's parts).
func concurrentMap<T: Sendable>(_ jobs: [@Sendable () -> T]) -> [T] {
    let results = Mutex<[T?]>(Array(repeating: nil, count: jobs.count))
    DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
        let value = jobs[index]()
        results.withLock { $0[index] = value }
    }
    return results.withLock { $0.map { $0! } }
}
