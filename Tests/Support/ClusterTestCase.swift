import XCTest

/// A test class whose tests share one throwaway cluster, started before its first test and
/// stopped after its last. If the server cannot start, every test fails: none is skipped.
open class ClusterTestCase: XCTestCase {
    nonisolated(unsafe) private static var clusters: [ObjectIdentifier: TestCluster] = [:]
    public private(set) var cluster: TestCluster!

    open override func setUpWithError() throws {
        try super.setUpWithError()
        let key = ObjectIdentifier(type(of: self))
        if Self.clusters[key] == nil { Self.clusters[key] = try TestCluster.start() }
        cluster = Self.clusters[key]
    }

    open override class func tearDown() {
        clusters.removeValue(forKey: ObjectIdentifier(self))?.stop()
        super.tearDown()
    }
}
