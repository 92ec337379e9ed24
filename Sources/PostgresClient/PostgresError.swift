/// An error from libpq or the server. `description` is what the user reads: it says what
/// failed and what to do about it. It never contains a password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be opened.
        case connection
        /// A statement failed (or the connection broke while it ran).
        case statement
        /// Cancelling a statement failed.
        case cancel
    }

    public var kind: Kind
    public var sqlState: SQLState?
    /// The server's primary message, or libpq's for client-side failures.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The failing SQL, shortened for display.
    public var statement: String?
    /// For connection failures: `host:port/database` as the user gave it, never a password.
    public var target: String?
    /// For `executeBatch`: which statement of the batch failed (0-based).
    public var statementIndex: Int?

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil,
        hint: String? = nil, statement: String? = nil, target: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.statement = statement.map(PostgresError.shorten)
        self.target = target
    }

    /// Long statements (batched reads) are cut in the middle so both ends stay visible.
    static func shorten(_ sql: String) -> String {
        let limit = 600
        guard sql.count > limit else { return sql }
        return String(sql.prefix(limit / 2)) + " … " + String(sql.suffix(limit / 4))
    }

    public var description: String {
        var lines: [String] = []
        switch kind {
        case .connection:
            lines.append("could not connect to \(target ?? "the server"): \(message)")
            lines.append("Check the DSN, network and credentials (PG* variables and ~/.pgpass apply as in psql).")
        case .cancel:
            lines.append("could not cancel the running statement: \(message)")
        case .statement:
            let code = sqlState.map { " [SQLSTATE \($0)]" } ?? ""
            lines.append("statement failed\(code): \(message)")
        }
        if let detail { lines.append("DETAIL: \(detail)") }
        if let hint { lines.append("HINT: \(hint)") }
        if let statement { lines.append("statement: \(statement)") }
        if kind == .statement, let advice { lines.append(advice) }
        return lines.joined(separator: "\n")
    }

    /// What to do about the failures reseq users meet most.
    private var advice: String? {
        guard let sqlState else { return nil }
        if sqlState.isConnectionLoss {
            return "The connection to the server was lost; check the server and run the command again."
        }
        switch sqlState {
        case .insufficientPrivilege:
            return "The role lacks a privilege; run as a role that has it, or GRANT it."
        case .queryCanceled:
            return "The statement was cancelled or ran past statement_timeout."
        case .lockNotAvailable:
            return "Another session holds a lock on the object; retry when it is released."
        case .readOnlySQLTransaction:
            return "The server or session is read-only (a standby?); connect to the primary."
        default:
            return nil
        }
    }
}
