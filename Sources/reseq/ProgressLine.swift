import Foundation
import Synchronization

/// One updating line on stderr for long phases (reads, apply): done/total, rate and ETA.
/// Only when stderr is a terminal: in a pipe or a log nothing extra is written. Safe to call
/// from several threads; redraws at most ten times a second; the line is cleared when the
/// phase completes, so the messages after it start on a clean line.
final class ProgressLine: Sendable {
    private struct State {
        var label: String
        var started = Date()
        var drawn = Date.distantPast
        var visible = false
    }

    private let enabled = isatty(STDERR_FILENO) == 1
    var isEnabled: Bool { enabled }
    private let state: Mutex<State>

    init(label: String = "") {
        state = Mutex(State(label: label))
    }

    func update(_ done: Int, _ total: Int, label: String? = nil) {
        guard enabled else { return }
        state.withLock { state in
            if let label, label != state.label {
                state.label = label
                state.started = Date()
                state.drawn = state.started  // no rate from a first instant: wait 0.1 s
            }
            let now = Date()
            guard done < total else {
                if state.visible { Self.write("\r\u{1B}[K") }
                state.visible = false
                return
            }
            guard now.timeIntervalSince(state.drawn) >= 0.1 else { return }
            state.drawn = now
            state.visible = true
            let elapsed = max(now.timeIntervalSince(state.started), 0.001)
            let rate = Double(done) / elapsed
            let eta = rate > 0 ? String(format: "%.0fs", Double(total - done) / rate) : "?"
            Self.write("\r\u{1B}[K\(state.label): \(done)/\(total)  \(Int(rate))/s  ETA \(eta)")
        }
    }

    /// A line of its own (an index build's phase and share done), at most ten times a second.
    func show(_ text: String) {
        guard enabled else { return }
        state.withLock { state in
            let now = Date()
            guard now.timeIntervalSince(state.drawn) >= 0.1 else { return }
            state.drawn = now
            state.visible = true
            Self.write("\r\u{1B}[K\(text)")
        }
    }

    func finish() {
        guard enabled else { return }
        state.withLock { state in
            if state.visible { Self.write("\r\u{1B}[K") }
            state.visible = false
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
