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
    /// What makes it more than a brief catalog change; empty for most steps. A step runs only
    /// when all of its hazards are allowed.
    public var hazards: [Hazard] = []
    /// Runs outside any transaction block, alone (CREATE INDEX CONCURRENTLY, VALIDATE
    /// CONSTRAINT): an object with such a step runs its steps one by one, each committed.
    public var standalone = false
    /// What removes the step's leftovers when it or a later step of its object fails (the
    /// INVALID index of a failed concurrent build), so a failure leaves nothing half-done.
    public var undo: String?
    /// Rows of the table it works on (the source's estimate); bigger builds start first.
    public var rows: Int64 = 0

    private enum CodingKeys: String, CodingKey { case object, sql, fixes, lock, hazards }

    public init(object: String, sql: String, fixes: String, lock: Lock, requires: [Requirement] = [],
                hazards: [Hazard] = [], standalone: Bool = false, undo: String? = nil, rows: Int64 = 0) {
        self.object = object
        self.sql = sql
        self.fixes = fixes
        self.lock = lock
        self.requires = requires
        self.hazards = hazards.sorted()
        self.standalone = standalone
        self.undo = undo
        self.rows = rows
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(object: try container.decode(String.self, forKey: .object), sql: try container.decode(String.self, forKey: .sql),
                  fixes: try container.decode(String.self, forKey: .fixes), lock: try container.decode(Lock.self, forKey: .lock),
                  hazards: try container.decodeIfPresent([Hazard].self, forKey: .hazards) ?? [])
    }

    /// How many of an object's last steps are authorization changes alone (a sequence's owner
    /// and grants after its value): leaves nothing else in the object needs, which may be held
    /// back or left out apart from the rest.
    static func closingAuthorization(_ steps: [Step]) -> Int {
        steps.reversed().prefix { $0.hazards == [.authorization] }.count
    }

    /// Runs long (a build, a scan or a rewrite): its statement gets the build budget, not
    /// the DDL statement timeout.
    public var isLong: Bool {
        hazards.contains { $0 == .indexBuild || $0 == .validationScan || $0 == .tableRewrite }
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
        /// Have the role's privileges (be it, or a member that inherits them): GRANT and REVOKE
        /// on what it owns once the plan's owner steps have run, whoever owns it now.
        case rightsOf(String)
    }

    /// The heaviest lock a statement takes, so that people can judge the risk of running it.
    public enum Lock: Codable, Hashable, Sendable, CustomStringConvertible {
        case none
        /// A lock on a sequence (CREATE/ALTER SEQUENCE); blocks nothing the application does.
        case sequence(QualifiedName)
        /// ACCESS EXCLUSIVE on a table: blocks reads and writes of it until commit.
        case accessExclusive(QualifiedName)
        /// GRANT or REVOKE on a table, sequence, view, function or type, or OWNER TO on one of
        /// the latter three: rewrites its catalog row, blocks nobody.
        case grant(QualifiedName)
        /// SHARE UPDATE EXCLUSIVE on a table (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT):
        /// reads and writes go on; other DDL and VACUUM on it wait.
        case shareUpdateExclusive(QualifiedName)
        /// SHARE ROW EXCLUSIVE on a table (CREATE TRIGGER, a foreign key): writes wait.
        case shareRowExclusive(QualifiedName)
        /// SHARE on a table (CREATE INDEX, not concurrently): writes wait until the build ends.
        case share(QualifiedName)

        /// The relation locked.
        public var relation: QualifiedName? {
            switch self {
            case .none: return nil
            case .sequence(let name), .accessExclusive(let name), .grant(let name), .shareUpdateExclusive(let name),
                 .shareRowExclusive(let name), .share(let name):
                return name
            }
        }

        public var description: String {
            switch self {
            case .none: return "none"
            case .sequence(let name): return "sequence \(name)"
            case .accessExclusive(let table): return "ACCESS EXCLUSIVE on \(table)"
            case .grant(let name): return "none (updates the privileges of \(name))"
            case .shareUpdateExclusive(let table): return "SHARE UPDATE EXCLUSIVE on \(table)"
            case .shareRowExclusive(let table): return "SHARE ROW EXCLUSIVE on \(table)"
            case .share(let table): return "SHARE on \(table)"
            }
        }
    }
}
