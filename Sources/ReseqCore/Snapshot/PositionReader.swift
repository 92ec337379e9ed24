import PostgresClient

/// Reads `last_value, is_called` from each sequence relation (pg_sequences hides last_value
/// when is_called is false), many sequences per statement. Each statement is its own
/// transaction, so locks on thousands of sequences are never held at once.
struct PositionReader {
    var connection: Connection
    var batchSize: Int

    func read(_ rows: [SnapshotReader.SequenceRow], warnings: inout [SnapshotWarning]) throws -> [SequenceInfo] {
        var result = rows.map(\.info)
        for row in rows where !row.readable {
            warnings.append(SnapshotWarning(
                object: row.info.name.description,
                message: "position not read: the role lacks SELECT on the sequence; GRANT SELECT ON SEQUENCE \(CatalogSQL.qualified(row.info.name)) TO the snapshot role"))
        }
        let readable = result.indices.filter { rows[$0].readable }
        for start in stride(from: 0, to: readable.count, by: max(1, batchSize)) {
            let batch = Array(readable[start..<min(start + max(1, batchSize), readable.count)])
            do {
                try readBatch(batch, into: &result)
            } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
                // One bad sequence (dropped meanwhile, privilege changed) must not hide the rest.
                for index in batch {
                    do {
                        try readBatch([index], into: &result)
                    } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
                        warnings.append(SnapshotWarning(
                            object: result[index].name.description, message: "position not read: \(error.message)"))
                    }
                }
            }
        }
        return result
    }

    private func readBatch(_ indices: [Int], into sequences: inout [SequenceInfo]) throws {
        let sql = indices.enumerated().map { key, index in
            "SELECT \(key) AS k, last_value, is_called FROM \(CatalogSQL.qualified(sequences[index].name))"
        }.joined(separator: " UNION ALL ")
        let rows = try connection.query(sql)
        for row in 0..<rows.count {
            let key = try rows.int(row, "k")
            guard indices.indices.contains(key) else { continue }
            sequences[indices[key]].lastValue = try rows.int64(row, "last_value")
            sequences[indices[key]].isCalled = try rows.bool(row, "is_called")
        }
    }
}
