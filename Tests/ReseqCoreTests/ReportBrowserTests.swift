import Foundation
import XCTest
@testable import ReseqCore

/// Opens the HTML report of the golden pair in a real headless Chromium (Debian's `chromium`,
/// which `make test` installs) and reads back what a person would see.
final class ReportBrowserTests: XCTestCase {
    var dir: URL!
    var chromium: URL!

    override func setUpWithError() throws {
        guard let found = Self.findChromium() else {
            let message = "chromium is not installed; `make test` installs it (apt-get install chromium)"
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail(message)
                throw XCTSkip("failed above")
            }
            throw XCTSkip(message)
        }
        chromium = found
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reseq-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func testReportReadsAsTextWithoutScripts() throws {
        let page = try write(HTMLReport.render(ReportFixture.input), named: "report.html")
        let dom = try run(["--dump-dom", page.absoluteString])
        XCTAssertTrue(dom.contains("id=\"capacity\""), "the DOM is the report's")
        XCTAssertEqual(dom.components(separatedBy: "<script").count - 1, 0, "a <script> element came from data")

        let text = Self.visibleText(dom)
        let model = ReportFixture.input.model
        XCTAssertTrue(text.contains(model.verdict.text), "verdict missing from the page")
        for finding in ReportFixture.findings {
            XCTAssertTrue(text.contains(finding.consequence), "missing: \(finding.consequence)")
        }
        XCTAssertTrue(dom.contains("id=\"summary\""), "the summary table is on the page")
        for row in model.summary.diff { XCTAssertTrue(text.contains(row.label), "summary missing: \(row.label)") }
        XCTAssertTrue(text.contains("public.\(ReportFixture.hostile)"), "hostile name not shown as text")
        XCTAssertTrue(text.contains(ReportFixture.quotes), "quoted name not shown as text")
        for note in model.capacity.compactMap(\.note) { XCTAssertTrue(text.contains(note)) }
    }

    /// A blank page's screenshot is ~9 KB at this size and the report's ~180 KB (Chromium 156);
    /// the report must be several times the blank page, measured here with the same browser.
    func testScreenshotIsNotBlank() throws {
        let page = try write(HTMLReport.render(ReportFixture.input), named: "report.html")
        let blank = try write("<!DOCTYPE html><html><body></body></html>", named: "blank.html")
        let shot = try screenshot(page, named: "report.png")
        let empty = try screenshot(blank, named: "blank.png")
        print("screenshot sizes: report \(shot) B, blank page \(empty) B")
        XCTAssertGreaterThan(shot, 20_000)
        XCTAssertGreaterThan(shot, 4 * empty)
    }

    func testTenThousandSequenceReportOpens() throws {
        let page = try write(HTMLReport.render(ReportPerformanceTests.large(10_000)), named: "large.html")
        let dom = try run(["--dump-dom", page.absoluteString], timeout: 180)
        XCTAssertTrue(dom.contains("s19.t9999_id_seq"), "the last rows rendered")
        XCTAssertFalse(dom.contains("<script"))
    }

    // MARK: - Helpers

    private func write(_ html: String, named name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(html.utf8).write(to: url)
        return url
    }

    private func screenshot(_ page: URL, named name: String) throws -> Int {
        let png = dir.appendingPathComponent(name)
        _ = try run(["--hide-scrollbars", "--window-size=1200,1600", "--screenshot=\(png.path)", page.absoluteString])
        let attributes = try FileManager.default.attributesOfItem(atPath: png.path)
        let data = try Data(contentsOf: png)
        XCTAssertEqual(Array(data.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "not a PNG")
        return (attributes[.size] as? Int) ?? 0
    }

    /// Runs Chromium headless (as root it needs --no-sandbox) with its own profile; stdout back.
    private func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> String {
        let process = Process()
        process.executableURL = chromium
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu",
                             "--user-data-dir=\(dir.appendingPathComponent("profile").path)"] + arguments
        let out = dir.appendingPathComponent("stdout-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("chromium did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "chromium exited with \(process.terminationStatus)")
        return try String(contentsOf: out, encoding: .utf8)
    }

    static func findChromium() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// The text a reader sees: the body's tags dropped, the serializer's entities decoded,
    /// whitespace collapsed. Tags go first, so markup that came from data could not survive as text.
    static func visibleText(_ dom: String) -> String {
        var body = dom
        if let start = dom.range(of: "<body") { body = String(dom[start.lowerBound...]) }
        let stripped = body.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        let decoded = stripped
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&amp;", with: "&")
        return decoded.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
