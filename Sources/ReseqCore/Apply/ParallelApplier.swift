import Foundation
import PostgresClient
import Synchronization

/// Runs a plan on two connections at once: the DDL of an apply is per-table work on the
/// server, so two backends on two cores take about half the time. Objects that could lock
/// the same table or sequence never run on both: the plan is split by connected groups of
/// schemas (every schema an object locks something in joins its group), so the two sessions
/// can neither wait on nor deadlock with each other. Each half runs through `Applier`
/// unchanged: bounded transactions, a savepoint per object, lock retries.
public struct ParallelApplier: Sendable {
    public var options: Applier.Options
    /// Sessions for index builds and the other standalone objects (`--jobs`).
    public var jobs: Int
    /// Told how far the running index builds are (a terminal shows it).
    public var watch: (@Sendable (String) -> Void)?

    public init(options: Applier.Options = Applier.Options(), jobs: Int = 2, watch: (@Sendable (String) -> Void)? = nil) {
        self.options = options
        self.jobs = jobs
        self.watch = watch
    }

    /// Settings of every applying session. Function bodies are not checked on creation (as
    /// in pg_dump's scripts): they may name what a later step creates. Losing the last
    /// commits in a server crash costs nothing: a re-run plans from what the target then
    /// holds and converges. So no wait for the WAL flush.
    static let sessionSetup = "SET synchronous_commit = off; SET check_function_bodies = off"

    /// Applies the plan in order, segment by segment: runs of objects that share bounded
    /// transactions (on two sessions, split by schema), and runs of standalone objects (index
    /// builds, validations, rewrites) on up to `jobs` sessions. Outcomes in plan order.
    public func apply(
        _ plan: Plan, on connection: Connection, spare: SpareConnections?,
        shouldStop: @escaping @Sendable () -> Bool,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) -> [ApplyOutcome] {
        try? connection.execute(Self.sessionSetup)
        // A session lost on any thread ends the run, as the first session's loss does.
        let lostAtStart = spare?.lostSessions ?? 0
        let sessionLost = { !connection.isConnectionOK || (spare?.lostSessions ?? 0) > lostAtStart }
        let total = plan.objects.count
        let finished = Atomic<Int>(0)
        var outcomes: [ApplyOutcome] = []
        var stop: String?
        for segment in Self.segments(plan) {
            if let stop {
                outcomes += segment.objects.map { ApplyOutcome(object: $0.object, status: .notRun, message: "not tried: \(stop)") }
                continue
            }
            let base = finished.load(ordering: .sequentiallyConsistent)
            let results: [ApplyOutcome]
            if segment.standalone {
                results = StandaloneRunner(options: options, jobs: max(jobs, 1), watch: watch).run(
                    segment.objects, on: connection, spare: spare, shouldStop: shouldStop,
                    done: { count in progress(finished.add(count, ordering: .sequentiallyConsistent).newValue, total) })
            } else {
                let part = Plan(steps: segment.objects.flatMap(\.steps), unresolved: [])
                results = applyInTransactions(part, on: connection, spare: spare, shouldStop: shouldStop,
                                              progress: { count, _ in progress(base + count, total) })
                finished.store(base + segment.objects.count, ordering: .sequentiallyConsistent)
            }
            outcomes += results
            // A lost session or an interrupt ends the run; what was not tried says why.
            if shouldStop() || sessionLost() {
                stop = shouldStop() ? "interrupted" : "the connection to the target was lost"
            } else if let lost = results.first(where: { $0.status == .notRun }) {
                stop = lost.message ?? "stopped"
            }
        }
        return outcomes
    }

    /// Consecutive objects that run the same way: in shared transactions, or standalone (a
    /// step outside any transaction block, or a long one that must not hold others' locks).
    static func segments(_ plan: Plan) -> [(standalone: Bool, objects: [(object: String, steps: [Step])])] {
        var segments: [(standalone: Bool, objects: [(object: String, steps: [Step])])] = []
        for object in plan.objects {
            let standalone = object.steps.contains { $0.standalone || $0.isLong }
            if segments.last?.standalone == standalone {
                segments[segments.count - 1].objects.append(object)
            } else {
                segments.append((standalone, [object]))
            }
        }
        return segments
    }

    /// Applies objects in bounded transactions, on a spare session too when one opens.
    /// `shouldStop` is polled by both halves before each object.
    func applyInTransactions(
        _ plan: Plan, on connection: Connection, spare: SpareConnections?,
        shouldStop: @escaping @Sendable () -> Bool,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) -> [ApplyOutcome] {
        let parts = Self.split(plan)
        let total = plan.objects.count
        let done = Mutex<[Int]>([0, 0])
        let options = options
        @Sendable func run(_ part: Int, on connection: Connection) -> [ApplyOutcome] {
            try? connection.execute(Self.sessionSetup)
            let applier = Applier(options: options, progress: { count, _ in
                let sum = done.withLock { $0[part] = count; return $0[0] + $0[1] }
                progress(sum, total)
            })
            return applier.apply(parts[part], on: connection, shouldStop: shouldStop)
        }

        let helperOutcomes = Mutex<[ApplyOutcome]?>(nil)
        let helperDone = DispatchSemaphore(value: 0)
        if let spare, !parts[1].steps.isEmpty {
            Thread {
                if let connection = try? spare.take() {
                    helperOutcomes.withLock { $0 = run(1, on: connection) }
                    spare.give(connection)
                }
                helperDone.signal()
            }.start()
        } else {
            helperDone.signal()
        }
        var outcomes = run(0, on: connection)
        helperDone.wait()
        // No second connection: the second half runs here, after the first.
        outcomes += helperOutcomes.withLock { $0 } ?? run(1, on: connection)
        let byObject = Dictionary(outcomes.map { ($0.object, $0) }, uniquingKeysWith: { first, _ in first })
        return plan.objects.compactMap { byObject[$0.object] }
    }

    /// Two plans whose objects lock nothing in common, about equal in statements, each in
    /// plan order. What an object needs the owner's rights on, or CREATE in, counts as locked:
    /// COMMENT ON locks the relation though its step says none, and what a step creates must
    /// be there before the steps that grant on it or change its owner. The first half holds the first schemas by name, as far as the most even cut
    /// allows: the session that runs it read those tables from the front in `ParallelReads`,
    /// so it alters tables already in its caches, and verifies them next.
    static func split(_ plan: Plan) -> [Plan] {
        let objects = plan.objects
        // An object joins the schemas of everything it locks.
        // A schema, or the object itself when it locks nothing; both begin with a schema name.
        func keys(_ object: (object: String, steps: [Step])) -> [String] {
            let schemas = object.steps.flatMap { step in
                [step.lock.relation?.schema].compactMap { $0 } + step.requires.compactMap { requirement -> String? in
                    switch requirement {
                    case .owner(let name, _), .update(let name): return name.schema
                    case .create(let schema), .schemaOwner(let schema): return schema
                    case .createSchema, .member, .rightsOf: return nil
                    }
                }
            }
            return schemas.isEmpty ? [object.object] : schemas
        }
        let objectKeys = objects.map(keys)
        let groups = LockGroups(objectKeys)
        let objectGroups = objectKeys.map { groups.root($0[0]) }
        var weight: [String: Int] = [:]
        var firstKey: [String: String] = [:]
        for (index, object) in objects.enumerated() {
            let group = objectGroups[index]
            weight[group, default: 0] += object.steps.count
            for key in objectKeys[index] where firstKey[group].map({ key < $0 }) ?? true { firstKey[group] = key }
        }
        // Groups in name order; the first half grows while that brings it closer to half.
        let total = weight.values.reduce(0, +)
        var side: [String: Int] = [:]
        var load = 0
        var half = 0
        for group in weight.keys.sorted(by: { (firstKey[$0]!, $0) < (firstKey[$1]!, $1) }) {
            let steps = weight[group]!
            if half == 0, load > 0, abs(2 * (load + steps) - total) > abs(2 * load - total) { half = 1 }
            side[group] = half
            if half == 0 { load += steps }
        }
        var halves = [Plan(steps: [], unresolved: []), Plan(steps: [], unresolved: [])]
        for (index, object) in objects.enumerated() {
            halves[side[objectGroups[index]] ?? 0].steps += object.steps
        }
        return halves
    }
}
