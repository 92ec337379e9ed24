/// Renders a plan as a script psql can run: one transaction per object, a comment per step.
public enum PlanScript {
    /// `runAs`: objects whose steps run as another role (preflight's `SET ROLE`).
    public static func render(_ plan: Plan, source: DatabaseInfo, target: DatabaseInfo, lockTimeoutMilliseconds: Int = 5000,
                              runAs: [String: String] = [:]) -> String {
        var lines: [String] = [
            SQL.comment("reseq plan: make \(target.name) on \(target.host) match \(source.name) on \(source.host)"),
            SQL.comment("\(plan.steps.count) statements for \(plan.objects.count) object(s). Run with: psql -v ON_ERROR_STOP=1 -f FILE"),
            SQL.comment("Each object is one transaction: it is fixed whole or not at all."),
        ]
        for problem in plan.unresolved {
            lines.append(SQL.comment("NOT PLANNED \(problem.object): \(problem.consequence)"))
        }
        lines += [
            "SET lock_timeout = '\(lockTimeoutMilliseconds)ms';",
            "SET standard_conforming_strings = on;",
            "SET check_function_bodies = off;",
        ]
        for (object, steps) in plan.objects {
            // CREATE INDEX CONCURRENTLY and the like cannot run in a transaction block: such an
            // object's steps run one by one, each committed.
            let standalone = steps.contains(where: \.standalone)
            lines += ["", SQL.comment(standalone ? "\(object) (each statement on its own, outside a transaction)" : object)]
            if !standalone { lines.append("BEGIN;") }
            let role = runAs[object]
            if let role { lines.append("SET ROLE \(SQL.identifier(role));") }
            for step in steps {
                let hazards = step.hazards.isEmpty ? "" : "; hazards: \(step.hazards.map(\.rawValue).joined(separator: ", "))"
                lines.append(SQL.comment("\(step.fixes) (lock: \(step.lock)\(hazards))"))
                lines.append(step.sql)
            }
            if role != nil { lines.append("RESET ROLE;") }
            if !standalone { lines.append("COMMIT;") }
        }
        if plan.objects.isEmpty {
            lines += ["", SQL.comment("Nothing to do: the target already matches the source.")]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
