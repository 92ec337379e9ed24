import Foundation
import Mustache

/// The report as one self-contained HTML file. All escaping is swift-mustache's: the view
/// below holds plain strings, never markup.
public enum HTMLReport {
    public static func render(_ input: ReportInput) -> String {
        library.render(View(input.model), withTemplate: "report") ?? ""
    }

    // The templates are constants of this file; a broken one fails every HTML test at once.
    private static let library: MustacheLibrary = {
        do {
            return MustacheLibrary(templates: [
                "report": try MustacheTemplate(string: HTMLReportTemplate.text),
                "findings": try MustacheTemplate(string: HTMLReportTemplate.findings),
            ])
        } catch {
            preconditionFailure("HTML report template does not parse: \(error)")
        }
    }()

    /// What the template reads, by Mirror. Missing values are "—", never nil: Mustache would
    /// otherwise look the name up in an enclosing context and print something else.
    struct View {
        var verdict: String
        var verdictClass: String
        var generatedAt: String
        var reseqVersion: String
        var summaries: [Summary]
        var dbRoles: [String]
        var dbFacts: [Fact]
        var groups: [Group]
        var plan: [Step]
        var hasPlan: Bool
        var apply: Apply?
        var hasRisks: Bool
        var riskNotes: [String]
        var capacity: [Capacity]

        /// One summary table; `title` only when there are two (before apply, verification).
        struct Summary { var id, title: String; var hasTitle, hasRows: Bool; var rows: [SummaryLine] }
        struct SummaryLine { var label, kind, severity: String; var errors, warnings, info, total: Int }
        struct Fact { var label: String; var cells: [String] }
        struct Group { var title: String; var findings: [Finding] }
        struct Finding {
            var severity, kind, object, sourceValue, targetValue, consequence: String
        }
        struct Step { var step: Int; var sql, fixes, lock, hazards: String }
        struct Apply {
            var changes: [Change]
            var hasOutcomes: Bool
            var outcomes: [Outcome]
            var hasVerification: Bool
            var verificationText: String
            var verification: Group?
        }
        struct Change { var sequence, before, after, outcome: String }
        struct Outcome { var object, status, message: String }
        struct Capacity { var risk: Bool; var sequence, dataType, limit, used, left: String }

        init(_ m: ReportModel) {
            verdict = m.verdict.text
            verdictClass = m.verdict.readyForWrites ? "ready" : "not-ready"
            generatedAt = m.generatedAt.reportText
            reseqVersion = m.reseqVersion
            summaries = Self.summaries(m.summary)
            dbRoles = m.databases.map(\.role)
            let dbs = m.databases
            dbFacts = [
                Fact(label: "Database", cells: dbs.map(\.name)),
                Fact(label: "Host", cells: dbs.map(\.host)),
                Fact(label: "Port", cells: dbs.map(\.port)),
                Fact(label: "Server version", cells: dbs.map(\.serverVersion)),
                Fact(label: "Snapshot taken", cells: dbs.map(\.capturedAt.reportText)),
                Fact(label: "Sequences", cells: dbs.map { String($0.sequences) }),
                Fact(label: "Columns using sequences", cells: dbs.map { String($0.columnsUsingSequences) }),
            ]
            groups = m.findingGroups.map { Group(title: $0.title, findings: $0.findings.map(Self.finding)) }
            plan = m.plan.map { Step(step: $0.step, sql: $0.sql, fixes: $0.fixes, lock: $0.lock,
                                     hazards: $0.hazards.joined(separator: ", ")) }
            hasPlan = !plan.isEmpty
            apply = m.apply.map(Self.apply)
            riskNotes = m.capacity.compactMap(\.note)
            hasRisks = !riskNotes.isEmpty
            capacity = m.capacity.map {
                Capacity(risk: $0.risk, sequence: $0.sequence, dataType: $0.dataType.rawValue,
                         limit: $0.limitType.rawValue + ($0.limitedBy.map { " (\($0))" } ?? ""),
                         used: $0.usedPercent,
                         left: $0.remaining.flatMap { Int128($0) }.map(CapacityRow.grouped) ?? "—")
            }
        }

        static func summaries(_ s: FindingSummary) -> [Summary] {
            func summary(_ id: String, _ title: String, _ rows: [SummaryRow]) -> Summary {
                Summary(id: id, title: title, hasTitle: s.verification != nil, hasRows: !rows.isEmpty,
                        rows: rows.map {
                            SummaryLine(label: $0.label, kind: $0.kind.rawValue, severity: $0.severity.rawValue,
                                        errors: $0.errors, warnings: $0.warnings, info: $0.info, total: $0.total)
                        })
            }
            return [summary("summary", "Before apply", s.diff)]
                + (s.verification.map { [summary("verification-summary", "Verification after apply", $0)] } ?? [])
        }

        static func finding(_ f: FindingRow) -> Finding {
            Finding(severity: f.severity.rawValue, kind: f.kind.rawValue, object: f.object,
                    sourceValue: f.sourceValue ?? "—", targetValue: f.targetValue ?? "—",
                    consequence: f.consequence)
        }

        static func apply(_ a: ApplySection) -> Apply {
            Apply(
                changes: a.changes.map {
                    Change(sequence: $0.sequence, before: $0.before?.description ?? "absent",
                           after: $0.after?.description ?? "absent", outcome: $0.outcome?.rawValue ?? "—")
                },
                hasOutcomes: !a.outcomes.isEmpty,
                outcomes: a.outcomes.map {
                    Outcome(object: $0.object, status: $0.status.rawValue, message: $0.message ?? "—")
                },
                hasVerification: a.verification != nil,
                verificationText: a.verification.map {
                    $0.clean ? "Clean: the target now matches the source." : "Not clean: the target still differs from the source."
                } ?? "",
                verification: a.verification.flatMap {
                    $0.findings.isEmpty ? nil : Group(title: "", findings: $0.findings.map(finding))
                })
        }
    }
}
