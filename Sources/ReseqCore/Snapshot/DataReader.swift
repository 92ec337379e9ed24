import Foundation
import PostgresClient

/// Reads `min`/`max` of each column: cheap reads (indexed or small tables) batched into one
/// statement each, full scans one table per statement, all under `statement_timeout` and in
/// read-only transactions of a bounded number of tables. Each statement runs in a savepoint so
/// that a timeout or refusal costs only its own columns.
struct DataReader: Sendable {
    var options: SnapshotOptions
    /// The counting direction of the sequence each column draws from, where known: an
    /// ascending sequence needs only max(), a descending one only min(). Reading one extreme
    /// instead of two saves the server a fifth of the data phase.
    var ascending: [ColumnRef: Bool] = [:]

    /// The columns as the catalog describes them (data not yet read), the warnings known
    /// before reading, and the transactions to run: each a list of (table, columns, scan).
    struct Work: Sendable {
        var columns: [ColumnInfo]
        var warnings: [SnapshotWarning]
        var transactions: [[Unit]]
    }

    struct Unit: Sendable {
        var table: QualifiedName
        var indices: [Int]
        var scan: Bool
    }

    private static let integerTypes: Set<String> = ["smallint", "integer", "bigint"]

    /// Decides how each column is read, without touching the database.
    func plan(_ rows: [SnapshotReader.ColumnRow]) -> Work {
        var warnings: [SnapshotWarning] = []
        var columns = rows.map(\.info)
        var cheap: [Int] = []
        var scans: [QualifiedName: [Int]] = [:]
        for (index, row) in rows.enumerated() {
            let object = row.info.ref.description
            if !options.readsRows {
                columns[index].dataRead = .notAsked
            } else if !row.readable {
                columns[index].dataRead = .denied
                warnings.append(SnapshotWarning(object: object, message: "data not read: the role lacks SELECT on the column; GRANT SELECT on the table to the snapshot role"))
            } else if !Self.integerTypes.contains(row.info.dataType) {
                columns[index].dataRead = .skipped
                warnings.append(SnapshotWarning(object: object, message: "data not read: type \(row.info.dataType) is not an integer type"))
            } else if row.indexed || row.estimatedRows <= options.largeTableRows {
                cheap.append(index)
            } else if options.scanPolicy == .allowFullScans {
                scans[row.info.ref.table, default: []].append(index)
            } else {
                columns[index].dataRead = .skipped
                let size = "of about \(Int64(row.estimatedRows)) rows"
                warnings.append(SnapshotWarning(
                    object: object,
                    message: "data not read: no btree index leads with the column and the table is \(size), so reading max() is a full scan that could take long; allow full scans, or raise the large-table threshold, to read it"))
            }
        }

        // Group by table so that a transaction touches a bounded number of tables.
        var units: [Unit] = []
        for (table, indices) in Dictionary(grouping: cheap, by: { columns[$0].ref.table }) {
            units.append(Unit(table: table, indices: indices, scan: false))
        }
        units += scans.map { Unit(table: $0.key, indices: $0.value, scan: true) }
        units.sort { $0.table < $1.table }
        let perTransaction = max(1, options.tablesPerTransaction)
        let transactions = stride(from: 0, to: units.count, by: perTransaction).map {
            Array(units[$0..<min($0 + perTransaction, units.count)])
        }
        return Work(columns: columns, warnings: warnings, transactions: transactions)
    }

    /// Runs one read-only transaction of `plan`'s; returns the columns it read (by index) and
    /// its warnings. `columns` is the plan's array; only the group's entries are changed.
    func read(_ group: [Unit], columns: [ColumnInfo], on connection: Connection) throws
        -> (columns: [(Int, ColumnInfo)], warnings: [SnapshotWarning])
    {
        // Works on a copy of the group's columns only, renumbered from 0: copying every column
        // per transaction made the data phase quadratic (a fifth of a 50,000-table snapshot's CPU).
        let original = group.flatMap(\.indices)
        var columns = original.map { columns[$0] }
        var next = 0
        let group = group.map { unit in
            var unit = unit
            unit.indices = unit.indices.map { _ in defer { next += 1 }; return next }
            return unit
        }
        var warnings: [SnapshotWarning] = []
        try connection.execute("BEGIN READ ONLY")
        do {
            let milliseconds = max(1, Int(options.readTimeout * 1000))
            try connection.execute("SET LOCAL statement_timeout = \(milliseconds)")
            let cheapIndices = group.filter { !$0.scan }.flatMap(\.indices)
            for chunk in stride(from: 0, to: cheapIndices.count, by: max(1, options.objectsPerStatement)) {
                let slice = Array(cheapIndices[chunk..<min(chunk + max(1, options.objectsPerStatement), cheapIndices.count)])
                if try !attempt(slice, into: &columns, warnings: &warnings, report: false, on: connection) {
                    for index in slice { _ = try attempt([index], into: &columns, warnings: &warnings, report: true, on: connection) }
                }
            }
            for unit in group where unit.scan {
                _ = try attempt(unit.indices, into: &columns, warnings: &warnings, report: true, on: connection)
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
        return (Array(zip(original, columns)), warnings)
    }

    /// Runs one read statement in a savepoint. On a server error either records the outcome on
    /// the columns (`report`) or returns false so the caller can retry column by column.
    private func attempt(
        _ indices: [Int], into columns: inout [ColumnInfo], warnings: inout [SnapshotWarning], report: Bool,
        on connection: Connection
    ) throws -> Bool {
        try connection.execute("SAVEPOINT reseq_read")
        do {
            try readExtremes(indices, into: &columns, on: connection)
            try connection.execute("RELEASE SAVEPOINT reseq_read")
            return true
        } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
            try connection.execute("ROLLBACK TO SAVEPOINT reseq_read")
            // Cancelled by an interrupt, not by statement_timeout: stop, do not retry.
            try options.checkStop()
            guard report else { return false }
            let (outcome, why): (DataRead, String) = switch error.sqlState {
            case .queryCanceled?:
                (.timedOut, "the read ran past its \(Int(options.readTimeout))s statement_timeout; raise the read timeout or add an index")
            case .insufficientPrivilege?:
                (.denied, "the role may not read the table: \(error.message)")
            case .lockNotAvailable?:
                (.blocked, "another session held a lock on \(columns[indices[0]].ref.table) past lock_timeout; run again when it is released")
            default:
                (.skipped, "the read failed: \(error.message)")
            }
            for index in indices {
                columns[index].dataRead = outcome
                warnings.append(SnapshotWarning(object: columns[index].ref.description, message: "data not read: \(why)"))
            }
            return true
        }
    }

    /// One statement: a `UNION ALL` arm per column, or (several columns of one table) a single
    /// scan returning every extreme at once.
    private func readExtremes(_ indices: [Int], into columns: inout [ColumnInfo], on connection: Connection) throws {
        let tables = Set(indices.map { columns[$0].ref.table })
        let arms: [String]
        if tables.count == 1, indices.count > 1, let table = tables.first {
            let list = indices.enumerated().map { key, index in
                let column = SQL.identifier(columns[index].ref.column)
                return extremes(column, columns[index].ref, suffix: "\(key)")
            }
            let result = try connection.query("SELECT \(list.joined(separator: ", ")) FROM \(SQL.qualified(table))")
            for (key, index) in indices.enumerated() {
                columns[index].minValue = try result.optionalInt64(0, "lo\(key)")
                columns[index].maxValue = try result.optionalInt64(0, "hi\(key)")
                columns[index].dataRead = .read
            }
            return
        }
        arms = indices.enumerated().map { key, index in arm(key, columns[index].ref) }
        let result = try connection.query(arms.joined(separator: " UNION ALL "))
        // An arm reading one end of an empty table returns no row: read, nothing there.
        for index in indices { columns[index].dataRead = .read }
        for row in 0..<result.count {
            let key = try result.int(row, "k")
            guard indices.indices.contains(key) else { continue }
            columns[indices[key]].minValue = try result.optionalInt64(row, "lo")
            columns[indices[key]].maxValue = try result.optionalInt64(row, "hi")
        }
    }

    /// One column's arm of a `UNION ALL`. The end a sequence's direction needs is read as
    /// the first row in that order, which is what PostgreSQL turns max() into when an index
    /// leads with the column, without planning the aggregate too: a fifth less of the
    /// server's work per table when the table is opened for the first time in the session.
    private func arm(_ key: Int, _ ref: ColumnRef) -> String {
        let column = SQL.identifier(ref.column)
        let table = SQL.qualified(ref.table)
        guard let ascending = ascending[ref] else {
            return "SELECT \(key) AS k, \(extremes(column, ref, suffix: "")) FROM \(table)"
        }
        // Qualified: a bare name in ORDER BY would mean an output column named like it (k, lo, hi).
        let value = "r.\(column)"
        let end = ascending ? "NULL::text AS lo, \(value)::text AS hi" : "\(value)::text AS lo, NULL::text AS hi"
        return "(SELECT \(key) AS k, \(end) FROM \(table) AS r WHERE \(value) IS NOT NULL ORDER BY \(value) \(ascending ? "DESC" : "ASC") LIMIT 1)"
    }

    /// `lo`/`hi` select items: both extremes, or only the one the sequence's direction needs.
    private func extremes(_ column: String, _ ref: ColumnRef, suffix: String) -> String {
        let low = ascending[ref] == true ? "NULL" : "min(\(column))"
        let high = ascending[ref] == false ? "NULL" : "max(\(column))"
        return "\(low)::text AS lo\(suffix), \(high)::text AS hi\(suffix)"
    }
}
