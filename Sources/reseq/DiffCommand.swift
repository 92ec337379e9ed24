import ArgumentParser
import Foundation
import ReseqCore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two snapshots and say what will break on the target.",
        discussion: "Exit 0 when the target is fit for writes, 1 when something that matters differs, 2 on error."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The source snapshot (JSON).") var source: String
    @Argument(help: "The target snapshot (JSON).") var target: String
    @Option(help: "text or json.") var format: Format = .text
    @OptionGroup var roles: RoleOptions
    @Option(help: ArgumentHelp("Report only these kinds: finding kinds (foreignKeyMissing) or families (index, constraint, sequence, privilege, …), comma-separated.", valueName: "KINDS"))
    var only: [String] = []
    @Option(help: ArgumentHelp("Leave out these kinds or families, comma-separated.", valueName: "KINDS"))
    var ignore: [String] = []

    private var kinds: Finding.KindFilter {
        let split = { (words: [String]) in words.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
        return Finding.KindFilter(only: split(only), ignore: split(ignore))
    }

    func validate() throws {
        let unknown = Finding.KindFilter.unknown(Array(kinds.only) + Array(kinds.ignore))
        guard unknown.isEmpty else {
            let families = Set(Finding.Kind.allCases.map(\.category)).sorted().joined(separator: ", ")
            throw ValidationError("unknown kind \(unknown.sorted().joined(separator: ", ")): name a finding kind (as printed by diff) or a family: \(families).")
        }
    }

    func run() throws {
        let (source, target) = try SnapshotFile.loadPair(source, target)
        let findings = Differ.diff(source: source, target: target, options: .init(roles: roles.roles, kinds: kinds))
        switch format {
        case .text: try Output.write(FindingsText.render(findings, source: source.database, target: target.database), to: nil)
        case .json: try Output.write(FindingsText.json(findings), to: nil)
        }
        if findings.contains(where: \.isBlocking) { throw ExitCode(1) }
    }
}
