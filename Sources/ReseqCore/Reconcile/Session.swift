import PostgresClient

/// How reseq opens every session to a database: the same settings on the first session and
/// on the spare ones, so that no statement it runs, read or write, can wait without bound
/// or read a backslash in a name as an escape.
public struct Session: Sendable {
    /// `lock_timeout` of every statement, reads included.
    public var lockTimeoutMilliseconds: Int

    public init(lockTimeoutMilliseconds: Int) {
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
    }

    /// `standard_conforming_strings` decides whether `'a\'` is a whole literal: the plan's
    /// quoting assumes it is on, whatever the server's setting.
    public var setup: String {
        "SET standard_conforming_strings = on; SET lock_timeout = \(max(lockTimeoutMilliseconds, 1))"
    }

    public func connect(_ conninfo: String) throws -> Connection {
        let connection = try Connection(conninfo: conninfo)
        try connection.execute(setup)
        return connection
    }

    /// Spare sessions to the same database, set up the same way.
    public func spares(_ conninfo: String) -> SpareConnections {
        SpareConnections(conninfo: conninfo, setup: setup)
    }
}
