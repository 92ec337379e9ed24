import XCTest
@testable import ReseqCore

final class FindingSummaryTests: XCTestCase {
    private func finding(_ kind: Finding.Kind, _ severity: Finding.Severity, _ object: String) -> Finding {
        Finding(kind: kind, severity: severity, object: object, schema: "public", table: "t", consequence: "c")
    }

    /// Most severe first, then the most findings, then the label; a kind with findings of
    /// several severities is one row, ranked by its worst.
    func testRowsBySeverityThenCountThenLabel() {
        let findings = [
            finding(.indexMissing, .warning, "public.i1"),
            finding(.foreignKeyMissing, .error, "public.t.fk1"),
            finding(.indexMissing, .warning, "public.i2"),
            finding(.onlyOnTarget, .info, "public.awsdms_seq"),
            finding(.privilegeMissing, .warning, "public.t app"),
            finding(.foreignKeyMissing, .error, "public.t.fk2"),
            finding(.indexMissing, .warning, "public.i3"),
            finding(.privilegeMissing, .error, "public.t web"),
            finding(.columnTypeDiffers, .error, "public.t.amount"),
            finding(.foreignKeyMissing, .error, "public.t.fk3"),
            finding(.commentDiffers, .info, "public.t"),
            finding(.commentDiffers, .info, "public.t.id"),
        ]
        let rows = SummaryRow.rows(findings)
        // severity | label | family | kind | errors warnings info | total
        XCTAssertEqual(rows.map {
            "\($0.severity) | \($0.label) | \($0.family) | \($0.kind) | \($0.errors) \($0.warnings) \($0.info) | \($0.total)"
        }, [
            "error | missing foreign keys | constraint | foreignKeyMissing | 3 0 0 | 3",
            "error | missing privileges | privilege | privilegeMissing | 1 1 0 | 2",
            "error | column type changes | column | columnTypeDiffers | 1 0 0 | 1",
            "warning | missing indexes | index | indexMissing | 0 3 0 | 3",
            "info | differing comments | comment | commentDiffers | 0 0 2 | 2",
            "info | objects only on the target | extra | onlyOnTarget | 0 0 1 | 1",
        ])
        XCTAssertEqual(SummaryRow.rows(findings.reversed()), rows, "the input's order does not matter")
    }

    func testNoFindingsNoRows() {
        XCTAssertEqual(SummaryRow.rows([]), [])
        let summary = FindingSummary(diff: [], verification: nil)
        XCTAssertEqual(summary.diff, [])
        XCTAssertNil(summary.verification)
    }

    func testVerificationIsSummarizedOnItsOwn() {
        let summary = FindingSummary(diff: [finding(.indexMissing, .warning, "public.i1")],
                                     verification: [])
        XCTAssertEqual(summary.diff.map(\.kind), [.indexMissing])
        XCTAssertEqual(summary.verification, [])
    }

    /// The summaries of the golden fixture, as every format shows them.
    func testReportFixtureSummary() {
        let summary = ReportFixture.input.model.summary
        XCTAssertEqual(summary.diff.map { "\($0.label): \($0.total)" }, [
            "missing foreign keys: 2", "missing defaults: 1", "missing sequences: 1",
            "sequences behind the data: 1", "sequences behind the source: 1", "missing indexes: 1",
            "objects only on the target: 1",
        ])
        XCTAssertEqual(summary.verification?.map(\.kind), [.onlyOnTarget])
        XCTAssertTrue(MarkdownReport.render(ReportFixture.input).contains(
            "| missing foreign keys | 2 | 0 | 0 | 2 | `foreignKeyMissing` |"))
        XCTAssertTrue(HTMLReport.render(ReportFixture.input).contains(
            "<tr><td class=\"sev-warning\">missing indexes</td><td>0</td><td>1</td><td>0</td><td>1</td><td><code>indexMissing</code></td></tr>"))
    }
}
