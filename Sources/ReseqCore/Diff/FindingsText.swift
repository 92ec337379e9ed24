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
            var line = "\(finding.severity.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(finding.kind.rawValue) \(finding.object): \(finding.consequence)"
            if finding.sourceValue != nil || finding.targetValue != nil {
                line += " [source: \(finding.sourceValue ?? "-"); target: \(finding.targetValue ?? "-")]"
            }
            lines.append(line.split(whereSeparator: \.isNewline).joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ findings: [Finding]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(findings), as: UTF8.self) + "\n"
    }
}
