import Foundation
import XCTest

extension XCTestCase {
    /// A path named `name` in a directory of its own, removed with everything in it when the
    /// test ends (so also the files reseq writes beside it: a report's offline copy, an atomic
    /// write's temporary).
    public func temporaryFile(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reseq-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }
}
