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

    func run() throws {
        let (source, target) = try SnapshotFile.loadPair(source, target)
        let findings = Differ.diff(source: source, target: target, options: .init(roles: roles.roles))
        switch format {
        case .text: try Output.write(FindingsText.render(findings, source: source.database, target: target.database), to: nil)
        case .json: try Output.write(FindingsText.json(findings), to: nil)
        }
        if findings.contains(where: \.isBlocking) { throw ExitCode(1) }
    }
}
