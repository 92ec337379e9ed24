import PostgresClient

/// Reads `last_value, is_called` of each sequence, many sequences per statement. Each
/// statement is its own transaction, so locks on thousands of sequences are never held at once.
struct PositionReader: Sendable {
    var batchSize: Int

    /// The warnings known before reading, and the batches to read (indices into `rows`),
    /// leaving out the sequences in `skipping` (already read, or already warned about).
    func plan(_ rows: [SnapshotReader.SequenceRow], skipping: Set<QualifiedName> = [])
        -> (warnings: [SnapshotWarning], batches: [[Int]])
    {
        var warnings: [SnapshotWarning] = []
        for row in rows where !row.readable && !skipping.contains(row.info.name) {
            warnings.append(SnapshotWarning(
                object: row.info.name.description,
                message: "position not read: the role lacks SELECT on the sequence; GRANT SELECT ON SEQUENCE \(SQL.qualified(row.info.name)) TO the snapshot role"))
        }
        let readable = rows.indices.filter { rows[$0].readable && !skipping.contains(rows[$0].info.name) }
        let size = max(1, batchSize)
        let batches = stride(from: 0, to: readable.count, by: size).map {
            Array(readable[$0..<min($0 + size, readable.count)])
        }
        return (warnings, batches)
    }

    /// Reads one batch: (index, last_value, is_called) for each sequence read, and warnings.
    func read(_ batch: [Int], rows: [SnapshotReader.SequenceRow], on connection: Connection) throws
        -> (positions: [(Int, Int64, Bool)], warnings: [SnapshotWarning])
    {
        var positions: [(Int, Int64, Bool)] = []
        var warnings: [SnapshotWarning] = []
        // pg_sequence_last_value(oid) needs no statement per sequence to parse and plan: about
        // twice as fast as selecting from each. It returns NULL when is_called is false; only
        // those sequences (few: never used) are read from their relations.
        var direct = batch
        do {
            let result = try connection.query("""
                SELECT x.k::int AS k, pg_sequence_last_value(x.seq) AS last_value
                FROM unnest($1::oid[]) WITH ORDINALITY AS x(seq, k)
                """, [CatalogSQL.textArray(batch.map { rows[$0].oid })])
            direct = []
            for row in 0..<result.count {
                let key = try result.int(row, "k") - 1
                guard batch.indices.contains(key) else { continue }
                if let value = try result.optionalInt64(row, "last_value") {
                    positions.append((batch[key], value, true))
                } else {
                    direct.append(batch[key])
                }
            }
        } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
            direct = batch  // a sequence dropped meanwhile: read one by one below
        }
        guard !direct.isEmpty else { return (positions, warnings) }
        do {
            positions += try readDirect(direct, rows: rows, on: connection)
        } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
            // One bad sequence (dropped meanwhile, privilege changed) must not hide the rest.
            for index in direct {
                do {
                    positions += try readDirect([index], rows: rows, on: connection)
                } catch let error as PostgresError where !(error.sqlState?.isConnectionLoss ?? true) {
                    warnings.append(SnapshotWarning(
                        object: rows[index].info.name.description, message: "position not read: \(error.message)"))
                }
            }
        }
        return (positions, warnings)
    }

    /// `last_value, is_called` from the sequence relations themselves (pg_sequences hides
    /// last_value when is_called is false).
    private func readDirect(_ indices: [Int], rows: [SnapshotReader.SequenceRow], on connection: Connection) throws
        -> [(Int, Int64, Bool)]
    {
        let sql = indices.enumerated().map { key, index in
            "SELECT \(key) AS k, last_value, is_called FROM \(SQL.qualified(rows[index].info.name))"
        }.joined(separator: " UNION ALL ")
        let result = try connection.query(sql)
        var positions: [(Int, Int64, Bool)] = []
        for row in 0..<result.count {
            let key = try result.int(row, "k")
            guard indices.indices.contains(key) else { continue }
            positions.append((indices[key], try result.int64(row, "last_value"), try result.bool(row, "is_called")))
        }
        return positions
    }
}
