/// Renders a plan as a script psql can run: one transaction per object, a comment per step.
public enum PlanScript {
    public static func render(_ plan: Plan, source: DatabaseInfo, target: DatabaseInfo, lockTimeoutMilliseconds: Int = 5000) -> String {
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
            for step in steps {
                lines.append(SQL.comment("\(step.fixes) (lock: \(step.lock))"))
                lines.append(step.sql)
            }
            lines.append("COMMIT;")
        }
        if plan.objects.isEmpty {
            lines += ["", SQL.comment("Nothing to do: the target already matches the source.")]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
