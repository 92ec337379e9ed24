import Dispatch
import Foundation
import PostgresClient
import Synchronization

/// Turns SIGINT and SIGTERM during a reconcile (target snapshot, apply, verification) into
/// "cancel the running statements and stop": they fail, their transactions roll back, and the
/// applier reports what was done.
final class Interrupts {
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let sources: [any DispatchSourceSignal]

    /// `cancel` runs on the first signal: it cancels the statements in flight.
    init(cancel: @escaping @Sendable () -> Void) {
        let flag = self.flag
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // the dispatch source sees it; the default action would kill us
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                flag.value.store(true, ordering: .sequentiallyConsistent)
                cancel()
            }
            source.resume()
            return source
        }
    }

    var wasRequested: Bool { flag.value.load(ordering: .sequentiallyConsistent) }

    /// `wasRequested` for other threads (the second apply session).
    var check: @Sendable () -> Bool {
        let flag = self.flag
        return { flag.value.load(ordering: .sequentiallyConsistent) }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
