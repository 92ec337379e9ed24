import Foundation

/// `reseq diff` output: a line per finding for people, or JSON for tools.
public enum FindingsText {
    public static func render(_ findings: [Finding], source: DatabaseInfo, target: DatabaseInfo) -> String {
        let blocking = findings.filter(\.isBlocking).count
        var lines = [
            "source: \(source.name) on \(source.host) (PostgreSQL \(source.serverVersion))",
            "target: \(target.name) on \(target.host) (PostgreSQL \(target.serverVersion))",
            blocking == 0
                ? "ready for writes: nothing that matters differs."
                : "NOT READY: \(blocking) finding(s) will break or endanger writes.",
        ]
        if !findings.isEmpty { lines.append("") }
        for finding in findings {
            var line = "\(label(finding.severity)) \(finding.kind.rawValue) \(finding.object): \(finding.consequence)"
            if finding.sourceValue != nil || finding.targetValue != nil {
                line += " [source: \(finding.sourceValue ?? "-"); target: \(finding.targetValue ?? "-")]"
            }
            lines.append(oneLine(line))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Newlines (in names, say) become spaces. Plain ASCII without line breaks, nearly every
    /// line, skips the Character-by-Character split: that was a fifth of `diff` at 10,000 findings.
    static func oneLine(_ line: String) -> String {
        if line.utf8.allSatisfy({ $0 < 0x80 && !(0x0A...0x0D).contains($0) }) { return line }
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `reseq diff --format json`: bumped when a field changes meaning. 1 was a bare array of
    /// findings; 2 wraps it in an object with this version.
    public static let jsonFormatVersion = 2

    public static func json(_ findings: [Finding]) throws -> String {
        struct Output: Encodable {
            var formatVersion: Int
            var findings: [Finding]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let output = Output(formatVersion: jsonFormatVersion, findings: findings)
        return String(decoding: try encoder.encode(output), as: UTF8.self) + "\n"
    }

    /// `ERROR  `, `WARNING`, `INFO   `: the severity in a column of 7.
    private static func label(_ severity: Finding.Severity) -> String {
        switch severity {
        case .error: return "ERROR  "
        case .warning: return "WARNING"
        case .info: return "INFO   "
        }
    }
}
