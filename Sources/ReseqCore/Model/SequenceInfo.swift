/// One sequence as the catalogs describe it, with its position.
public struct SequenceInfo: Codable, Hashable, Sendable {
    public var name: QualifiedName
    /// The role that owns the sequence.
    public var owner: String
    public var dataType: SequenceType
    public var start: Int64
    public var increment: Int64
    public var minValue: Int64
    public var maxValue: Int64
    public var cache: Int64
    public var cycle: Bool
    public var unlogged: Bool
    /// `nil` when the snapshot's role could not read the position (see the snapshot's warnings).
    public var lastValue: Int64?
    public var isCalled: Bool
    /// The column the sequence is OWNED BY (`serial`, `OWNED BY`, or an identity column).
    public var ownedBy: ColumnRef?
    /// True when the sequence is the internal sequence of an identity column.
    public var isIdentity: Bool
    /// The extension that owns the sequence; reseq leaves those alone.
    public var fromExtension: String?
    /// `COMMENT ON SEQUENCE`.
    public var comment: String?

    public init(
        name: QualifiedName, owner: String, dataType: SequenceType = .bigint, start: Int64 = 1,
        increment: Int64 = 1, minValue: Int64 = 1, maxValue: Int64 = Int64.max, cache: Int64 = 1,
        cycle: Bool = false, unlogged: Bool = false, lastValue: Int64? = 1, isCalled: Bool = false,
        ownedBy: ColumnRef? = nil, isIdentity: Bool = false, fromExtension: String? = nil
    ) {
        self.name = name
        self.owner = owner
        self.dataType = dataType
        self.start = start
        self.increment = increment
        self.minValue = minValue
        self.maxValue = maxValue
        self.cache = cache
        self.cycle = cycle
        self.unlogged = unlogged
        self.lastValue = lastValue
        self.isCalled = isCalled
        self.ownedBy = ownedBy
        self.isIdentity = isIdentity
        self.fromExtension = fromExtension
    }

    /// The position as a value-rule input, or `nil` when it could not be read.
    public var position: SequencePosition? {
        lastValue.map { SequencePosition(lastValue: $0, isCalled: isCalled) }
    }

    /// The parameters that define how the sequence counts, as the value rule needs them.
    public var bounds: SequenceBounds {
        SequenceBounds(increment: increment, minValue: minValue, maxValue: maxValue, cycle: cycle)
    }
}
