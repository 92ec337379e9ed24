import ArgumentParser
import Foundation
import PostgresClient
import ReseqCore

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Plan (and with --apply, run and verify) the repair of a live target against a source snapshot.",
        discussion: """
            Without --apply it prints the plan and changes nothing. With --apply it runs the plan \
            in bounded transactions, snapshots the target again and diffs it against the source: \
            exit 0 only when that diff is clean.
            """
    )

    @Option(help: "The source snapshot (JSON).") var source: String
    @Option(name: .customLong("target-dsn"), help: "The live target: anything libpq accepts.") var targetDSN: String
    @Flag(help: "Run the plan. Without it nothing changes.") var apply = false
    @Option(help: "Extra increments to skip beyond what the source and the target's rows need.") var headroom: Int64 = 0
    @Option(help: "lock_timeout of each transaction (500ms, 5s, ...).") var lockTimeout: TimeLimit = TimeLimit(argument: "5s")!
    @Option(help: "How often an object blocked by another session's lock is tried again (pauses 0.5s, 1s, 2s, ...).")
    var lockRetries: Int = 3
    @Option(name: .customLong("expect-target-system-id"),
            help: "Refuse to run unless the target's cluster has this system identifier (SELECT system_identifier FROM pg_control_system(); also in its snapshot's database.systemIdentifier).")
    var expectTargetSystemID: String?
    @Option(help: "With --apply, also write a report to FILE (format from its extension or --report-format).")
    var report: String?
    @Option(help: "markdown, html or json for --report.") var reportFormat: ReportFormat?
    @OptionGroup var capture: CaptureOptions

    func validate() throws {
        guard headroom >= 0 else { throw ValidationError("--headroom must be 0 or more") }
        guard lockRetries >= 0 else { throw ValidationError("--lock-retries must be 0 or more") }
        if report != nil, !apply { throw ValidationError("--report needs --apply; for a report of a dry run use `reseq report`") }
    }

    func run() throws {
        let source = try SnapshotFile.load(source)
        // Describe on the target every column the source knows, even where DMS left no default.
        let extra = source.columns.map(\.ref) + source.sequences.compactMap(\.ownedBy)
        let options = try capture.snapshotOptions(dsn: targetDSN, extraColumns: extra)
        let connection = try Connection(conninfo: targetDSN)
        let reader = SnapshotReader()
        let target = try reader.capture(connection, options: options)
        if source.database.isSameDatabase(as: target.database) {
            throw UserError("""
                the target \(target.database.name) on \(target.database.host) is the database the source snapshot \
                was taken from; reseq will not reconcile a database onto itself. Check --target-dsn.
                """)
        }
        if let expected = expectTargetSystemID, target.database.systemIdentifier != expected {
            let actual = target.database.systemIdentifier.map { "has system identifier \($0)" }
                ?? "does not show its system identifier to this role (it needs EXECUTE on pg_control_system())"
            throw UserError("""
                the target \(target.database.name) on \(target.database.host) \(actual), not \(expected) as \
                --expect-target-system-id requires; nothing was changed. Check --target-dsn.
                """)
        }
        let role = try connection.query("SELECT current_user::text AS role").string(0, "role")
        let plan = Planner.plan(source: source, target: target, options: .init(headroom: headroom, applyingRole: role))
        for problem in plan.unresolved {
            Output.note("not planned: \(problem.object): \(problem.consequence)")
        }
        guard apply else {
            try Output.write(PlanScript.render(plan, source: source.database, target: target.database,
                                               lockTimeoutMilliseconds: lockTimeout.milliseconds), to: nil)
            Output.note("dry run: nothing changed. Run again with --apply to apply \(plan.steps.count) statement(s).")
            if !plan.unresolved.isEmpty { throw ExitCode(1) }
            return
        }

        let interrupts = Interrupts(cancelling: try connection.makeCanceller())
        let progress = ProgressLine(label: "applying")
        let outcomes = ParallelApplier(options: .init(lockTimeoutMilliseconds: lockTimeout.milliseconds, lockRetries: lockRetries))
            .apply(plan, on: connection, spare: options.spare, shouldStop: interrupts.check,
                   progress: { done, total in progress.update(done, total) })
        progress.finish()
        if interrupts.wasRequested {
            try Output.write(ApplySummary.render(outcomes: outcomes, unresolved: plan.unresolved, verification: nil), to: nil)
            Output.note("interrupted: the running transaction was rolled back; run reconcile again to finish.")
            throw ExitCode(130)
        }
        if !connection.isConnectionOK {
            // No verification on a dead session; the summary says which objects committed.
            try Output.write(ApplySummary.render(outcomes: outcomes, unresolved: plan.unresolved, verification: nil), to: nil)
            let applied = outcomes.filter { $0.status == .applied }.count
            throw UserError("""
                the connection to the target was lost during apply. \(applied) of \(outcomes.count) object(s) were \
                committed before that; the transaction in progress was rolled back by the server, so no object is \
                half-applied. Nothing was verified. Check the server, then run the same reconcile again to finish.
                """)
        }
        let after = try reader.capture(connection, options: options)
        let verification = Differ.diff(source: source, target: after)
        if let report {
            try ReportFile.write(ReportInput(
                source: source, target: target, findings: Differ.diff(source: source, target: target),
                plan: plan.steps, after: after, verification: verification, outcomes: outcomes,
                generatedAt: Date()), format: reportFormat, to: report)
        }
        try Output.write(ApplySummary.render(outcomes: outcomes, unresolved: plan.unresolved,
                                             verification: verification), to: nil)
        let converged = outcomes.allSatisfy { $0.status == .applied } && plan.unresolved.isEmpty
            && !verification.contains(where: \.isBlocking)
        if !converged { throw ExitCode(1) }
    }
}
