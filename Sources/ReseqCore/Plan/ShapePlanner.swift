/// Plans the rebuild of everything the copy dropped or changed beyond sequences: from the
/// source's own definitions (deparsed by PostgreSQL into its snapshot), in dependency order,
/// by the online methods (concurrent index builds, constraints NOT VALID then validated,
/// NOT NULL after a validated check). Each kind's steps live in its own file of Objects/;
/// this holds the order and what they share. Objects only the target has are left alone.
/// Pure: no I/O.
struct ShapePlanner: Sendable {
    let source: SchemaObjects
    let target: SchemaObjects
    let roles: RoleMap
    /// The target's roles, when known: an owner missing there is a finding, not a step.
    let targetRoles: Set<String>?
    /// The role that will run the plan: what it creates, it owns.
    let applyingRole: String?
    /// Flattened partitioned tables that hold rows of their own on the target (reconcile
    /// looks): not rebuilt, and nothing is built on them until they are emptied.
    let occupied: Set<QualifiedName>
    /// The target's sequences OWNED BY a column, by table: a table rebuilt keeps them.
    let ownedSequences: [QualifiedName: [(sequence: QualifiedName, column: String)]]
    /// Missing extensions the target does not offer at the source's version → versions it offers.
    let unavailableExtensions: [String: [String]]
    /// Both sides' roles and privileges, when both snapshots keep them: the objects'
    /// privileges are planned then.
    let access: (source: AccessIndex, target: AccessIndex)?

    /// The steps before the sequences' (extensions, schemas, types, functions, columns,
    /// partitioning) and after them (indexes, constraints, triggers, views, policies, owners,
    /// comments).
    struct Output {
        var before: [Step] = []
        var after: [Step] = []
        var unresolved: [Finding] = []
    }

    init(source: SchemaObjects, target: SchemaObjects, roles: RoleMap, targetRoles: Set<String>?, applyingRole: String?,
         occupied: Set<QualifiedName> = [], unavailableExtensions: [String: [String]] = [:],
         ownedSequences: [QualifiedName: [(sequence: QualifiedName, column: String)]] = [:],
         access: (source: AccessIndex, target: AccessIndex)? = nil) {
        // What either side could not read is not planned: its definition is unknown.
        let unread = Set(source.unread + target.unread)
        var source = source
        source.tables.removeAll { unread.contains($0.name) }
        source.views.removeAll { unread.contains($0.name) }
        self.source = source
        self.target = target
        self.roles = roles
        self.targetRoles = targetRoles
        self.applyingRole = applyingRole
        self.occupied = occupied
        self.ownedSequences = ownedSequences
        self.unavailableExtensions = unavailableExtensions
        self.access = access
    }

    func plan() -> Output {
        var out = Output()
        var owners = ShapeOwners(planner: self)
        out.before += ExtensionDef.steps(self, &out.unresolved)
        out.before += SchemaDef.steps(self, &owners)
        out.before += TypeDef.steps(self, &owners, &out.unresolved)
        out.before += FunctionDef.steps(self, &owners, &out.unresolved)

        let matched = Matched(source.tables, target.tables, by: \.name)
        for table in matched.missing {
            out.unresolved.append(Finding(.tableMissing, .error, table.id, source: table.shape, target: nil,
                "table \(table.name) does not exist on the target and reseq does not create tables: its rows were not copied. Add it to the copy (DMS table mappings) and run reconcile again."))
        }
        // Partitioned tables the copy made plain: rebuilt once their partitions' columns are
        // right, before the sequences (whose defaults and OWNED BY then go to the new table).
        var flattened = matched.both.filter { $0.source.kind == .partitioned && $0.target.kind == .plain }
        for (table, _) in flattened where occupied.contains(table.name) {
            out.unresolved.append(Finding(.tableDiffers, .error, table.id, source: table.shape, target: "table with rows of its own",
                "\(table.name) is a plain table holding rows of its own, so reseq does not rebuild it as partitioned (nor build its keys, indexes and triggers, nor the views that read it). If the rows are its partitions' rows copied a second time (DMS copies a partitioned table's rows into its parent), empty it: TRUNCATE ONLY \(SQL.qualified(table.name)); otherwise move them into the partitions. Then run reconcile again."))
        }
        flattened.removeAll { occupied.contains($0.source.name) }
        let rebuilt = Set(flattened.map(\.source.name))
        let partitions = Dictionary(grouping: source.tables.filter { $0.partitionOf.map(rebuilt.contains) ?? false },
                                    by: { $0.partitionOf! })
        let targets = Dictionary(target.tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // The columns of the two halves of the tables side by side, joined in order.
        let kept = matched.both.filter { !rebuilt.contains($0.source.name) }
        @Sendable func columns(_ part: ArraySlice<(source: TableDef, target: TableDef)>) -> (steps: [Step], unresolved: [Finding]) {
            var steps: [Step] = []
            var unresolved: [Finding] = []
            for index in part.indices { steps += ColumnDef.steps(part[index].source, part[index].target, self, &unresolved) }
            return (steps, unresolved)
        }
        let (firstColumns, secondColumns) = concurrently({ columns(kept[..<(kept.count / 2)]) }, { columns(kept[(kept.count / 2)...]) })
        out.before += firstColumns.steps + secondColumns.steps
        out.unresolved += firstColumns.unresolved + secondColumns.unresolved
        for (table, other) in flattened {
            out.before += table.rebuildSteps(current: other, partitions: partitions[table.name] ?? [], targets: targets, self)
        }
        // Later phases plan against the target as the rebuild leaves it.
        let tables: [(source: TableDef, target: TableDef)] = matched.both.filter { !occupied.contains($0.source.name) }.map { table, other in
            if rebuilt.contains(table.name) { return (table, table.rebuilt(owner: other.owner)) }
            if let parent = table.partitionOf, rebuilt.contains(parent) {
                var attached = other
                attached.kind = .partition
                attached.partitionOf = parent
                attached.partitionBound = table.partitionBound
                return (table, attached)
            }
            return (table, other)
        }
        // Phase by phase over every table, so that each phase finds what it needs in place:
        // columns' types before the indexes on them, unique keys before the foreign keys
        // that reference them, the foreign keys before their validation. The two halves of
        // the tables are planned side by side.
        let middle = tables.count / 2
        let (front, back) = concurrently({ self.phases(tables[..<middle]) }, { self.phases(tables[middle...]) })
        let phase = { (index: Int) in front[index] + back[index] }
        out.after += (0..<6).flatMap(phase)
        out.after += ViewDef.steps(self, &owners)
        out.after += phase(6)
        out.after += phase(7)
        for index in tables.indices {
            let (table, other) = (tables[index].source, tables[index].target)
            owners.relation(.table(table.name), "TABLE", table.name, source: table.owner, target: other.owner)
        }
        out.after += owners.steps
        out.after += privilegeSteps(tables: tables, owners: owners)
        out.unresolved += owners.unresolved
        return out
    }

    /// The tables' steps of each phase after the sequences, in order: indexes, keys, checks and
    /// foreign keys, their validation, NOT NULL, triggers (all before the views), policies,
    /// comments.
    /// (Each pair is passed by index: copying a table's definition costs more than planning it.)
    private func phases(_ tables: ArraySlice<(source: TableDef, target: TableDef)>) -> [[Step]] {
        var steps = [[Step]](repeating: [], count: 8)
        for index in tables.indices {
            let (table, other) = (tables[index].source, tables[index].target)
            steps[0] += IndexDef.steps(on: table, other, self)
            steps[1] += ConstraintDef.steps(table, other, keys: true, self)
            steps[2] += ConstraintDef.steps(table, other, keys: false, self)
            steps[3] += ConstraintDef.validations(table, other, self)
            steps[4] += ColumnDef.notNullSteps(table, other, self)
            steps[5] += TriggerDef.steps(table, other, self)
            steps[6] += PolicyDef.steps(table, other, self)
            steps[7] += table.commentSteps(other, self)
        }
        return steps
    }

    /// The privileges of every table, column, view, function and type the target has or the
    /// plan creates, for the owners the owners' steps leave. Tables whose privileges the
    /// access planner gives back (those with a column drawing from a sequence, which both
    /// sides' access lists keep) are left to it; their columns are not.
    private func privilegeSteps(tables: [(source: TableDef, target: TableDef)], owners: ShapeOwners) -> [Step] {
        guard let access else { return [] }
        let privileges = ShapePrivileges(roles: roles, sourceAccess: access.source, targetAccess: access.target)
        var steps: [Step] = []
        func plan(_ source: PrivilegedObject, _ current: PrivilegedObject?, lock: Step.Lock, owner id: ObjectID) {
            guard let owner = owners.finalOwners[id] else { return }  // not created, or its owner unknown
            steps += privileges.steps(source, current: current, owner: owner, object: "privileges on \(id)", lock: lock)
        }
        for (table, other) in tables {
            let covered = access.source.relation(table.name, .table) != nil && access.target.relation(table.name, .table) != nil
            if !covered { plan(PrivilegedObject(table: table), PrivilegedObject(table: other), lock: .grant(table.name), owner: table.id) }
            for column in table.columns where column.acl != nil {
                guard let current = other.columns.first(where: { $0.name == column.name }) else { continue }
                plan(PrivilegedObject(column: column, of: table), PrivilegedObject(column: current, of: other),
                     lock: .grant(table.name), owner: table.id)
            }
        }
        let views = Matched(source.views, target.views, by: \.name)
        for view in views.missing { plan(PrivilegedObject(view: view), nil, lock: .grant(view.name), owner: view.id) }
        for (view, other) in views.both {
            plan(PrivilegedObject(view: view), PrivilegedObject(view: other), lock: .grant(view.name), owner: view.id)
        }
        let functions = Matched(source.functions, target.functions, by: \.id)
        // An aggregate reseq cannot rebuild (no definition) is not there to grant on.
        for function in functions.missing where function.definition != nil {
            plan(PrivilegedObject(function: function), nil, lock: .grant(function.name), owner: function.id)
        }
        for (function, other) in functions.both {
            plan(PrivilegedObject(function: function), PrivilegedObject(function: other), lock: .grant(function.name),
                 owner: function.id)
        }
        let types = Matched(source.types, target.types, by: \.name)
        for type in types.missing { plan(PrivilegedObject(type: type), nil, lock: .grant(type.name), owner: type.id) }
        for (type, other) in types.both {
            plan(PrivilegedObject(type: type), PrivilegedObject(type: other), lock: .grant(type.name), owner: type.id)
        }
        return steps
    }

    // MARK: shared by the kinds

    /// A step of a shape object; `object` names it for people and groups its steps.
    func step(_ object: String, _ sql: String, _ fixes: String, _ lock: Step.Lock, requires: [Step.Requirement] = [],
              hazards: [Hazard] = [], standalone: Bool = false, undo: String? = nil, rows: Int64 = 0) -> Step {
        Step(object: object, sql: sql, fixes: fixes, lock: lock, requires: requires, hazards: hazards,
             standalone: standalone, undo: undo, rows: rows)
    }

    /// `ALTER TABLE "s"."t"` for a table the applying role must own (or act as its owner).
    func alterTable(_ table: QualifiedName) -> (sql: String, requires: [Step.Requirement]) {
        ("ALTER TABLE \(SQL.qualified(table))", [.owner(table, .table)])
    }

    /// `COMMENT ON … IS '…'` where the source's comment is not the target's.
    /// The names are built only for a step (most objects' comments already match).
    func comment(_ object: @autoclosure () -> String, on what: @autoclosure () -> String, _ source: String?, _ target: String?,
                 requires: @autoclosure () -> [Step.Requirement]) -> [Step] {
        guard let source, source != target else { return [] }
        let object = object()
        return [step(object, "COMMENT ON \(what()) IS \(SQL.literal(source));", "restores the comment on \(object)",
                     .none, requires: requires())]
    }

    /// The source's estimated rows of a table, for the order of builds.
    func rows(_ table: QualifiedName) -> Int64 {
        source.tables.first { $0.name == table }?.estimatedRows ?? 0
    }
}

/// Owners of what the plan creates or finds owned by another role: one `OWNER TO` step per
/// object, after everything else (an authorization change, allowed on its own).
struct ShapeOwners {
    let planner: ShapePlanner
    var steps: [Step] = []
    var unresolved: [Finding] = []
    /// Each object's owner once these steps have run, where known: the source's (mapped),
    /// or, when the target lacks that role, the one it has or gets from its creator.
    var finalOwners: [ObjectID: String] = [:]

    /// `what` is the ALTER word (TABLE, VIEW, FUNCTION, …), `name` the SQL that names it.
    /// `target` is nil for an object the plan creates: its creator owns it.
    mutating func add(_ id: ObjectID, _ what: String, _ name: String, source: String, target: String?) {
        let wanted = planner.roles.target(source)
        let current = target ?? planner.applyingRole
        guard wanted != current else {
            finalOwners[id] = wanted
            return
        }
        if let roles = planner.targetRoles, !roles.contains(wanted) {
            finalOwners[id] = current
            unresolved.append(Finding(.roleMissing, .error, id, source: source, target: current,
                "\(id) belongs to \(source) on the source, and the target has no role \(wanted): create it (or map it with --map-role \(source)=ROLE) and run reconcile again."))
            return
        }
        finalOwners[id] = wanted
        // Named for the parallel apply, which keeps it with the steps that create the object
        // and grant on it; a relation's own ALTER takes a real lock (`relation`).
        let lock: Step.Lock
        switch id {
        case .function(let name, _), .type(let name), .view(let name): lock = .grant(name)
        default: lock = .none
        }
        steps.append(planner.step("owner of \(id)", "ALTER \(what) \(name) OWNER TO \(SQL.identifier(wanted));",
                                  "gives \(id) to \(wanted), its owner on the source", lock,
                                  requires: [.member(wanted)], hazards: [.authorization]))
    }

    mutating func relation(_ id: ObjectID, _ what: String, _ name: QualifiedName, source: String, target: String?) {
        let before = steps.count
        add(id, what, SQL.qualified(name), source: source, target: target)
        if steps.count > before, target != nil {
            steps[steps.count - 1].requires.append(.owner(name, .table))
            steps[steps.count - 1].lock = .accessExclusive(name)
        }
    }
}
