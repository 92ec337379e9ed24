import Foundation

/// The report as GitHub-flavoured Markdown: headings and pipe tables, no HTML.
public enum MarkdownReport {
    public static func render(_ input: ReportInput) -> String {
        let m = input.model
        var out: [String] = ["# reseq report", ""]
        out += ["**Verdict: \(MarkdownText.text(m.verdict.text))**", ""]
        out += ["Generated \(m.generatedAt.reportText) by reseq \(m.reseqVersion).", ""]
        out += summary(m.summary)
        out += databases(m.databases)
        out += findings(m.findingGroups)
        out += plan(m.plan)
        if let apply = m.apply { out += applied(apply) }
        out += capacity(m.capacity)
        return out.joined(separator: "\n")
    }

    private typealias T = MarkdownText

    private static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
        return [line(header), line(header.map { _ in "---" })] + rows.map(line) + [""]
    }

    private static func databases(_ dbs: [DatabaseFacts]) -> [String] {
        let facts: [(String, (DatabaseFacts) -> String)] = [
            ("Database", { T.code($0.name) }),
            ("Host", { T.code($0.host) }),
            ("Port", { T.code($0.port) }),
            ("Server version", { T.text($0.serverVersion) }),
            ("Snapshot taken", { $0.capturedAt.reportText }),
            ("Sequences", { String($0.sequences) }),
            ("Columns using sequences", { String($0.columnsUsingSequences) }),
        ]
        return ["## Databases", ""]
            + table([""] + dbs.map(\.role), facts.map { name, value in [name] + dbs.map(value) })
    }

    private static func summary(_ summary: FindingSummary) -> [String] {
        var out = ["## Summary", ""]
        guard let verification = summary.verification else { return out + summaryTable(summary.diff) }
        out += ["### Before apply", ""] + summaryTable(summary.diff)
        out += ["### Verification after apply", ""] + summaryTable(verification)
        return out
    }

    private static func summaryTable(_ rows: [SummaryRow]) -> [String] {
        guard !rows.isEmpty else { return ["No findings.", ""] }
        return table(["Findings", "Errors", "Warnings", "Info", "Total", "Kind"], rows.map {
            [T.text($0.label), String($0.errors), String($0.warnings), String($0.info), String($0.total),
             T.code($0.kind.rawValue)]
        })
    }

    private static func findings(_ groups: [FindingGroup]) -> [String] {
        var out = ["## Findings", ""]
        if groups.isEmpty { out += ["No differences.", ""] }
        for group in groups {
            out += ["### \(T.text(group.title))", ""]
            out += findingTable(group.findings)
        }
        return out
    }

    private static func findingTable(_ rows: [FindingRow]) -> [String] {
        table(["Severity", "What differs", "Object", "Source", "Target", "Consequence"], rows.map {
            [$0.severity.rawValue, $0.kind.rawValue, T.code($0.object),
             $0.sourceValue.map(T.code) ?? "—", $0.targetValue.map(T.code) ?? "—",
             T.text($0.consequence)]
        })
    }

    private static func plan(_ rows: [PlanRow]) -> [String] {
        guard !rows.isEmpty else { return ["## Plan", "", "Nothing to do.", ""] }
        return ["## Plan", ""] + table(["#", "SQL", "Fixes", "Lock", "Hazards"], rows.map {
            [String($0.step), T.code($0.sql), T.text($0.fixes), T.text($0.lock), T.text($0.hazards.joined(separator: ", "))]
        })
    }

    private static func applied(_ apply: ApplySection) -> [String] {
        var out = ["## After apply", "", "### Sequences touched", ""]
        out += table(["Sequence", "Before", "After", "Outcome"], apply.changes.map {
            [T.code($0.sequence), $0.before.map { T.text($0.description) } ?? "absent",
             $0.after.map { T.text($0.description) } ?? "absent", $0.outcome?.rawValue ?? "—"]
        })
        if !apply.outcomes.isEmpty {
            out += ["### Outcomes", ""]
            out += table(["Object", "Status", "Message"], apply.outcomes.map {
                [T.code($0.object), $0.status.rawValue, $0.message.map(T.text) ?? "—"]
            })
        }
        if let verification = apply.verification {
            out += ["### Verification", ""]
            out += [verification.clean ? "Clean: the target now matches the source." :
                    "Not clean: the target still differs from the source.", ""]
            if !verification.findings.isEmpty { out += findingTable(verification.findings) }
        }
        return out
    }

    private static func capacity(_ rows: [CapacityRow]) -> [String] {
        var out = ["## Capacity", ""]
        let notes = rows.compactMap(\.note)
        if !notes.isEmpty { out += notes.map { "- **Risk:** \(T.text($0))" } + [""] }
        out += table(["Sequence", "Type", "Limit", "Used", "Left", ""], rows.map {
            [T.code($0.sequence), $0.dataType.rawValue,
             $0.limitType.rawValue + ($0.limitedBy.map { " (\(T.code($0)))" } ?? ""),
             $0.usedPercent, $0.remaining.flatMap { Int128($0) }.map(CapacityRow.grouped) ?? "—",
             $0.risk ? "**risk**" : ""]
        })
        return out
    }
}
