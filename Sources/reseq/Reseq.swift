import ArgumentParser
import Foundation
import ReseqCore

@main
struct Reseq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reseq",
        abstract: "Find what a database copy (AWS DMS) left behind or changed, and repair its sequences, defaults, identity columns and privileges.",
        discussion: """
            Exit codes: 0 fine (the target is fit for writes), 1 something differs that matters \
            or did not converge, 2 error (bad input, connection, usage), 130 interrupted during apply \
            (rolled back).
            """,
        version: ReseqVersion.current,
        subcommands: [
            SnapshotCommand.self, DiffCommand.self, PlanCommand.self, ReconcileCommand.self, ReportCommand.self,
        ]
    )

    /// `ParsableCommand.main()`, except that every error exits 2, as diff(1) does: exit 1 means
    /// "differs", and commands say it by throwing `ExitCode(1)`.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
