import Synchronization

/// Extra sessions to the same database, kept between the phases of one run. A reused session
/// has the relations it touched already in its caches, so a second pass over ten thousand
/// tables (the verification after an apply) costs it about half as much as a new one.
/// A connection is used by one thread at a time: `take` hands it over, `give` hands it back.
public final class SpareConnections: Sendable {
    private let conninfo: String
    /// Run on each new session before it is handed out (session settings).
    private let setup: String?
    private let idle = Mutex<[Idle]>([])

    /// A connection parked here. Unchecked: `give` is the last use by the thread that gives it
    /// and `take` the first by the thread that takes it, so no two threads ever use it at once.
    private struct Idle: @unchecked Sendable { let connection: Connection }

    public init(conninfo: String, setup: String? = nil) {
        self.conninfo = conninfo
        self.setup = setup
    }

    /// Cancellers of the sessions handed out, so that an interrupt reaches them too.
    private let busy = Mutex<[ObjectIdentifier: Canceller]>([:])
    private let cancelled = Atomic<Bool>(false)

    /// An idle session if there is one, else a new one.
    public func take() throws -> Connection {
        if cancelled.load(ordering: .sequentiallyConsistent) {
            throw PostgresError(kind: .cancel, sqlState: .queryCanceled, message: "interrupted")
        }
        let connection: Connection
        if let parked = idle.withLock({ $0.popLast() })?.connection, parked.isConnectionOK {
            connection = parked
        } else {
            connection = try Connection(conninfo: conninfo)
            if let setup { try connection.execute(setup) }
        }
        let canceller = try connection.makeCanceller()
        busy.withLock { $0[ObjectIdentifier(connection)] = canceller }
        return connection
    }

    /// Cancels the statement each handed-out session is running, and refuses new sessions:
    /// an interrupt stops every session of the run, not only the first.
    public func cancelAll() {
        cancelled.store(true, ordering: .sequentiallyConsistent)
        for canceller in busy.withLock({ Array($0.values) }) { try? canceller.cancel() }
    }

    private let lost = Atomic<Int>(0)

    /// Sessions given back broken (the server or the network ended them), so far: how the
    /// thread that handed them out learns that one died under another thread.
    public var lostSessions: Int { lost.load(ordering: .sequentiallyConsistent) }

    /// Returns a session for a later phase; a broken one is dropped (and counted).
    public func give(_ connection: Connection) {
        busy.withLock { $0[ObjectIdentifier(connection)] = nil }
        guard connection.isConnectionOK else {
            lost.add(1, ordering: .sequentiallyConsistent)
            return
        }
        let parked = Idle(connection: connection)
        idle.withLock { $0.append(parked) }
    }
}
