import ArgumentParser
import Foundation
import ReseqCore

extension ReportFormat: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report the infra team can read and sign off: Markdown, self-contained HTML or JSON."
    )

    @Argument(help: "The source snapshot (JSON).") var source: String
    @Argument(help: "The target snapshot before any repair (JSON).") var target: String
    @Option(help: "The target snapshot after `reconcile --apply`: adds before → after and the verification.")
    var after: String?
    @Option(help: "markdown, html or json; default: from the --output extension, else markdown.")
    var format: ReportFormat?
    @Option(help: "Write the report to FILE instead of stdout.") var output: String?
    @Option(help: "Headroom the plan in the report uses.") var headroom: Int64 = 0
    @OptionGroup var roles: RoleOptions

    func run() throws {
        let source = try SnapshotFile.load(source)
        let target = try SnapshotFile.load(target)
        let after = try after.map(SnapshotFile.load)
        let plan = Planner.plan(source: source, target: target, options: .init(headroom: headroom, roles: roles.roles))
        let diff = Differ.Options(roles: roles.roles)
        let input = ReportInput(
            source: source, target: target, findings: Differ.diff(source: source, target: target, options: diff),
            plan: plan.steps, after: after, verification: after.map { Differ.diff(source: source, target: $0, options: diff) },
            generatedAt: Date())
        try ReportFile.write(input, format: format, to: output)
    }
}

enum ReportFile {
    static func write(_ input: ReportInput, format: ReportFormat?, to path: String?) throws {
        let format = ReportFormat.choose(explicit: format, outputPath: path)
        try Output.write(try format.render(input), to: path)
        if let path { Output.note("wrote the \(format.rawValue) report to \(path)") }
    }
}
