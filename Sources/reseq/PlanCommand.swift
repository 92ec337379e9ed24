import ArgumentParser
import ReseqCore

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write the SQL that makes the target's sequences match the source's (psql can run it)."
    )

    @Argument(help: "The source snapshot (JSON).") var source: String
    @Argument(help: "The target snapshot (JSON).") var target: String
    @Option(help: "Write the SQL to FILE instead of stdout.") var output: String?
    @Option(help: "Extra increments to skip beyond what the source and the target's rows need.") var headroom: Int64 = 0
    @Option(help: "lock_timeout the script sets (500ms, 5s, ...).") var lockTimeout: TimeLimit = TimeLimit(argument: "5s")!
    @Flag(help: "Where the target's rows could not be read, move the sequence to the source's position alone instead of leaving it unplanned.")
    var trustSourceValues = false
    @OptionGroup var roles: RoleOptions

    func validate() throws {
        guard headroom >= 0 else { throw ValidationError("--headroom must be 0 or more") }
    }

    func run() throws {
        let source = try SnapshotFile.load(source)
        let target = try SnapshotFile.load(target)
        let plan = Planner.plan(source: source, target: target, options: .init(headroom: headroom, roles: roles.roles, trustSourceValues: trustSourceValues))
        try Output.write(PlanScript.render(plan, source: source.database, target: target.database,
                                           lockTimeoutMilliseconds: lockTimeout.milliseconds), to: output)
        for problem in plan.unresolved {
            Output.note("not planned: \(problem.object): \(problem.consequence)")
        }
        if !plan.unresolved.isEmpty { throw ExitCode(1) }
    }
}
