/// The integer type a sequence (or the column that draws from it) is declared with.
public enum SequenceType: String, Codable, Sendable, CaseIterable {
    case smallint
    case integer
    case bigint

    /// The type's own range, which also bounds a sequence's MINVALUE/MAXVALUE.
    public var range: ClosedRange<Int64> {
        switch self {
        case .smallint: return Int64(Int16.min)...Int64(Int16.max)
        case .integer: return Int64(Int32.min)...Int64(Int32.max)
        case .bigint: return Int64.min...Int64.max
        }
    }

    /// Maps a catalog type name (`format_type` or `pg_sequences.data_type`) to a sequence type.
    public init?(catalogName: String) {
        switch catalogName {
        case "smallint", "int2": self = .smallint
        case "integer", "int4", "int": self = .integer
        case "bigint", "int8": self = .bigint
        default: return nil
        }
    }
}

/// How an identity column generates values.
public enum IdentityKind: String, Codable, Sendable {
    case always
    case byDefault

    /// `pg_attribute.attidentity`: `a`, `d`, or empty for no identity.
    init?(catalogCode: String?) {
        switch catalogCode {
        case "a": self = .always
        case "d": self = .byDefault
        default: return nil
        }
    }

    /// The SQL words after `GENERATED`.
    public var sql: String {
        switch self {
        case .always: return "ALWAYS"
        case .byDefault: return "BY DEFAULT"
        }
    }
}
