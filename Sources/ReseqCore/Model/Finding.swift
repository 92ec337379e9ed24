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
