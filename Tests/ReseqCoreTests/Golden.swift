import Foundation
import XCTest

/// Compares `actual` with a golden file beside the tests. `RESEQ_RECORD=1` rewrites the file
/// and fails, so that a recording is never taken for a pass.
func assertGolden(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
        .appendingPathComponent("Golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["RESEQ_RECORD"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: url)
        XCTFail("recorded \(name); unset RESEQ_RECORD and run again", file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("no golden file \(url.path); run with RESEQ_RECORD=1 to record it", file: file, line: line)
        return
    }
    if expected != actual {
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let at = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
        XCTFail("""
            \(name) differs from the golden file at line \(at + 1):
              expected: \(at < e.count ? String(e[at]) : "<end>")
              actual:   \(at < a.count ? String(a[at]) : "<end>")
            Run with RESEQ_RECORD=1 to re-record if the change is intended.
            """, file: file, line: line)
    }
}
