import ArgumentParser
import Foundation
import PostgresClient
import ReseqCore

/// `--map-role SOURCE=TARGET`, shared by the commands that compare privileges.
struct RoleOptions: ParsableArguments {
    @Option(name: .customLong("map-role"),
            help: "SOURCE=TARGET: a source role that has another name on the target (repeatable), e.g. postgres=master.")
    var mapRole: [String] = []

    func validate() throws {
        for pair in mapRole where RoleMap.pair(pair) == nil {
            throw ValidationError("--map-role \(pair): write SOURCE=TARGET, two role names joined by '='")
        }
    }

    var roles: RoleMap {
        RoleMap(Dictionary(mapRole.compactMap(RoleMap.pair), uniquingKeysWith: { _, last in last }))
    }
}

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Plan (and with --apply, run and verify) the repair of a live target against a source snapshot.",
        discussion: """
            Without --apply it prints the plan and changes nothing. Both check first that the connected \
            role can run every step (it must own each altered table or be able to SET ROLE to its owner, \
            have CREATE where it creates, and be able to grant): what it cannot run is listed with the \
            statement that fixes it, and nothing is applied (exit 1). With --apply it runs the plan in \
            bounded transactions, snapshots the target again and diffs it against the source: exit 0 \
            only when that diff is clean.

            Steps that do more than take a brief lock carry hazards: index-build, table-rewrite, \
            validation-scan, correctness, authorization, extension. --apply runs an object only when \
            --allow-hazards allows each of its hazards; the others are listed as held back (exit 1).
            """
    )

    @Option(help: "The source snapshot (JSON).") var source: String
    @Option(name: .customLong("target-dsn"), help: "The live target: anything libpq accepts.") var targetDSN: String
    @Flag(help: "Run the plan. Without it nothing changes.") var apply = false
    @Option(help: "Extra increments to skip beyond what the source and the target's rows need.") var headroom: Int64 = 0
    @Flag(help: "Where the target's rows could not be read, move the sequence to the source's position alone instead of leaving it unplanned.")
    var trustSourceValues = false
    @Option(help: "How often an object blocked by another session's lock is tried again (pauses 0.5s, 1s, 2s, ...).")
    var lockRetries: Int = 3
    @Option(name: .customLong("expect-target-system-id"),
            help: "Refuse to run unless the target's cluster has this system identifier (SELECT system_identifier FROM pg_control_system(); also in its snapshot's database.systemIdentifier).")
    var expectTargetSystemID: String?
    @Option(help: "With --apply, also write a report to FILE (format from its extension or --report-format).")
    var report: String?
    @Option(help: "markdown, html or json for --report.") var reportFormat: ReportFormat?
    @Option(name: .customLong("allow-hazards"),
            help: "Hazards --apply may run: all, or a comma-separated list of index-build, table-rewrite, validation-scan, correctness, authorization, extension.")
    var allowHazards: String?
    @Option(help: "Sessions that build indexes and validate constraints at once, biggest tables first.") var jobs: Int = 2
    @Option(name: .customLong("statement-timeout"), help: "statement_timeout of each step but builds, validations and rewrites (0: none).")
    var statementTimeout = TimeLimit.OrNone(argument: "60s")!
    @Option(name: .customLong("build-timeout"), help: "statement_timeout of each index build, validation or rewrite (0: none).")
    var buildTimeout = TimeLimit.OrNone(argument: "0")!
    @OptionGroup var roles: RoleOptions
    @OptionGroup var capture: CaptureOptions

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be 1 or more") }
        if let allowHazards {
            do { _ = try Hazard.parse(allowHazards) } catch { throw ValidationError("\(error)") }
        }
        guard headroom >= 0 else { throw ValidationError("--headroom must be 0 or more") }
        guard lockRetries >= 0 else { throw ValidationError("--lock-retries must be 0 or more") }
        if report != nil, !apply { throw ValidationError("--report needs --apply; for a report of a dry run use `reseq report`") }
    }

    func run() throws {
        let source = try SnapshotFile.load(source)
        let options = try capture.snapshotOptions(dsn: targetDSN)
        let connection = try capture.session.connect(targetDSN)
        let reconciler = Reconciler(options: .init(
            apply: apply,
            planner: .init(headroom: headroom, roles: roles.roles, trustSourceValues: trustSourceValues),
            applier: .init(lockTimeoutMilliseconds: capture.lockTimeout.milliseconds, lockRetries: lockRetries,
                           statementTimeoutMilliseconds: statementTimeout.milliseconds,
                           buildTimeoutMilliseconds: buildTimeout.milliseconds),
            expectTargetSystemID: expectTargetSystemID,
            allowedHazards: try allowHazards.map(Hazard.parse) ?? [], jobs: jobs))

        // From the target snapshot to the end of the verification: Ctrl-C cancels every session.
        let canceller = try connection.makeCanceller()
        let spare = options.spare
        let interrupts = Interrupts(cancel: {
            try? canceller.cancel()
            spare?.cancelAll()
        })
        let progress = ProgressLine(label: "applying")
        var builds: (@Sendable (String) -> Void)?
        if progress.isEnabled {
            builds = { @Sendable (text: String) in progress.show("building " + text) }
        }
        let result: Reconciler.Result
        do {
            // The handlers stay installed until the verification is over.
            result = try withExtendedLifetime(interrupts) {
                try reconciler.run(source: source, on: connection, snapshot: options, shouldStop: interrupts.check,
                                   progress: { done, total in progress.update(done, total) },
                                   builds: builds)
            }
        } catch where interrupts.wasRequested {
            progress.finish()
            Output.note("interrupted: nothing more was changed; run reconcile again to finish.")
            throw ExitCode(130)
        } catch let error as ReconcileError {
            throw UserError(error.description)
        }
        progress.finish()
        for problem in result.problems where apply || problem.kind != .hazardHeldBack {
            let what: String
            switch problem.kind {
            case .cannotApply: what = "cannot apply"
            case .hazardHeldBack: what = "held back"
            default: what = "not planned"
            }
            Output.note("\(what): \(problem.object): \(problem.consequence)")
        }
        if !apply, !result.heldBack.isEmpty {
            let kinds = Set(result.heldBack.flatMap { ($0.targetValue ?? "").split(separator: ",").map(String.init) }).sorted()
            Output.note("\(result.heldBack.count) object(s) of the plan carry hazards (\(kinds.joined(separator: ", ")), marked in the plan): --apply runs them only with --allow-hazards \(kinds.joined(separator: ",")) (or all).")
        }
        guard apply else {
            try Output.write(PlanScript.render(result.plan, source: source.database, target: result.target.database,
                                               lockTimeoutMilliseconds: capture.lockTimeout.milliseconds,
                                               runAs: result.preflight.runAs), to: nil)
            Output.note("dry run: nothing changed. Run again with --apply to apply \(result.plan.steps.count) statement(s).")
            if !result.converged { throw ExitCode(1) }
            return
        }
        if !result.preflight.blocked.isEmpty {
            Output.note("nothing was changed: the connected role cannot run \(result.preflight.blocked.count) object(s) of the plan; fix the grants above, or run as the owner, and run again.")
            throw ExitCode(1)
        }
        let summary = ApplySummary.render(outcomes: result.outcomes, unresolved: result.plan.unresolved,
                                          verification: result.verification)
        // A concurrent index build runs outside any transaction: cut off, it leaves an INVALID index.
        let cutOff = result.outcomes.filter { $0.leftover != nil }.count
        let cutOffText = """
            \(cutOff) object(s) run outside a transaction were cut off: what they left (named above) is removed by the next run
            """
        switch result.stop {
        case .interrupted?:
            try Output.write(summary, to: nil)
            Output.note("interrupted: the running transaction was rolled back\(cutOff == 0 ? "" : ", and " + cutOffText); run reconcile again to finish.")
            throw ExitCode(130)
        case .connectionLost?:
            // No verification on a dead session; the summary says which objects committed.
            try Output.write(summary, to: nil)
            let applied = result.outcomes.filter { $0.status == .applied }.count
            let halfDone = cutOff == 0 ? "so no object is half-applied" : "and " + cutOffText
            throw UserError("""
                the connection to the target was lost during apply. \(applied) of \(result.outcomes.count) object(s) were \
                committed before that; the transaction in progress was rolled back by the server, \(halfDone). Nothing was \
                verified. Check the server, then run the same reconcile again to finish.
                """)
        case nil:
            break
        }
        if let report {
            try ReportFile.write(ReportInput(
                source: source, target: result.target,
                findings: Differ.diff(source: source, target: result.target, options: .init(roles: roles.roles)),
                plan: result.plan.steps, after: result.after, verification: result.verification,
                outcomes: result.outcomes, generatedAt: Date()), format: reportFormat, to: report)
        }
        try Output.write(summary, to: nil)
        if !result.converged { throw ExitCode(1) }
    }
}
