/// The rows of a statement, copied out of libpq in text format.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// The command tag, e.g. `SELECT 3` or `SET`.
    public var commandTag: String

    public init(columns: [String], rows: [[String?]], commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    /// The raw text of a cell; `nil` for SQL NULL.
    public func value(_ row: Int, _ column: String) throws -> String? {
        guard let index = columns.firstIndex(of: column) else {
            throw QueryResultError(row: row, column: column, problem: "no such column (have \(columns.joined(separator: ", ")))")
        }
        guard rows.indices.contains(row), rows[row].indices.contains(index) else {
            throw QueryResultError(row: row, column: column, problem: "no such row (result has \(rows.count))")
        }
        return rows[row][index]
    }

    public func string(_ row: Int, _ column: String) throws -> String {
        guard let text = try value(row, column) else {
            throw QueryResultError(row: row, column: column, problem: "unexpected NULL")
        }
        return text
    }

    public func optionalString(_ row: Int, _ column: String) throws -> String? {
        try value(row, column)
    }

    public func int64(_ row: Int, _ column: String) throws -> Int64 {
        let text = try string(row, column)
        guard let number = Int64(text) else {
            throw QueryResultError(row: row, column: column, problem: "expected a 64-bit integer, got '\(text)'")
        }
        return number
    }

    public func optionalInt64(_ row: Int, _ column: String) throws -> Int64? {
        guard try value(row, column) != nil else { return nil }
        return try int64(row, column)
    }

    public func int(_ row: Int, _ column: String) throws -> Int {
        Int(try int64(row, column))
    }

    public func double(_ row: Int, _ column: String) throws -> Double {
        let text = try string(row, column)
        guard let number = Double(text) else {
            throw QueryResultError(row: row, column: column, problem: "expected a number, got '\(text)'")
        }
        return number
    }

    /// PostgreSQL's text form of boolean: `t` or `f`.
    public func bool(_ row: Int, _ column: String) throws -> Bool {
        switch try string(row, column) {
        case "t": return true
        case "f": return false
        case let other:
            throw QueryResultError(row: row, column: column, problem: "expected 't' or 'f', got '\(other)'")
        }
    }

    public func optionalBool(_ row: Int, _ column: String) throws -> Bool? {
        guard try value(row, column) != nil else { return nil }
        return try bool(row, column)
    }
}

/// A cell that does not hold what the caller expected: a bug in the query or a server surprise.
public struct QueryResultError: Error, CustomStringConvertible, Sendable {
    public var row: Int
    public var column: String
    public var problem: String

    public var description: String {
        "unexpected query result at row \(row), column \(column): \(problem)"
    }
}
