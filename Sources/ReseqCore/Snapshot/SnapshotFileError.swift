/// A snapshot file that cannot be used, naming the file and the field at fault.
public struct SnapshotFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// `sequences[3].increment`; `nil` when the file as a whole is at fault.
    public var field: String?
    public var problem: String

    public init(file: String, field: String?, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String {
        if let field { return "\(file): field \(field): \(problem)" }
        return "\(file): \(problem)"
    }

    init(file: String, decoding error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(file: file, field: Self.path(context.codingPath + [key]), problem: "missing")
        case .typeMismatch(let type, let context):
            self.init(file: file, field: Self.path(context.codingPath), problem: "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: Self.path(context.codingPath), problem: "expected \(type), found null")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            self.init(file: file, field: nil, problem: "not valid JSON, or truncated: \(context.debugDescription)\(underlying)")
        case .dataCorrupted(let context):
            // A bad date is reported at its container; `capturedAt` is the format's only date.
            var field = Self.path(context.codingPath)
            if field == "database", context.debugDescription.localizedCaseInsensitiveContains("date") {
                field = "database.capturedAt"
            }
            self.init(file: file, field: field, problem: context.debugDescription)
        @unknown default:
            self.init(file: file, field: nil, problem: "\(error)")
        }
    }

    /// `sequences[3].increment` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String? {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? nil : text
    }
}
