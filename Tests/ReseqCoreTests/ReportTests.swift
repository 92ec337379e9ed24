import Foundation
import XCTest
@testable import ReseqCore

final class ReportTests: XCTestCase {
    let input = ReportFixture.input

    func testMarkdownGolden() throws {
        try assertGolden(MarkdownReport.render(input), named: "report.md")
    }

    func testHTMLGolden() throws {
        try assertGolden(HTMLReport.render(input), named: "report.html")
    }

    func testJSONGolden() throws {
        try assertGolden(JSONReport.render(input), named: "report.json")
    }

    func testJSONRoundTripsAndStartsWithItsVersion() throws {
        let text = try JSONReport.render(input)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let model = try decoder.decode(ReportModel.self, from: Data(text.utf8))
        XCTAssertEqual(model, input.model)
        XCTAssertEqual(model.reportFormatVersion, 2)
    }

    func testVerdictBeforeApplyCountsBlockingFindingsOnly() {
        var before = input
        before.after = nil; before.verification = nil; before.outcomes = nil
        let m = before.model
        XCTAssertFalse(m.verdict.readyForWrites)
        XCTAssertEqual(m.verdict.blockingFindings, 7)
        XCTAssertEqual(m.verdict.capacityRisks, 1)
        XCTAssertEqual(m.verdict.text, "not ready: 7 blocking findings; 1 capacity risk (see Capacity)")
        XCTAssertNil(m.apply)
    }

    func testVerdictAfterApplyIsOnTheVerification() {
        let m = input.model
        XCTAssertTrue(m.verdict.readyForWrites)
        XCTAssertEqual(m.verdict.basis, "afterApply")
        XCTAssertEqual(m.apply?.verification?.clean, true)
    }

    func testFindingsGroupedBySchemaThenTableErrorsFirst() {
        let titles = input.model.findingGroups.map(\.title)
        XCTAssertEqual(titles, ["public", "public.django_migrations", "public.invoices", "public.links_link"])
        XCTAssertEqual(input.model.findingGroups[0].findings.map(\.severity), [.error, .info])
    }

    func testPlanKeepsOrderAndNamesLocks() {
        let plan = input.model.plan
        XCTAssertEqual(plan.map(\.step), Array(1...6))
        XCTAssertEqual(plan[2].lock, "ACCESS EXCLUSIVE on public.invoices")
        XCTAssertEqual(plan[1].lockLevel, "none")
    }

    func testEverySequenceThePlanTouchedHasBeforeAndAfter() throws {
        let changes = try XCTUnwrap(input.model.apply?.changes)
        XCTAssertEqual(changes.map(\.sequence), [
            "public.<script>alert(1)</script>", "public.django_migrations_id_seq",
            "public.invoices_id_seq", "public.links_link_id_seq",
        ])
        let invoices = changes[2]
        XCTAssertNil(invoices.before)
        XCTAssertEqual(invoices.after?.nextValue, 301)
        XCTAssertEqual(changes[3].before?.nextValue, 1)
        XCTAssertEqual(changes[3].after?.nextValue, 5121)
        XCTAssertEqual(changes[3].outcome, .applied)
        XCTAssertFalse(changes[1].changed)
    }

    func testDatabasesSideBySide() {
        let dbs = input.model.databases
        XCTAssertEqual(dbs.map(\.role), ["source", "target", "after"])
        XCTAssertEqual(dbs[0].sequences, 6)
        XCTAssertEqual(dbs[0].columnsUsingSequences, 4)
        XCTAssertEqual(dbs[1].columnsUsingSequences, 2)
        XCTAssertEqual(dbs[1].host, "shop.c9akciq32.eu-west-1.rds.amazonaws.com")
    }

    func testFormatFromFileExtension() {
        XCTAssertEqual(ReportFormat(fileExtension: "md"), .markdown)
        XCTAssertEqual(ReportFormat(fileExtension: "markdown"), .markdown)
        XCTAssertEqual(ReportFormat(fileExtension: "HTM"), .html)
        XCTAssertEqual(ReportFormat(fileExtension: "html"), .html)
        XCTAssertEqual(ReportFormat(fileExtension: "json"), .json)
        XCTAssertNil(ReportFormat(fileExtension: "txt"))
        XCTAssertEqual(ReportFormat.choose(explicit: nil, outputPath: "out/r.HTML"), .html)
        XCTAssertEqual(ReportFormat.choose(explicit: .json, outputPath: "r.html"), .json)
        XCTAssertEqual(ReportFormat.choose(explicit: nil, outputPath: "dir.v2/report"), .markdown)
        XCTAssertEqual(ReportFormat.choose(explicit: nil, outputPath: nil), .markdown)
    }

    func testEmptyReportSaysReady() throws {
        let empty = ReportInput(source: ReportFixture.source, target: ReportFixture.source,
                                findings: [], plan: [], generatedAt: ReportFixture.t0)
        XCTAssertTrue(MarkdownReport.render(empty).contains("**Verdict: ready for writes: 0 blocking findings; 1 capacity risk"))
        XCTAssertTrue(HTMLReport.render(empty).contains("<p>Nothing to do.</p>"))
        XCTAssertTrue(MarkdownReport.render(empty).contains("## Summary\n\nNo findings.\n"))
        XCTAssertTrue(HTMLReport.render(empty).contains("<h2>Summary</h2>\n\n<p>No findings.</p>"))
        XCTAssertEqual(empty.model.summary, FindingSummary(diff: [], verification: nil))
        XCTAssertNil(try JSONReport.render(empty).range(of: "\"apply\""))
    }
}
