import Foundation
import PostgresClient
import Synchronization

/// The sequences of a snapshot, read on a second session while the first reads the columns
/// catalog: the catalog query of the sequences in the first session's own transaction
/// snapshot (`pg_export_snapshot`), then (when asked) the definitions of the second half of the
/// tables in the same snapshot (`ShapePart`), then positions until `finish()`. The two catalog
/// queries and the position reads are the slowest parts before the data phase; side by side
/// they overlap, and what is left of the positions joins the data phase's jobs.
final class EarlyPositions: Sendable {
    typealias Positions = [QualifiedName: SequencePosition]
    /// What was read: positions, warnings, and every sequence either covers.
    struct Read: Sendable {
        var positions: Positions
        var warnings: [SnapshotWarning]
        var covered: Set<QualifiedName>
    }
    /// The sequences, and the table that splits the definitions between the sessions.
    typealias Catalog = (sequences: [SnapshotReader.SequenceRow], middle: QualifiedName?)
    private let catalogRows: Mutex<Catalog?> = Mutex(nil)
    private let read: Mutex<Read?> = Mutex(nil)
    private let shape: Mutex<Result<ShapePieces, any Error>?> = Mutex(nil)
    private let shapeRead = DispatchSemaphore(value: 0)
    private let enough = Atomic<Bool>(false)
    private let catalogRead = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Starts the second session; `nil` when there is none to be had.
    /// `shape`: the options to read the second half of the tables' definitions with, if any.
    static func start(
        snapshotID: String, reader: SnapshotReader, batchSize: Int, spare: SpareConnections?,
        shape options: SnapshotOptions? = nil
    ) -> EarlyPositions? {
        guard let spare else { return nil }
        let early = EarlyPositions()
        Thread {
            var catalogSignalled = false
            defer {
                if !catalogSignalled { early.catalogRead.signal() }
                early.shapeRead.signal()  // awaited once; a second signal is harmless
                early.done.signal()
            }
            // Not reaching the server a second time is no error: the first session then
            // reads the sequences and their positions itself.
            guard let connection = try? spare.take() else { return }
            defer { spare.give(connection) }
            let rows: [SnapshotReader.SequenceRow]
            let middle: QualifiedName?
            do {
                try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try connection.query("SET TRANSACTION SNAPSHOT \(SQL.literal(snapshotID))")
                rows = try reader.readSequences(connection)
                middle = options != nil ? try ShapePart.middle(connection) : nil
            } catch {
                try? connection.execute("ROLLBACK")
                return
            }
            early.catalogRows.withLock { $0 = (rows, middle) }
            early.catalogRead.signal()
            catalogSignalled = true
            // The second half of the tables' definitions, in the same snapshot; the first
            // session reads the first half.
            if let options {
                do {
                    var pieces = ShapePieces()
                    if let middle {
                        pieces = try SchemaObjects.read(
                            connection, options: options, part: ShapePart(catalog: false, definitions: .from(middle), views: false))
                    }
                    early.shape.withLock { $0 = .success(pieces) }
                } catch {
                    early.shape.withLock { $0 = .failure(error) }
                }
            }
            early.shapeRead.signal()
            do {
                try connection.execute("COMMIT")
            } catch {
                return
            }

            let positionReader = PositionReader(batchSize: batchSize)
            let (warnings, batches) = positionReader.plan(rows)
            var result = Read(positions: [:], warnings: warnings,
                              covered: Set(rows.filter { !$0.readable }.map(\.info.name)))
            do {
                try connection.execute("SET default_transaction_read_only = on")
                defer { try? connection.execute("RESET default_transaction_read_only") }
                for batch in batches {
                    if early.enough.load(ordering: .relaxed) { break }
                    let (read, batchWarnings) = try positionReader.read(batch, rows: rows, on: connection)
                    for (index, value, called) in read {
                        result.positions[rows[index].info.name] = SequencePosition(lastValue: value, isCalled: called)
                    }
                    result.warnings += batchWarnings
                    result.covered.formUnion(batch.map { rows[$0].info.name })
                }
            } catch {
                return  // read again later on the first session, which reports the error
            }
            early.read.withLock { $0 = result }
        }.start()
        return early
    }

    /// The second half of the tables' definitions, when asked for and the sequences were read
    /// here; rethrows what failed there.
    func shapeHalf() throws -> ShapePieces? {
        shapeRead.wait()
        return try shape.withLock { $0 }?.get()
    }

    /// The sequences as the exported snapshot shows them, and (when the shape was asked for)
    /// the first table of the second half of the tables' definitions, which this session reads
    /// (`nil`: there is no table); `nil` when the second session could not read them. Must be
    /// awaited before the exporting transaction ends.
    func catalog() -> Catalog? {
        catalogRead.wait()
        return catalogRows.withLock { $0 }
    }

    /// Stops after the batch in progress: the first session is free, and the positions left
    /// are shared between both sessions with the data reads. Returns what was read; `nil`
    /// when nothing could be read there.
    func finish() -> Read? {
        enough.store(true, ordering: .relaxed)
        done.wait()
        return read.withLock { $0 }
    }
}
