import Foundation
import PostgresClient

/// The whole reconcile, the one path users and tests run: snapshot the live target, refuse
/// the wrong database, plan, preflight, and with `apply` run the plan, snapshot the target
/// again and diff it against the source. Returns what happened; prints nothing.
public struct Reconciler: Sendable {
    public struct Options: Sendable {
        /// Run the plan; without it nothing changes.
        public var apply: Bool
        public var planner: Planner.Options
        public var applier: Applier.Options
        /// Refuse unless the target's cluster has this system identifier.
        public var expectTargetSystemID: String?
        /// Hazards the apply may run (`--allow-hazards`); objects with others are held back.
        public var allowedHazards: Set<Hazard>
        /// Sessions for index builds and other standalone objects (`--jobs`).
        public var jobs: Int

        public init(apply: Bool = false, planner: Planner.Options = .init(), applier: Applier.Options = .init(),
                    expectTargetSystemID: String? = nil, allowedHazards: Set<Hazard> = [], jobs: Int = 2) {
            self.apply = apply
            self.planner = planner
            self.applier = applier
            self.expectTargetSystemID = expectTargetSystemID
            self.allowedHazards = allowedHazards
            self.jobs = jobs
        }
    }

    /// Why an apply stopped before its end.
    public enum Stop: Sendable, Equatable {
        /// SIGINT or SIGTERM: the running statement was cancelled and its transaction rolled back.
        case interrupted
        /// A session of the apply died; the server rolled back its open transaction.
        case connectionLost
    }

    public struct Result: Sendable {
        /// The target before any change.
        public var target: Snapshot
        /// Everything that would bring the target in line, hazards included (what a dry run
        /// prints); `heldBack` names the objects of it that `--allow-hazards` did not allow.
        public var plan: Plan
        public var heldBack: [Finding]
        public var preflight: Preflight.Decision
        /// One per object when the plan ran; empty on a dry run or when preflight refused.
        public var outcomes: [ApplyOutcome]
        public var stop: Stop?
        /// The target after the apply and what still differs, when it was verified.
        public var after: Snapshot?
        public var verification: [Finding]?

        /// Everything planned could run (dry run), or ran and verified clean (apply).
        public var converged: Bool {
            guard plan.unresolved.isEmpty, preflight.blocked.isEmpty, preflight.skipped.isEmpty, heldBack.isEmpty,
                  stop == nil else { return false }
            guard let verification else { return outcomes.isEmpty }
            return outcomes.allSatisfy { $0.status == .applied } && !verification.contains(where: \.isBlocking)
        }

        /// Everything that stands between the target and writes, for people: not planned,
        /// not runnable by this role.
        public var problems: [Finding] { plan.unresolved + preflight.blocked + preflight.skipped + heldBack }
    }

    public var options: Options

    public init(options: Options) {
        self.options = options
    }

    /// `snapshot`: the target's capture options (its spare sessions are used to apply too);
    /// what the source says of the target's columns is added here.
    /// `shouldStop` is polled between objects; an interrupt also cancels the running statement
    /// (the caller's signal handler), which ends a snapshot or a verification with an error.
    public func run(
        source: Snapshot, on connection: Connection, snapshot: SnapshotOptions,
        shouldStop: @escaping @Sendable () -> Bool = { false },
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        builds: (@Sendable (String) -> Void)? = nil
    ) throws -> Result {
        let reader = SnapshotReader()
        var snapshot = snapshot
        snapshot.shouldStop = shouldStop
        // The shape beyond sequences and privileges is planned when the source snapshot has it.
        let shape = source.schema != nil
        snapshot.readsShape = shape
        // Every column the source knows is described on the target, even where DMS left no
        // default or sequence behind, and read the way the source's sequence counts.
        snapshot.extraColumns = source.columns.map(\.ref) + source.sequences.compactMap(\.ownedBy)
        snapshot.sequenceDirections = SnapshotReader.directions(source.sequences, source.columns)
        let target = try reader.capture(connection, options: snapshot)
        try guardTarget(source: source.database, target: target.database)
        let role = try connection.query("SELECT current_user::text AS role").string(0, "role")
        var plannerOptions = options.planner
        plannerOptions.applyingRole = role
        plannerOptions.occupiedParents = try Self.occupiedParents(source: source, target: target, on: connection)
        plannerOptions.unavailableExtensions = try Self.unavailableExtensions(source: source, target: target, on: connection)
        let plan = Planner.plan(source: source, target: target, options: plannerOptions)
        let (allowed, heldBack) = plan.allowing(options.allowedHazards)
        let preflight = Preflight.decide(allowed, facts: try Preflight.facts(for: allowed, on: connection))
        var result = Result(target: target, plan: plan, heldBack: heldBack, preflight: preflight, outcomes: [])
        // A plan some step of which this role cannot run is not started: nothing half-done.
        guard options.apply, preflight.blocked.isEmpty else { return result }

        var applier = options.applier
        applier.runAs = preflight.runAs
        let lostBefore = snapshot.spare?.lostSessions ?? 0
        result.outcomes = ParallelApplier(options: applier, jobs: options.jobs, watch: builds)
            .apply(preflight.runnable(allowed), on: connection, spare: snapshot.spare, shouldStop: shouldStop, progress: progress)
        if shouldStop() {
            result.stop = .interrupted
            return result
        }
        // Any session of the apply lost, not only this one: the run stopped there either way.
        guard connection.isConnectionOK, (snapshot.spare?.lostSessions ?? 0) == lostBefore else {
            result.stop = .connectionLost
            return result
        }
        // A plan with nothing of the shape to do (the sequences, their defaults and grants,
        // which the re-read of sequences, columns and privileges verifies) found the rest of
        // the shape as the source has it at the start of this run, and changed none of it:
        // the shape is not read again.
        var verifying = snapshot
        verifying.readsShape = shape && plan.reshapes
        let after: Snapshot
        do {
            after = try reader.capture(connection, options: verifying)
        } catch where shouldStop() {
            // Interrupted while verifying: what was applied stays, and says so.
            result.stop = .interrupted
            return result
        }
        result.after = after
        result.verification = Differ.diff(source: source, target: after,
                                          options: .init(roles: options.planner.roles, objects: shape))
        return result
    }

    /// Partitioned tables of the source that the target has as plain tables holding rows of
    /// their own: one EXISTS each (few such tables, each read to its first row).
    static func occupiedParents(source: Snapshot, target: Snapshot, on connection: Connection) throws -> Set<QualifiedName> {
        guard let sourceObjects = source.schema, let targetObjects = target.schema else { return [] }
        let plain = Set(targetObjects.tables.lazy.filter { $0.kind == .plain }.map(\.name))
        let partitioned = sourceObjects.tables.lazy.filter { $0.kind == .partitioned }.map(\.name)
        var occupied: Set<QualifiedName> = []
        for table in partitioned where plain.contains(table) {
            // Unreadable counts as occupied: nothing is dropped that was not seen empty.
            let rows = try? connection.query("SELECT EXISTS (SELECT FROM ONLY \(SQL.qualified(table))) AS rows")
            if (try? rows?.bool(0, "rows")) ?? true { occupied.insert(table) }
        }
        return occupied
    }

    /// The source's extensions the target lacks and does not offer at the source's version
    /// (`pg_available_extension_versions`), with the versions it does offer.
    static func unavailableExtensions(source: Snapshot, target: Snapshot, on connection: Connection) throws -> [String: [String]] {
        guard let sourceObjects = source.schema, let targetObjects = target.schema else { return [:] }
        let installed = Set(targetObjects.extensions.map(\.name))
        let missing = sourceObjects.extensions.filter { !installed.contains($0.name) }
        guard !missing.isEmpty else { return [:] }
        let rows = try connection.query("""
            SELECT name, version FROM pg_available_extension_versions WHERE name = ANY($1::text[]) ORDER BY name, version
            """, [CatalogSQL.textArray(missing.map(\.name))])
        var offered: [String: [String]] = [:]
        for row in 0..<rows.count { offered[try rows.string(row, "name"), default: []].append(try rows.string(row, "version")) }
        var unavailable: [String: [String]] = [:]
        for ext in missing where !(offered[ext.name] ?? []).contains(ext.version) { unavailable[ext.name] = offered[ext.name] ?? [] }
        return unavailable
    }

    /// Refuses to reconcile the source onto itself, or a cluster other than the one named.
    func guardTarget(source: DatabaseInfo, target: DatabaseInfo) throws {
        if source.isSameDatabase(as: target) {
            throw ReconcileError("""
                the target \(target.name) on \(target.host) is the database the source snapshot was taken \
                from; reseq will not reconcile a database onto itself. Check --target-dsn.
                """)
        }
        if let expected = options.expectTargetSystemID, target.systemIdentifier != expected {
            let actual = target.systemIdentifier.map { "has system identifier \($0)" }
                ?? "does not show its system identifier to this role (it needs EXECUTE on pg_control_system())"
            throw ReconcileError("""
                the target \(target.name) on \(target.host) \(actual), not \(expected) as \
                --expect-target-system-id requires; nothing was changed. Check --target-dsn.
                """)
        }
    }
}

/// A reconcile refused before changing anything; the text says why and what to do.
public struct ReconcileError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
