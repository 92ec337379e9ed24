/// What happened to one object's steps when a plan was applied.
public struct ApplyOutcome: Codable, Hashable, Sendable {
    public var object: String
    public var status: Status
    /// Why the object was not applied (the server's message, or the table whose lock was held).
    public var message: String?
    /// What a step run outside a transaction (a concurrent index build) may have left on the
    /// target when it was cut off and its undo could not run: the statements that remove it,
    /// which the next run's plan covers (it drops an INVALID index and builds it again).
    public var leftover: [String]?

    public init(object: String, status: Status, message: String? = nil, leftover: [String]? = nil) {
        self.object = object
        self.status = status
        self.message = message
        self.leftover = leftover
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
