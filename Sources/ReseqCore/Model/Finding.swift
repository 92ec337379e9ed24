/// One difference between source and target, with what it will do to the application.
public struct Finding: Codable, Hashable, Sendable {
    public var kind: Kind
    public var severity: Severity
    /// The object concerned: `schema.sequence` or `schema.table.column`.
    public var object: String
    /// The schema and table the finding is about, for grouping in reports (the sequence's own
    /// name when no table is involved).
    public var schema: String
    public var table: String?
    public var sourceValue: String?
    public var targetValue: String?
    /// One plain sentence on the consequence.
    public var consequence: String

    public init(
        kind: Kind, severity: Severity, object: String, schema: String, table: String? = nil,
        sourceValue: String? = nil, targetValue: String? = nil, consequence: String
    ) {
        self.kind = kind
        self.severity = severity
        self.object = object
        self.schema = schema
        self.table = table
        self.sourceValue = sourceValue
        self.targetValue = targetValue
        self.consequence = consequence
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case sequenceMissing
        case definitionDiffers
        case defaultMissing
        case defaultDiffers
        case ownershipMissing
        case identityMissing
        case identityDiffers
        case behindSource
        case behindData
        case valueOutOfRange
        case dataUnknown
        case positionUnknown
        case onlyOnTarget
        case ownerDiffers
        case capacity
        /// A role that holds privileges on the source does not exist on the target.
        case roleMissing
        /// A role lacks on the target a privilege it had on the source.
        case privilegeMissing
        /// A role may insert into a table but not use the sequence its default draws from.
        case insertWillFail
        /// `ALTER DEFAULT PRIVILEGES` of the source is missing on the target.
        case defaultPrivilegeMissing
        /// The applying role cannot run a step (preflight).
        case cannotApply
        /// A planned object has a hazard `--allow-hazards` did not allow; it was not run.
        case hazardHeldBack
        // The shape of the database (Objects/): missing, differing, or only on the target.
        case schemaMissing
        case extensionMissing
        case extensionDiffers
        case typeMissing
        case typeDiffers
        case tableMissing
        /// Plain, partitioned or partition; persistence.
        case tableDiffers
        case columnMissing
        case columnTypeDiffers
        case notNullDiffers
        /// Collation or generation expression.
        case columnDiffers
        case primaryKeyMissing
        /// A unique constraint or unique index.
        case uniqueMissing
        case foreignKeyMissing
        case checkMissing
        case exclusionMissing
        case constraintDiffers
        case indexMissing
        case indexDiffers
        case triggerMissing
        case triggerDiffers
        case rowSecurityDiffers
        case policyMissing
        case policyDiffers
        case viewMissing
        case viewDiffers
        case functionMissing
        case functionDiffers
        case commentMissing
        case commentDiffers
        /// A large table never analyzed on the target.
        case statisticsMissing

        /// What `--only`/`--ignore` also accept: a word for a family of kinds.
        public var category: String {
            switch self {
            case .sequenceMissing, .definitionDiffers, .ownershipMissing, .behindSource, .behindData,
                 .valueOutOfRange, .positionUnknown, .capacity:
                return "sequence"
            case .defaultMissing, .defaultDiffers, .identityMissing, .identityDiffers: return "default"
            case .dataUnknown: return "data"
            case .onlyOnTarget: return "extra"
            case .ownerDiffers: return "owner"
            case .hazardHeldBack: return "hazard"
            case .roleMissing, .privilegeMissing, .insertWillFail, .defaultPrivilegeMissing, .cannotApply: return "privilege"
            case .schemaMissing: return "schema"
            case .extensionMissing, .extensionDiffers: return "extension"
            case .typeMissing, .typeDiffers: return "type"
            case .tableMissing, .tableDiffers, .statisticsMissing: return "table"
            case .columnMissing, .columnTypeDiffers, .notNullDiffers, .columnDiffers: return "column"
            case .primaryKeyMissing, .uniqueMissing, .foreignKeyMissing, .checkMissing, .exclusionMissing,
                 .constraintDiffers:
                return "constraint"
            case .indexMissing, .indexDiffers: return "index"
            case .triggerMissing, .triggerDiffers: return "trigger"
            case .rowSecurityDiffers, .policyMissing, .policyDiffers: return "policy"
            case .viewMissing, .viewDiffers: return "view"
            case .functionMissing, .functionDiffers: return "function"
            case .commentMissing, .commentDiffers: return "comment"
            }
        }
    }

    /// Kinds named by `--only`/`--ignore`: a kind (`foreignKeyMissing`) or a family (`index`).
    public struct KindFilter: Sendable, Hashable {
        public var only: Set<String>
        public var ignore: Set<String>

        public init(only: [String] = [], ignore: [String] = []) {
            self.only = Set(only)
            self.ignore = Set(ignore)
        }

        /// Words that name no kind and no family.
        public static func unknown(_ words: [String]) -> [String] {
            let known = Set(Kind.allCases.map(\.rawValue) + Kind.allCases.map(\.category))
            return words.filter { !known.contains($0) }
        }

        public func keeps(_ kind: Kind) -> Bool {
            if !only.isEmpty, !only.contains(kind.rawValue), !only.contains(kind.category) { return false }
            return !ignore.contains(kind.rawValue) && !ignore.contains(kind.category)
        }
    }

    /// `error` breaks writes or reuses ids; `warning` differs in a way that matters later;
    /// `info` needs no action.
    public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
        case error
        case warning
        case info

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .info: return 2
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    /// True when the finding makes the target unfit for writes (`reseq diff` exits 1).
    public var isBlocking: Bool { severity != .info }
}
