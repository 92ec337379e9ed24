/// A database reseq cannot snapshot at all.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
