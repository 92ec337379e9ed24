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
        ]
        for (object, steps) in plan.objects {
            lines += ["", SQL.comment(object), "BEGIN;"]
            let role = runAs[object]
            if let role { lines.append("SET ROLE \(SQL.identifier(role));") }
            for step in steps {
                lines.append(SQL.comment("\(step.fixes) (lock: \(step.lock))"))
                lines.append(step.sql)
            }
            if role != nil { lines.append("RESET ROLE;") }
            lines.append("COMMIT;")
        }
        if plan.objects.isEmpty {
            lines += ["", SQL.comment("Nothing to do: the target already matches the source.")]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
