import Foundation
import PostgresClient
import PostgresTestSupport
@testable import ReseqCore
import XCTest

/// How work is shared between the two sessions: the apply's halves never lock the same
/// schema and follow schema order; reads are taken from both ends of the job list.
final class ParallelSplitTests: XCTestCase {
    private func object(_ schema: String, _ name: String, steps: Int = 2, alsoLocking other: QualifiedName? = nil) -> [Step] {
        let sequence = QualifiedName(schema: schema, name: name)
        var result = (0..<steps).map { _ in
            Step(object: sequence.description, sql: "SELECT 1;", fixes: "", lock: .sequence(sequence))
        }
        if let other {
            result.append(Step(object: sequence.description, sql: "SELECT 1;", fixes: "", lock: .accessExclusive(other)))
        }
        return result
    }

    private func schemas(_ plan: Plan) -> [String] {
        plan.objects.map { String($0.object.prefix { $0 != "." }) }
    }

    func testHalvesFollowSchemaOrderAndKeepPlanOrder() {
        let plan = Plan(steps: object("d", "x") + object("a", "x") + object("c", "x") + object("b", "x")
                        + object("a", "y") + object("d", "y"), unresolved: [])
        let halves = ParallelApplier.split(plan)
        XCTAssertEqual(schemas(halves[0]), ["a", "b", "a"])
        XCTAssertEqual(schemas(halves[1]), ["d", "c", "d"])
        XCTAssertEqual(halves[0].steps.count + halves[1].steps.count, plan.steps.count)
    }

    func testObjectLockingTwoSchemasJoinsThem() {
        let plan = Plan(steps: object("a", "x", alsoLocking: QualifiedName(schema: "d", name: "t"))
                        + object("b", "x") + object("c", "x") + object("d", "x"), unresolved: [])
        let halves = ParallelApplier.split(plan)
        let first = Set(schemas(halves[0]))
        let second = Set(schemas(halves[1]))
        XCTAssertTrue(first.isDisjoint(with: second), "\(first) \(second)")
        XCTAssertEqual(first.contains("a"), first.contains("d"))
        XCTAssertFalse(first.isEmpty || second.isEmpty)
    }

    func testCutIsTheMostEvenInSchemaOrder() {
        // 10, 60 and 30 statements: after "b" the halves are 70/30, closer than 10/90.
        let plan = Plan(steps: object("a", "x", steps: 10) + object("b", "x", steps: 60) + object("c", "x", steps: 30),
                        unresolved: [])
        let halves = ParallelApplier.split(plan)
        XCTAssertEqual(schemas(halves[0]), ["a", "b"])
        XCTAssertEqual(schemas(halves[1]), ["c"])
    }

    func testOneSchemaStaysWhole() {
        let plan = Plan(steps: object("public", "a") + object("public", "b"), unresolved: [])
        let halves = ParallelApplier.split(plan)
        XCTAssertEqual(halves[0].steps.count, 4)
        XCTAssertEqual(halves[1].steps, [])
    }
}

final class ParallelReadsTests: ClusterTestCase {
    func testBothEndsOfTheJobListEachJobOnce() throws {
        let connection = try cluster.connect()
        let mainPID = try connection.query("SELECT pg_backend_pid() AS pid").int(0, "pid")
        let jobs: [ParallelReads<(job: Int, pid: Int)>.Job] = (0..<40).map { job in
            { connection in
                let pid = try connection.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.005)").int(0, "pid")
                return (job, pid)
            }
        }
        let outputs = try ParallelReads.run(jobs, on: connection, spare: SpareConnections(conninfo: cluster.conninfo()),
                                            progress: { _ in }, weights: Array(repeating: 1, count: 40))
        XCTAssertEqual(outputs.map(\.job), Array(0..<40))
        // The first session ran a prefix of the jobs, the second the rest.
        let byMain = outputs.filter { $0.pid == mainPID }.map(\.job)
        XCTAssertEqual(byMain, Array(0..<byMain.count))
        XCTAssertTrue((1..<40).contains(byMain.count), "both sessions took jobs: \(byMain.count) on the first")
        XCTAssertEqual(Set(outputs.filter { $0.pid != mainPID }.map(\.pid)).count, 1)
    }
}
