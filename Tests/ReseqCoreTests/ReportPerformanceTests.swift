import Foundation
import XCTest
@testable import ReseqCore

/// Not a benchmark: a guard that the report stays linear. Two 10,000-sequence snapshots with
/// a finding, a plan step and an applied change per sequence (the worst case) render in each
/// format under a second of CPU in release; debug builds get a generous bound. Figures print.
final class ReportPerformanceTests: XCTestCase {
    func testTenThousandSequencesRenderQuickly() throws {
        let input = Self.large(10_000)
        var spent = 0.0, longest = 0.0, figures: [String] = []
        for format in ReportFormat.allCases {
            let start = Self.cpuSeconds()
            let text = try format.render(input)
            let seconds = Self.cpuSeconds() - start
            spent += seconds
            longest = max(longest, seconds)
            figures.append("\(format.rawValue) \(String(format: "%.3f", seconds)) s, \(text.utf8.count) B")
        }
        print("report over 2 × 10,000 sequences: \(String(format: "%.3f", spent)) s CPU ("
              + figures.joined(separator: "; ") + ")")
        // One report is one format; each must stay under a second of CPU in release.
        #if DEBUG
        XCTAssertLessThan(spent, 10.0)
        #else
        XCTAssertLessThan(longest, 1.0)
        #endif
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func large(_ n: Int) -> ReportInput {
        func name(_ i: Int) -> QualifiedName { QualifiedName(schema: "s\(i % 20)", name: "t\(i)_id_seq") }
        func table(_ i: Int) -> QualifiedName { QualifiedName(schema: "s\(i % 20)", name: "t\(i)") }
        func snapshot(lag: Int64) -> Snapshot {
            Snapshot(
                database: ReportFixture.source.database,
                sequences: (0..<n).map {
                    SequenceInfo(name: name($0), owner: "app", dataType: $0 % 3 == 0 ? .integer : .bigint,
                                 lastValue: Int64($0) * 100_000 + 1 - lag, isCalled: true,
                                 ownedBy: ColumnRef(table: table($0), column: "id"))
                },
                columns: (0..<n).map {
                    ColumnInfo(ref: ColumnRef(table: table($0), column: "id"),
                               dataType: $0 % 3 == 0 ? "integer" : "bigint", tableOwner: "app",
                               defaultSequence: name($0), maxValue: Int64($0) * 100_000)
                })
        }
        let findings = (0..<n).map {
            Finding(kind: .behindSource, severity: .error, object: name($0).description, schema: "s\($0 % 20)",
                    table: "t\($0)", sourceValue: "\($0 * 100_000 + 1)", targetValue: "\($0 * 100_000 - 9)",
                    consequence: "the next insert into \(table($0)) reuses an id")
        }
        let plan = (0..<n).map {
            Step(object: name($0).description, sql: "SELECT setval('\(name($0))', \($0 * 100_000 + 1), true);",
                 fixes: "moves it to the source's position", lock: .none)
        }
        return ReportInput(source: snapshot(lag: 0), target: snapshot(lag: 10), findings: findings, plan: plan,
                           after: snapshot(lag: 0), verification: [], outcomes: [], generatedAt: ReportFixture.t0)
    }
}
