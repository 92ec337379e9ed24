/// What `reseq reconcile --apply` prints: what was done, what was not, and the verification.
public enum ApplySummary {
    public static func render(outcomes: [ApplyOutcome], unresolved: [Finding], verification: [Finding]?) -> String {
        let applied = outcomes.filter { $0.status == .applied }.count
        var lines = ["applied \(applied) of \(outcomes.count) object(s)."]
        for outcome in outcomes where outcome.status != .applied {
            lines.append("\(outcome.status.rawValue): \(outcome.object): \(outcome.message ?? "")")
        }
        for problem in unresolved {
            lines.append("not planned: \(problem.object): \(problem.consequence)")
        }
        guard let verification else {
            return lines.joined(separator: "\n") + "\n"
        }
        let blocking = verification.filter(\.isBlocking)
        if blocking.isEmpty {
            lines.append("verified: the target now matches the source; ready for writes.")
        } else {
            lines.append("verification found \(blocking.count) difference(s) that matter:")
            lines += blocking.map { "  \($0.severity.rawValue) \($0.kind.rawValue) \($0.object): \($0.consequence)" }
        }
        return lines.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }.joined(separator: "\n") + "\n"
    }
}
