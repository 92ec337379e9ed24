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

    /// `--format` when given, else the output file's extension, else Markdown (for a terminal).
    public static func choose(explicit: ReportFormat?, outputPath: String?) -> ReportFormat {
        if let explicit { return explicit }
        guard let path = outputPath, let dot = path.lastIndex(of: "."),
              !path[dot...].contains("/") else { return .markdown }
        return ReportFormat(fileExtension: String(path[path.index(after: dot)...])) ?? .markdown
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
