internal import CLibPQ

/// One libpq connection. Not Sendable: use it from one thread at a time; to stop a running
/// statement from elsewhere, use `makeCanceller()`.
public final class Connection {
    private var handle: OpaquePointer?
    /// `host:port/database` as the user gave it, for messages. Never holds a password.
    public let target: String

    /// Opens a connection with anything libpq accepts (`key=value` or a `postgresql://` URI);
    /// `PG*` variables and `~/.pgpass` apply as in psql.
    public init(conninfo: String) throws {
        target = ConnInfo.target(conninfo)
        guard let connection = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "out of memory", target: target)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = ConnInfo.scrub(Connection.errorMessage(connection), conninfo: conninfo)
            PQfinish(connection)  // libpq allocates the PGconn even when connecting fails
            throw PostgresError(
                kind: .connection, sqlState: .sqlClientUnableToEstablishSQLConnection,
                message: message, target: target)
        }
        handle = connection
    }

    deinit {
        close()
    }

    /// Closes the connection; calling it again does nothing.
    public func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    public var isConnectionOK: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// `server_version_num` as libpq saw it at connect, e.g. 150018; 0 when closed.
    public var serverVersionNumber: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// The host (or socket directory) actually connected to.
    public var host: String {
        guard let handle, let text = PQhost(handle) else { return "" }
        return String(cString: text)
    }

    public var port: String {
        guard let handle, let text = PQport(handle) else { return "" }
        return String(cString: text)
    }

    /// Runs one statement with `$1…$n` parameters, all in text format (`nil` is NULL).
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) throws -> QueryResult {
        let connection = try open(sql)
        // NUL-terminated copies that live until PQexecParams returns.
        let copies: [UnsafeMutablePointer<CChar>?] = params.map { $0.map(Connection.cString) }
        defer { copies.forEach { $0?.deallocate() } }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result = values.withUnsafeBufferPointer { buffer in
            PQexecParams(connection, sql, Int32(params.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try consume(result, connection: connection, sql: sql)
    }

    /// Runs utility or multi-statement SQL (`BEGIN`, `SET`, DDL scripts) without parameters.
    public func execute(_ sql: String) throws {
        let connection = try open(sql)
        _ = try consume(PQexec(connection, sql), connection: connection, sql: sql)
    }

    /// Runs statements in one round trip, in order, stopping at the first that fails. The
    /// error's `statementIndex` says which one failed (0-based); none after it ran.
    public func executeBatch(_ statements: [String]) throws {
        let sql = statements.map { $0.hasSuffix(";") ? $0 : $0 + ";" }.joined(separator: "\n")
        let connection = try open(sql)
        guard PQsendQuery(connection, sql) == 1 else {
            throw PostgresError(kind: .statement, sqlState: lostState(connection),
                                message: Connection.errorMessage(connection), statement: sql)
        }
        var completed = 0
        var failure: PostgresError?
        // Every result must be read, the failed one included, before the connection is free.
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                completed += 1
            default:
                guard failure == nil else { continue }
                let index = min(completed, statements.count - 1)
                var error = error(from: result, connection: connection, sql: statements.isEmpty ? sql : statements[index])
                error.statementIndex = index
                failure = error
            }
        }
        if let failure { throw failure }
        if PQstatus(connection) == CONNECTION_BAD {
            throw PostgresError(kind: .statement, sqlState: .connectionFailure,
                                message: Connection.errorMessage(connection), statement: sql)
        }
    }

    /// A handle that cancels this connection's running statement from any thread.
    public func makeCanceller() throws -> Canceller {
        guard let handle, let cancel = PQgetCancel(handle) else {
            throw PostgresError(kind: .cancel, message: "the connection is closed")
        }
        return Canceller(handle: cancel)
    }

    private func open(_ sql: String) throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(
                kind: .statement, sqlState: .connectionDoesNotExist,
                message: "the connection to \(target) is closed", statement: sql)
        }
        return handle
    }

    /// Copies the rows out and frees the result; turns failures into `PostgresError`.
    private func consume(_ result: OpaquePointer?, connection: OpaquePointer, sql: String) throws -> QueryResult {
        guard let result else {
            throw PostgresError(
                kind: .statement, sqlState: lostState(connection),
                message: Connection.errorMessage(connection), statement: sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            break
        default:
            throw error(from: result, connection: connection, sql: sql)
        }
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        var columns: [String] = []
        columns.reserveCapacity(Int(columnCount))
        for column in 0..<columnCount {
            columns.append(PQfname(result, column).map { String(cString: $0) } ?? "?column?")
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(nil)
                } else {
                    values.append(PQgetvalue(result, row, column).map { String(cString: $0) })
                }
            }
            rows.append(values)
        }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        return QueryResult(columns: columns, rows: rows, commandTag: tag)
    }

    private func error(from result: OpaquePointer, connection: OpaquePointer, sql: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let text = PQresultErrorField(result, Int32(ascii)) else { return nil }
            let value = String(cString: text)
            return value.isEmpty ? nil : value
        }
        let state = field("C").map(SQLState.init(rawValue:)) ?? lostState(connection)
        let message = field("M")
            ?? PQresultErrorMessage(result).map { String(cString: $0).trimmingTrailingNewlines() }
            ?? Connection.errorMessage(connection)
        return PostgresError(
            kind: .statement, sqlState: state, message: message.isEmpty ? Connection.errorMessage(connection) : message,
            detail: field("D"), hint: field("H"), statement: sql)
    }

    /// Client-side failures carry no SQLSTATE; a dead connection is reported as 08006.
    private func lostState(_ connection: OpaquePointer) -> SQLState? {
        PQstatus(connection) == CONNECTION_BAD ? .connectionFailure : nil
    }

    private static func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
        let bytes = text.utf8CString
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        for (offset, byte) in bytes.enumerated() { (copy + offset).initialize(to: byte) }
        return copy
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown error" }
        let message = String(cString: text).trimmingTrailingNewlines()
        return message.isEmpty ? "unknown error" : message
    }
}
