/// One SQL statement of a plan, with what it fixes and the lock it takes.
public struct Step: Codable, Hashable, Sendable {
    /// The object the step belongs to. Apply runs all steps of one object together or not at all.
    public var object: String
    public var sql: String
    /// What the statement fixes, in plain words; becomes the SQL comment.
    public var fixes: String
    public var lock: Lock
    /// What the applying role needs to run the statement; preflight checks it. Not written to
    /// reports: it is the plan's business, not the reader's.
    public var requires: [Requirement] = []

    private enum CodingKeys: String, CodingKey { case object, sql, fixes, lock }

    public init(object: String, sql: String, fixes: String, lock: Lock, requires: [Requirement] = []) {
        self.object = object
        self.sql = sql
        self.fixes = fixes
        self.lock = lock
        self.requires = requires
    }

    /// A right the role that runs a step must hold, as PostgreSQL checks it.
    public enum Requirement: Hashable, Sendable {
        /// Own the relation (or have its owner's privileges): ALTER TABLE, ALTER SEQUENCE, GRANT.
        /// A relation the same object creates first belongs to the role that creates it.
        case owner(QualifiedName, RelationKind)
        /// CREATE on the schema: CREATE SEQUENCE.
        case create(inSchema: String)
        /// CREATE on the database: CREATE SCHEMA.
        case createSchema
        /// Own the schema: GRANT … ON SCHEMA.
        case schemaOwner(String)
        /// Be able to SET ROLE to it: OWNER TO, ALTER DEFAULT PRIVILEGES FOR ROLE.
        case member(String)
        /// UPDATE on the sequence, or own it: setval.
        case update(QualifiedName)
    }

    /// The heaviest lock a statement takes, so that people can judge the risk of running it.
    public enum Lock: Codable, Hashable, Sendable, CustomStringConvertible {
        case none
        /// A lock on a sequence (CREATE/ALTER SEQUENCE); blocks nothing the application does.
        case sequence(QualifiedName)
        /// ACCESS EXCLUSIVE on a table: blocks reads and writes of it until commit.
        case accessExclusive(QualifiedName)
        /// GRANT on a table or sequence: rewrites its catalog row, blocks nobody.
        case grant(QualifiedName)

        public var description: String {
            switch self {
            case .none: return "none"
            case .sequence(let name): return "sequence \(name)"
            case .accessExclusive(let table): return "ACCESS EXCLUSIVE on \(table)"
            case .grant(let name): return "none (updates the privileges of \(name))"
            }
        }
    }
}
