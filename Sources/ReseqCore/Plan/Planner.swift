/// Turns a source snapshot and a target snapshot into the SQL that makes the target's
/// auto-numbering match the source's. Pure: no I/O.
public enum Planner {
    public struct Options: Sendable {
        /// Extra increments to skip beyond what the value rule needs.
        public var headroom: Int64
        /// The role that will run the plan, when known (reconcile asks the target). A sequence
        /// the plan creates belongs to it, so no OWNER TO is needed when it already owns the
        /// table: that statement cost a third of the apply's time at 10,000 sequences.
        public var applyingRole: String?
        /// Roles named differently on the target (`--map-role`).
        public var roles: RoleMap
        /// Plan from the source's position alone where the target's rows could not be read
        /// (`--trust-source-values`). Off: such a sequence is not planned, never guessed.
        public var trustSourceValues: Bool
        /// Partitioned tables the copy flattened that hold rows of their own on the target
        /// (reconcile looks); not rebuilt.
        public var occupiedParents: Set<QualifiedName>
        /// Extensions the source has and the target lacks that the target does not offer at
        /// the source's version, with the versions it offers (reconcile asks).
        public var unavailableExtensions: [String: [String]] = [:]
        /// Set by `plan` when the shape is planned: tables go to their source owners, and the
        /// sequences linked to them with them.
        var ownersFollowSource = false
        public init(headroom: Int64 = 0, applyingRole: String? = nil, roles: RoleMap = RoleMap(),
                    trustSourceValues: Bool = false, occupiedParents: Set<QualifiedName> = []) {
            self.headroom = headroom
            self.applyingRole = applyingRole
            self.roles = roles
            self.trustSourceValues = trustSourceValues
            self.occupiedParents = occupiedParents
        }
    }

    public static func plan(source: Snapshot, target: Snapshot, options: Options = Options()) -> Plan {
        var shaped = options
        shaped.ownersFollowSource = source.schema != nil && target.schema != nil
        let options = shaped
        let (source, target) = SnapshotIndex.pair(source, target)
        let access = AccessPlanner(source: source, target: target, roles: options.roles)
        let sequences = source.snapshot.sequences.filter { $0.fromExtension == nil }
        // Objects are planned independently: two halves on two threads, joined in order.
        @Sendable func plan(_ part: ArraySlice<SequenceInfo>) -> Plan {
            var plan = Plan(steps: [], unresolved: [])
            for sequence in part {
                var builder = ObjectPlanBuilder(sequence: sequence, source: source, target: target, options: options,
                                                access: access)
                do throws(ObjectPlanBuilder.Unplannable) {
                    plan.steps += try builder.build()
                } catch {
                    plan.unresolved.append(error.finding)
                }
            }
            return plan
        }
        let middle = sequences.count / 2
        let (first, second) = concurrently({ plan(sequences[..<middle]) }, { plan(sequences[middle...]) })
        // The rest of the shape, where both snapshots hold it: extensions, schemas, types and
        // functions before the sequences; tables, indexes, constraints, triggers, views,
        // policies and owners after them.
        var shape = ShapePlanner.Output()
        if let sourceObjects = source.snapshot.schema, let targetObjects = target.snapshot.schema {
            shape = ShapePlanner(source: sourceObjects, target: targetObjects, roles: options.roles,
                                 targetRoles: target.snapshot.access.map { Set($0.roles.map(\.name)) },
                                 applyingRole: options.applyingRole, occupied: options.occupiedParents,
                                 unavailableExtensions: options.unavailableExtensions,
                                 ownedSequences: Dictionary(grouping: target.snapshot.sequences.compactMap { sequence in
                                     sequence.ownedBy.map { (table: $0.table, sequence: sequence.name, column: $0.column) }
                                 }, by: \.table).mapValues { $0.map { (sequence: $0.sequence, column: $0.column) } },
                                 access: access.map { (source: $0.sourceAccess, target: $0.targetAccess) }).plan()
        }
        // Schemas' privileges after the schemas exist (USAGE on a schema is needed to use
        // anything in it); tables' and default privileges last.
        let before = shape.before + (access?.schemaObjects() ?? [])
        let after = shape.after + (access?.tableObjects() ?? []) + (access?.defaultPrivilegeObjects() ?? [])
        return Plan(steps: before + first.steps + second.steps + after,
                    unresolved: shape.unresolved + first.unresolved + second.unresolved,
                    reshapes: !(shape.before.isEmpty && shape.after.isEmpty && shape.unresolved.isEmpty))
    }
}

/// A plan: the steps to run, and what no step can fix (those objects get no steps at all, so
/// that nothing is half-done).
public struct Plan: Codable, Hashable, Sendable {
    public var steps: [Step]
    public var unresolved: [Finding]
    /// Whether the shape beyond the sequences (types, functions, columns, constraints,
    /// indexes, triggers, views, policies, owners, their grants…) needs anything: a step or an
    /// unresolved finding. When not, reconcile's verification need not read it again.
    public var reshapes = false

    private enum CodingKeys: String, CodingKey { case steps, unresolved }

    public init(steps: [Step], unresolved: [Finding], reshapes: Bool = false) {
        self.steps = steps
        self.unresolved = unresolved
        self.reshapes = reshapes
    }

    /// The plan without what has a hazard not in `allowed`, and one finding per object held
    /// back, naming what would allow it. An object runs whole or not at all, except for the
    /// authorization steps that close it (a sequence's owner and grants after its value):
    /// nothing in it needs them, so they alone are held back.
    public func allowing(_ allowed: Set<Hazard>) -> (plan: Plan, heldBack: [Finding]) {
        var kept: [Step] = []
        var heldBack: [Finding] = []
        for (object, steps) in objects {
            let isAllowed = { (step: Step) in Set(step.hazards).isSubset(of: allowed) }
            let tail = Step.closingAuthorization(steps)
            let held: ArraySlice<Step>
            if steps.allSatisfy(isAllowed) {
                held = []
            } else if steps.dropLast(tail).allSatisfy(isAllowed) {
                held = steps.suffix(tail).filter { !isAllowed($0) }[...]
            } else {
                held = steps[...]
            }
            kept += steps.filter { step in !held.contains(step) }
            guard let first = held.first else { continue }
            let list = Set(held.flatMap(\.hazards)).subtracting(allowed).sorted().map(\.rawValue).joined(separator: ",")
            heldBack.append(Finding(kind: .hazardHeldBack, severity: .error, object: object, schema: first.lock.relation?.schema ?? "",
                table: first.lock.relation?.name, sourceValue: nil, targetValue: list,
                consequence: "\(held.map(\.fixes).joined(separator: "; ")). Hazards: \(list); run again with --allow-hazards \(list) (or all) to apply it."))
        }
        return (Plan(steps: kept, unresolved: unresolved, reshapes: reshapes), heldBack)
    }

    /// The objects in plan order, each with its steps.
    public var objects: [(object: String, steps: [Step])] {
        var result: [(object: String, steps: [Step])] = []
        for step in steps {
            if result.last?.object == step.object {
                result[result.count - 1].steps.append(step)
            } else {
                result.append((step.object, [step]))
            }
        }
        return result
    }
}
