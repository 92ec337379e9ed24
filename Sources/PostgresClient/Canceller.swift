internal import CLibPQ

/// Cancels whatever statement its connection is running, from any thread (a signal handler's
/// task, a watchdog). Owns a `PGcancel`, which libpq documents as safe to use with `PQcancel`
/// from any thread, and which stays valid after the connection closes.
public final class Canceller: @unchecked Sendable {
    // Immutable after init; PQcancel is thread-safe by libpq's contract, so no lock is needed.
    private let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQfreeCancel(handle)
    }

    /// Asks the server to cancel the running statement. The statement then fails with
    /// SQLSTATE 57014 (`queryCanceled`); nothing happens when none is running.
    public func cancel() throws {
        var buffer = [CChar](repeating: 0, count: 256)
        let ok = PQcancel(handle, &buffer, Int32(buffer.count))
        if ok == 0 {
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PostgresError(kind: .cancel, message: message.trimmingTrailingNewlines())
        }
    }
}
