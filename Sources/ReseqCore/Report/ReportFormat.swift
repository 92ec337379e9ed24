/// The formats `reseq report` writes; `--format` wins over the output file's extension.
public enum ReportFormat: String, CaseIterable, Sendable {
    case markdown
    case html
    case json

    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "md", "markdown": self = .markdown
        case "html", "htm": self = .html
        case "json": self = .json
        default: return nil
        }
    }

    /// Renders `input` in this format.
    public func render(_ input: ReportInput) throws -> String {
        switch self {
        case .markdown: return MarkdownReport.render(input)
        case .html: return HTMLReport.render(input)
        case .json: return try JSONReport.render(input)
        }
    }
}
