import Foundation
import PostgresClient

/// Turns a live database into a `Snapshot`: a few bulk catalog queries in one repeatable-read,
/// read-only transaction, then the data extremes and sequence positions in bounded batches.
/// Nothing it cannot see aborts it: that becomes a `SnapshotWarning`.
public struct SnapshotReader: Sendable {
    public init() {}

    public func capture(_ connection: Connection, options: SnapshotOptions = SnapshotOptions()) throws -> Snapshot {
        let version = connection.serverVersionNumber
        guard version >= 100000 else {
            throw SnapshotError("reseq needs PostgreSQL 10 or later; this server is \(Self.versionText(version)).")
        }
        var warnings: [SnapshotWarning] = []
        // Every transaction of the capture is read-only, including the position reads that run
        // outside an explicit BEGIN: the server refuses any write. Restored afterwards, since
        // `reconcile` applies on the same connection.
        try connection.execute("SET default_transaction_read_only = on")
        defer { try? connection.execute("RESET default_transaction_read_only") }

        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        let database: DatabaseInfo
        let sequences: [SequenceRow]
        let columns: [ColumnRow]
        let access: Access
        var pieces: ShapePieces?
        let kept: (sequences: [SequenceRow], columns: [ColumnRow])
        var early: EarlyPositions?
        var shape: ShapeRead?
        do {
            database = try readDatabaseInfo(connection, options: options)
            if options.spare != nil {
                let id = try connection.query("SELECT pg_export_snapshot() AS id").string(0, "id")
                early = EarlyPositions.start(snapshotID: id, reader: self, batchSize: options.objectsPerStatement,
                                             spare: options.spare, shape: options.readsShape ? options : nil)
                if options.readsShape, let spare = options.spare {
                    shape = ShapeRead.start(snapshotID: id, spare: spare, options: options, part: .catalogOnly)
                }
            }
            columns = try readColumns(connection, extra: options.extraColumns)
            // Awaited inside this transaction: the second session imports its snapshot.
            let middle: QualifiedName?
            if let catalog = early?.catalog() {
                (sequences, middle) = catalog
            } else {
                sequences = try readSequences(connection)
                middle = nil
            }
            kept = Self.filter(sequences, columns, options: options)
            access = try readAccess(connection, sequences: kept.sequences.map(\.info),
                                    columns: kept.columns.map(\.info), options: options)
            if options.readsShape {
                // The tables' definitions: the first half here (all of them when the second
                // session does not read the other half), and the rest of the shape unless a
                // session of its own took this transaction's snapshot to read it.
                let part = ShapePart(catalog: !(shape?.awaitImport() ?? false),
                                     definitions: middle.map { .before($0) } ?? .all, views: true)
                pieces = try SchemaObjects.read(connection, options: options, part: part)
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            _ = early?.finish()
            _ = try? shape?.finish()
            throw error
        }

        let (positioned, readColumns): ([SequenceInfo], [ColumnInfo])
        do {
            (positioned, readColumns) = try readData(
                kept.sequences, kept.columns, connection, options, &warnings, known: early?.finish())
        } catch {
            _ = try? shape?.finish()
            throw error
        }
        if let read = try shape?.finish() { pieces?.merge(read) }
        if let read = try early?.shapeHalf() { pieces?.merge(read) }
        var snapshot = Snapshot(database: database, sequences: positioned, columns: readColumns, warnings: warnings, access: access)
        snapshot.reseqVersion = options.reseqVersion
        let objects = pieces?.assembled()
        snapshot.schema = objects
        snapshot.warnings += (objects?.unread ?? []).map {
            SnapshotWarning(object: $0.description,
                            message: "its definition was not read: another session held or awaited an ACCESS EXCLUSIVE lock on it.")
        }
        snapshot.warnings.sort { ($0.object, $0.message) < ($1.object, $1.message) }
        return snapshot
    }

    /// A sequence as the catalog describes it, and whether we may read its position.
    struct SequenceRow: Sendable {
        var info: SequenceInfo
        var readable: Bool
        /// The relation's oid, for pg_sequence_last_value.
        var oid: String
    }

    /// A column with what decides how its data is read.
    struct ColumnRow: Sendable {
        var info: ColumnInfo
        var readable: Bool
        var estimatedRows: Double
        var indexed: Bool
    }

    /// Applies the schema filter without ever separating a kept column from the sequence it
    /// draws from: such sequences, and other columns drawing from kept sequences, stay in.
    static func filter(_ sequences: [SequenceRow], _ columns: [ColumnRow], options: SnapshotOptions)
        -> ([SequenceRow], [ColumnRow])
    {
        // Everything is in: skip building five sets over every object.
        if options.schemas.isEmpty, options.excludeSchemas.isEmpty { return (sequences, columns) }
        let extra = Set(options.extraColumns)
        let firstColumns = columns.filter { options.includes(schema: $0.info.ref.table.schema) || extra.contains($0.info.ref) }
        let usedByColumns = Set(firstColumns.compactMap(\.info.defaultSequence))
        let firstRefs = Set(firstColumns.map(\.info.ref))
        let keptSequences = sequences.filter { row in
            options.includes(schema: row.info.name.schema) || usedByColumns.contains(row.info.name)
                || row.info.ownedBy.map(firstRefs.contains) ?? false
        }
        let keptNames = Set(keptSequences.map(\.info.name))
        let ownedRefs = Set(keptSequences.compactMap(\.info.ownedBy))
        let keptColumns = columns.filter { row in
            firstRefs.contains(row.info.ref) || ownedRefs.contains(row.info.ref)
                || row.info.defaultSequence.map(keptNames.contains) ?? false
        }
        return (keptSequences, keptColumns)
    }

    static func versionText(_ number: Int) -> String {
        number >= 100000 ? "\(number / 10000).\(number % 10000)" : "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }
}
