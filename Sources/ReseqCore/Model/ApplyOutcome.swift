/// What happened to one object's steps when a plan was applied.
public struct ApplyOutcome: Codable, Hashable, Sendable {
    public var object: String
    public var status: Status
    /// Why the object was not applied (the server's message, or the table whose lock was held).
    public var message: String?

    public init(object: String, status: Status, message: String? = nil) {
        self.object = object
        self.status = status
        self.message = message
    }

    public enum Status: String, Codable, Hashable, Sendable {
        /// Every step of the object committed.
        case applied
        /// A lock stayed held by another session past every retry; nothing of the object changed.
        case blocked
        /// A step failed; the object's steps were rolled back.
        case failed
        /// The run stopped (interrupt, lost connection) before the object was tried.
        case notRun
    }
}
