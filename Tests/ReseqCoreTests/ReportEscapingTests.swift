import Foundation
import XCTest
@testable import ReseqCore

/// Hostile names must come out as text in every format.
final class ReportEscapingTests: XCTestCase {
    let html = HTMLReport.render(ReportFixture.input)

    func testHTMLEscapesTheScriptName() {
        XCTAssertFalse(html.contains(ReportFixture.hostile))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertEqual(html.components(separatedBy: "<script").count, 1, "no <script> element")
    }

    func testHTMLEscapesQuotesAndAmpersands() {
        XCTAssertTrue(html.contains("odd &quot;&amp;&#39;|`tick` name"))
        XCTAssertFalse(html.contains(ReportFixture.quotes))
    }

    /// Entity-like data must show as typed, not be decoded (Plot got this wrong).
    func testHTMLDoesNotPassEntitiesThrough() {
        var input = ReportFixture.input
        input.findings[0].consequence = "a&amp;b &#60;x"
        let out = HTMLReport.render(input)
        XCTAssertTrue(out.contains("a&amp;amp;b &amp;#60;x"))
    }

    func testTemplateNeverUsesUnescapedInterpolation() {
        for template in [HTMLReportTemplate.text, HTMLReportTemplate.findings] {
            XCTAssertFalse(template.contains("{{{"))
            XCTAssertFalse(template.contains("{{&"))
            XCTAssertFalse(template.lowercased().contains("<script"))
            XCTAssertFalse(template.contains("http"), "no external request")
        }
    }

    func testMarkdownText() {
        XCTAssertEqual(MarkdownText.text("a|b"), "a\\|b")
        XCTAssertEqual(MarkdownText.text("<script>"), "\\<script\\>")
        XCTAssertEqual(MarkdownText.text("x\ny\r\nz"), "x y z")
        XCTAssertEqual(MarkdownText.text("`*_[]&~\\"), "\\`\\*\\_\\[\\]\\&\\~\\\\")
        XCTAssertEqual(MarkdownText.text("public.orders"), "public.orders")
    }

    func testMarkdownCode() {
        XCTAssertEqual(MarkdownText.code("public.t"), "`public.t`")
        XCTAssertEqual(MarkdownText.code("a|b"), "`a\\|b`")
        XCTAssertEqual(MarkdownText.code("a`b"), "`` a`b ``")
        XCTAssertEqual(MarkdownText.code("``x``"), "``` ``x`` ```")
        XCTAssertEqual(MarkdownText.code("a\nb"), "`a b`")
        XCTAssertEqual(MarkdownText.code("a\\|b"), "a\\\\\\|b")
        XCTAssertEqual(MarkdownText.code(""), "")
    }

    /// Every table row keeps its column count, whatever the names hold.
    func testMarkdownTablesKeepTheirShape() {
        let md = MarkdownReport.render(ReportFixture.input)
        var columns: Int?
        for line in md.split(separator: "\n") {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let cells = Self.unescapedPipes(in: line)
            if columns == nil { columns = cells } else { XCTAssertEqual(cells, columns, "\(line)") }
        }
        // Outside code spans (which GFM shows literally) no `<` is left unescaped: no raw HTML.
        let prose = md.replacingOccurrences(of: "(`+)(.+?)(?<!`)\\1(?!`)", with: "", options: .regularExpression)
        XCTAssertFalse(prose.replacingOccurrences(of: "\\<", with: "").contains("<"), "raw HTML in the Markdown")
        XCTAssertTrue(md.contains("public.\\<script\\>alert(1)\\</script\\> hands out 1 next"))
    }

    static func unescapedPipes(in line: Substring) -> Int {
        var count = 0, escaped = false
        for c in line {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true } else if c == "|" { count += 1 }
        }
        return count
    }
}
