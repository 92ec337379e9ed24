import Foundation
import PostgresClient
import Synchronization

/// Reads every sequence position on a second session while the first one is still reading
/// the columns catalog: positions need only the list of sequences, so the two overlap.
final class EarlyPositions: Sendable {
    typealias Positions = [QualifiedName: SequencePosition]
    private let result: Mutex<(Positions, [SnapshotWarning])?> = Mutex(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading; `nil` when there is no way to open a second session.
    static func start(
        _ rows: [SnapshotReader.SequenceRow], batchSize: Int, spare: SpareConnections?
    ) -> EarlyPositions? {
        guard let spare, !rows.isEmpty else { return nil }
        let early = EarlyPositions()
        Thread {
            defer { early.done.signal() }
            // Not reaching the server a second time is no error: the positions are then read
            // later with the data, on the first session.
            guard let connection = try? spare.take() else { return }
            let reader = PositionReader(batchSize: batchSize)
            let (warnings, batches) = reader.plan(rows)
            var positions: Positions = [:]
            var later: [SnapshotWarning] = []
            do {
                try connection.execute("SET default_transaction_read_only = on")
                defer { try? connection.execute("RESET default_transaction_read_only") }
                for batch in batches {
                    let (read, found) = try reader.read(batch, rows: rows, on: connection)
                    for (index, value, called) in read {
                        positions[rows[index].info.name] = SequencePosition(lastValue: value, isCalled: called)
                    }
                    later += found
                }
            } catch {
                return  // read again later on the first session, which reports the error
            }
            spare.give(connection)
            early.result.withLock { $0 = (positions, warnings + later) }
        }.start()
        return early
    }

    /// Waits for the reads; `nil` when they could not be made.
    func wait() -> (Positions, [SnapshotWarning])? {
        done.wait()
        return result.withLock { $0 }
    }
}
