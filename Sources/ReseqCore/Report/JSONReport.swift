import Foundation

/// The report as JSON: `ReportModel` encoded as it is, documented in docs/report-json.md.
public enum JSONReport {
    public static func render(_ input: ReportInput) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(input.model)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
