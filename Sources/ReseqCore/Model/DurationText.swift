import Foundation

/// Parses durations as people write them on the command line: `500ms`, `5s`, `2m`, or a bare
/// number of seconds.
public enum DurationText {
    public static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("min", 60_000), ("m", 60_000), ("h", 3_600_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            return value(String(trimmed.dropLast(suffix.count)), factor)
        }
        return value(trimmed, 1000)
    }

    private static func value(_ number: String, _ factor: Double) -> Int? {
        guard let amount = Double(number), amount.isFinite, amount > 0 else { return nil }
        let milliseconds = (amount * factor).rounded()
        // lock_timeout and statement_timeout are int4 milliseconds on the server.
        guard milliseconds >= 1, milliseconds <= Double(Int32.max) else { return nil }
        return Int(milliseconds)
    }
}
