import Foundation
import PostgresClient
import Synchronization

/// A share of the shape (`ShapePart`) read on a session of its own, in the first session's
/// exported snapshot, while the first session reads the columns catalog and then the data with
/// the second: at 10,000 tables the deparsers of the shape cost the server more than the rest
/// of the snapshot, and side by side the sessions overlap.
final class ShapeRead: Sendable {
    private let result: Mutex<Result<ShapePieces, any Error>?> = Mutex(nil)
    private let importDone = DispatchSemaphore(value: 0)
    private let imported = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    static func start(snapshotID: String, spare: SpareConnections, options: SnapshotOptions, part: ShapePart) -> ShapeRead {
        let job = ShapeRead()
        Thread {
            defer {
                job.importDone.signal()  // a second signal is harmless: it is awaited once
                job.done.signal()
            }
            // No session to be had is no error: the first session then reads the shape itself.
            guard let connection = try? spare.take() else { return }
            defer { spare.give(connection) }
            do {
                try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try connection.query("SET TRANSACTION SNAPSHOT \(SQL.literal(snapshotID))")
            } catch {
                try? connection.execute("ROLLBACK")
                return
            }
            job.imported.store(true, ordering: .sequentiallyConsistent)
            job.importDone.signal()
            do {
                let pieces = try SchemaObjects.read(connection, options: options, part: part)
                try connection.execute("COMMIT")
                job.result.withLock { $0 = .success(pieces) }
            } catch {
                try? connection.execute("ROLLBACK")
                job.result.withLock { $0 = .failure(error) }
            }
        }.start()
        return job
    }

    /// Whether the session took the exported snapshot; awaited before the exporting
    /// transaction ends. False: the first session must read the shape itself.
    func awaitImport() -> Bool {
        importDone.wait()
        return imported.load(ordering: .sequentiallyConsistent)
    }

    /// The share, once read; rethrows what failed there.
    func finish() throws -> ShapePieces? {
        done.wait()
        return try result.withLock { $0 }?.get()
    }
}
