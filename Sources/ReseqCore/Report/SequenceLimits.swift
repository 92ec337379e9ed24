/// For each sequence of a snapshot, the narrowest integer column drawing from it (by a
/// `nextval` default or as the column it is OWNED BY), built once so lookups stay O(1).
struct SequenceLimits {
    private var narrowest: [QualifiedName: (type: SequenceType, column: String)] = [:]

    init(_ snapshot: Snapshot) {
        let columns = Dictionary(snapshot.columns.map { ($0.ref, $0) }) { a, _ in a }
        func note(_ seq: QualifiedName, _ column: ColumnInfo) {
            guard let type = SequenceType(catalogName: column.dataType) else { return }
            if let known = narrowest[seq], !(type.bitWidth < known.type.bitWidth) { return }
            narrowest[seq] = (type, column.ref.description)
        }
        for column in snapshot.columns {
            if let seq = column.defaultSequence { note(seq, column) }
        }
        for seq in snapshot.sequences {
            if let owner = seq.ownedBy, let column = columns[owner] { note(seq.name, column) }
        }
    }

    /// The limit type of `seq` and the column that sets it, if a column is narrower.
    func limit(of seq: SequenceInfo) -> (type: SequenceType, column: String?) {
        guard let column = narrowest[seq.name], column.type.bitWidth < seq.dataType.bitWidth else {
            return (seq.dataType, nil)
        }
        return (column.type, column.column)
    }
}

extension SequenceType {
    var bitWidth: Int {
        switch self {
        case .smallint: return 16
        case .integer: return 32
        case .bigint: return 64
        }
    }
}
