/// A column that draws from a sequence, or that could (an integer primary key), with the
/// extremes of the data in it.
public struct ColumnInfo: Codable, Hashable, Sendable {
    public var ref: ColumnRef
    /// `format_type` of the column: `integer`, `bigint`, …
    public var dataType: String
    public var notNull: Bool
    /// The role that owns the table (OWNED BY needs the sequence to have the same owner).
    public var tableOwner: String
    /// The default expression as `pg_get_expr` prints it, if any.
    public var defaultExpression: String?
    /// The sequence a `nextval(...)` default draws from, if the default does.
    public var defaultSequence: QualifiedName?
    /// Set when the column is an identity column.
    public var identity: IdentityKind?
    /// The parent table when this table is a partition.
    public var partitionOf: QualifiedName?
    /// Extremes of the data in the column; `nil` when the table is empty or the read did not run.
    public var maxValue: Int64?
    public var minValue: Int64?
    /// Whether `maxValue`/`minValue` were read, and if not, why.
    public var dataRead: DataRead

    public init(
        ref: ColumnRef, dataType: String = "bigint", notNull: Bool = true, tableOwner: String,
        defaultExpression: String? = nil, defaultSequence: QualifiedName? = nil,
        identity: IdentityKind? = nil, partitionOf: QualifiedName? = nil,
        maxValue: Int64? = nil, minValue: Int64? = nil, dataRead: DataRead = .read
    ) {
        self.ref = ref
        self.dataType = dataType
        self.notNull = notNull
        self.tableOwner = tableOwner
        self.defaultExpression = defaultExpression
        self.defaultSequence = defaultSequence
        self.identity = identity
        self.partitionOf = partitionOf
        self.maxValue = maxValue
        self.minValue = minValue
        self.dataRead = dataRead
    }
}

/// The outcome of reading `min()`/`max()` of a column.
public enum DataRead: String, Codable, Hashable, Sendable {
    /// Read; `nil` extremes mean the table is empty.
    case read
    /// Not read on purpose: no btree index and a large table, and the user did not allow a scan.
    case skipped
    /// The read ran out of its `statement_timeout`.
    case timedOut
    /// The role may not read the table.
    case denied
    /// Another session held a lock on the table past `lock_timeout`.
    case blocked
    /// Not read: the snapshot was taken with `--skip-row-reads`, as a source's may be (the
    /// value rule needs only the target's rows).
    case notAsked
}
