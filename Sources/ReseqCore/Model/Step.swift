/// One SQL statement of a plan, with what it fixes and the lock it takes.
public struct Step: Codable, Hashable, Sendable {
    /// The object the step belongs to. Apply runs all steps of one object together or not at all.
    public var object: String
    public var sql: String
    /// What the statement fixes, in plain words; becomes the SQL comment.
    public var fixes: String
    public var lock: Lock

    public init(object: String, sql: String, fixes: String, lock: Lock) {
        self.object = object
        self.sql = sql
        self.fixes = fixes
        self.lock = lock
    }

    /// The heaviest lock a statement takes, so that people can judge the risk of running it.
    public enum Lock: Codable, Hashable, Sendable, CustomStringConvertible {
        case none
        /// A lock on a sequence (CREATE/ALTER SEQUENCE); blocks nothing the application does.
        case sequence(QualifiedName)
        /// ACCESS EXCLUSIVE on a table: blocks reads and writes of it until commit.
        case accessExclusive(QualifiedName)

        public var description: String {
            switch self {
            case .none: return "none"
            case .sequence(let name): return "sequence \(name)"
            case .accessExclusive(let table): return "ACCESS EXCLUSIVE on \(table)"
            }
        }
    }
}
