import PostgresClient

extension SnapshotReader {
    /// One unit of the data phase: a read-only transaction of min/max reads, or a statement
    /// of sequence positions.
    enum ReadOutput: Sendable {
        case columns([(Int, ColumnInfo)], [SnapshotWarning])
        case positions([(Int, Int64, Bool)], [SnapshotWarning])
    }

    /// Reads the data extremes and the sequence positions, as `ParallelReads` jobs over the
    /// snapshot's connection and (when `options.spare` is set) a second one.
    func readData(
        _ sequences: [SequenceRow], _ columns: [ColumnRow], _ connection: Connection,
        _ options: SnapshotOptions, _ warnings: inout [SnapshotWarning],
        known: EarlyPositions.Read? = nil
    ) throws -> ([SequenceInfo], [ColumnInfo]) {
        let data = DataReader(options: options, ascending: Self.directions(sequences.map(\.info), columns.map(\.info),
                                                                          known: options.sequenceDirections))
        let work = data.plan(columns)
        let positions = PositionReader(batchSize: options.objectsPerStatement)
        let (positionWarnings, batches) = positions.plan(sequences, skipping: known?.covered ?? [])
        let planned = work.columns
        var jobs: [ParallelReads<ReadOutput>.Job] = []
        var objects: [Int] = []  // objects per job, for progress
        for group in work.transactions {
            jobs.append { connection in
                try options.checkStop()
                let (read, warnings) = try data.read(group, columns: planned, on: connection)
                return .columns(read, warnings)
            }
            objects.append(group.reduce(0) { $0 + $1.indices.count })
        }
        for batch in batches {
            jobs.append { connection in
                try options.checkStop()
                let (read, warnings) = try positions.read(batch, rows: sequences, on: connection)
                // A cancelled read was told as a warning; an interrupt ends the snapshot instead.
                try options.checkStop()
                return .positions(read, warnings)
            }
            objects.append(batch.count)
        }
        let total = objects.reduce(0, +)
        let progress = options.progress
        let outputs = try ParallelReads.run(
            jobs, on: connection, spare: options.spare,
            progress: { done in progress?("reading max(id) and sequence positions", done, total) },
            weights: objects)

        var result = sequences.map(\.info)
        if let known {
            // Read on the second session while the columns catalog was read.
            for index in result.indices {
                guard let position = known.positions[result[index].name] else { continue }
                result[index].lastValue = position.lastValue
                result[index].isCalled = position.isCalled
            }
            let kept = Set(result.map(\.name.description))
            warnings += known.warnings.filter { kept.contains($0.object) }
        }
        var read = work.columns
        warnings += work.warnings
        var laterWarnings: [SnapshotWarning] = []
        for output in outputs {
            switch output {
            case .columns(let columns, let found):
                for (index, column) in columns { read[index] = column }
                warnings += found
            case .positions(let positions, let found):
                for (index, value, called) in positions {
                    result[index].lastValue = value
                    result[index].isCalled = called
                }
                laterWarnings += found
            }
        }
        warnings += positionWarnings + laterWarnings
        return (result, read)
    }

    /// Which way each column's sequence counts, by its default, identity or OWNED BY link,
    /// here and in `options.sequenceDirections` (the source's, which reconcile passes: the
    /// copy's target has lost its sequences). A column two sequences disagree on is left out,
    /// so both its extremes are read.
    static func directions(_ sequences: [SequenceInfo], _ columns: [ColumnInfo],
                           known: [ColumnRef: Bool] = [:]) -> [ColumnRef: Bool] {
        var bySequence: [QualifiedName: Bool] = [:]
        var result: [ColumnRef: Bool] = [:]
        var mixed = Set<ColumnRef>()
        func note(_ ref: ColumnRef, _ up: Bool) {
            if let known = result[ref], known != up { mixed.insert(ref) }
            result[ref] = up
        }
        for (ref, up) in known { note(ref, up) }
        for sequence in sequences {
            bySequence[sequence.name] = sequence.increment > 0
            if let owner = sequence.ownedBy { note(owner, sequence.increment > 0) }
        }
        for column in columns {
            if let sequence = column.defaultSequence, let up = bySequence[sequence] { note(column.ref, up) }
        }
        for ref in mixed { result[ref] = nil }
        return result
    }
}
