import PostgresClient

/// A user trigger on a table (internal ones, such as those behind foreign keys, are left out),
/// as `pg_get_triggerdef` prints it, with its enabled state and the function it calls.
public struct TriggerDef: Codable, Hashable, Sendable {
    public var name: String
    public var definition: String
    /// `tgenabled`: `O` (origin and local), `D` (disabled), `R` (replica), `A` (always).
    public var enabled: String
    public var function: QualifiedName
    public var comment: String?

    public init(name: String, definition: String, enabled: String = "O", function: QualifiedName, comment: String? = nil) {
        self.name = name
        self.definition = definition
        self.enabled = enabled
        self.function = function
        self.comment = comment
    }

    /// Clones on partitions of a partitioned table's trigger (`tgparentid`, 13+) are its.
    static func query(_ scope: CatalogScope) -> String {
        """
        SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
               t.tgenabled::text AS enabled, pn.nspname AS function_schema, p.proname AS function_name,
               d.description AS comment
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_proc p ON p.oid = t.tgfoid
        JOIN pg_namespace pn ON pn.oid = p.pronamespace
        \(Comment.join("t", "pg_trigger"))
        WHERE NOT t.tgisinternal AND c.relkind IN ('r', 'p') AND \(scope.readable("c")) AND \(scope.inRange("n", "c")) \(scope.serverVersion >= 130000 ? "AND t.tgparentid = 0" : "")
          AND \(CatalogSQL.userSchemas) AND \(SchemaObjects.notFromExtension("c", "pg_class"))
        """
    }

    static func read(_ result: QueryResult) throws -> [QualifiedName: [TriggerDef]] {
        try SchemaObjects.byTable(result) { row in
            TriggerDef(name: try result.string(row, "name"), definition: try result.string(row, "definition"),
                       enabled: try result.string(row, "enabled"),
                       function: QualifiedName(schema: try result.string(row, "function_schema"),
                                               name: try result.string(row, "function_name")),
                       comment: try result.optionalString(row, "comment"))
        }
    }

    var enabledText: String {
        switch enabled {
        case "D": return "disabled"
        case "R": return "enabled on replicas only"
        case "A": return "enabled always"
        default: return "enabled"
        }
    }

    static func findings(_ source: TableDef, _ target: TableDef) -> [Finding] {
        let table = source.name
        let matched = Matched(source.triggers, target.triggers, by: \.name)
        var findings: [Finding] = matched.missing.map {
            Finding(.triggerMissing, .error, .trigger(table, $0.name), source: $0.definition, target: nil,
                    "trigger \($0.name) on \(table) is missing: what \($0.function)() does on each write no longer happens.")
        }
        for (trigger, other) in matched.both {
            let id = ObjectID.trigger(table, trigger.name)
            if !Definition.same(trigger.definition, other.definition) {
                findings.append(Finding(.triggerDiffers, .error, id, source: trigger.definition, target: other.definition,
                    "trigger \(trigger.name) on \(table) fires at other times or calls something else on the target."))
            }
            if trigger.enabled != other.enabled {
                findings.append(Finding(.triggerDiffers, .error, id, source: trigger.enabledText, target: other.enabledText,
                    other.enabled == "D" || other.enabled == "R"
                        ? "trigger \(trigger.name) on \(table) does not fire on the target: what \(trigger.function)() does on each write no longer happens."
                        : "trigger \(trigger.name) on \(table) fires in other sessions on the target than on the source."))
            }
            findings += Comment.findings(id, trigger.comment, other.comment)
        }
        findings += matched.extra.map {
            Finding(.onlyOnTarget, .warning, .trigger(table, $0.name), source: nil, target: $0.definition,
                    "trigger \($0.name) on \(table) exists only on the target: writes do more there than on the source.")
        }
        return findings
    }
}

// MARK: - Rebuilding

extension TriggerDef {
    /// Missing triggers are created from `pg_get_triggerdef` (their functions exist by then),
    /// different ones replaced in the same transaction, and the enabled state set as on the
    /// source.
    static func steps(_ table: TableDef, _ other: TableDef, _ planner: ShapePlanner) -> [Step] {
        let matched = Matched(table.triggers, other.triggers, by: \.name)
        let (alter, requires) = planner.alterTable(table.name)
        let lock = Step.Lock.shareRowExclusive(table.name)
        var steps: [Step] = []
        func state(_ trigger: TriggerDef, _ object: String) -> Step? {
            let word: String
            switch trigger.enabled {
            case "D": word = "DISABLE"
            case "R": word = "ENABLE REPLICA"
            case "A": word = "ENABLE ALWAYS"
            default: word = "ENABLE"
            }
            return planner.step(object, "\(alter) \(word) TRIGGER \(SQL.identifier(trigger.name));",
                                "leaves trigger \(trigger.name) \(trigger.enabledText), as on the source", lock, requires: requires)
        }
        for trigger in matched.missing {
            let object = "trigger \(table.name).\(trigger.name)"
            steps.append(planner.step(object, SQL.statement(trigger.definition), "creates trigger \(trigger.name) on \(table.name)",
                                      lock, requires: requires))
            if trigger.enabled != "O", let step = state(trigger, object) { steps.append(step) }
            steps += planner.comment(object, on: trigger.sqlName(table.name), trigger.comment, nil, requires: requires)
        }
        for (trigger, current) in matched.both {
            let object = "trigger \(table.name).\(trigger.name)"
            if !Definition.same(trigger.definition, current.definition) {
                steps.append(planner.step(object, "DROP TRIGGER \(SQL.identifier(trigger.name)) ON \(SQL.qualified(table.name));",
                                          "drops trigger \(trigger.name), which differs from the source's", lock, requires: requires))
                steps.append(planner.step(object, SQL.statement(trigger.definition), "creates trigger \(trigger.name) as on the source",
                                          lock, requires: requires))
                if trigger.enabled != "O", let step = state(trigger, object) { steps.append(step) }
            } else if trigger.enabled != current.enabled, let step = state(trigger, object) {
                steps.append(step)
            }
            steps += planner.comment(object, on: trigger.sqlName(table.name), trigger.comment, current.comment, requires: requires)
        }
        return steps
    }

    func sqlName(_ table: QualifiedName) -> String { "TRIGGER \(SQL.identifier(name)) ON \(SQL.qualified(table))" }
}
