/// The rows on the target that a sequence must stay ahead of: every column that draws from it
/// on either side, read from the target snapshot.
struct TargetData {
    var max: Int64?
    var min: Int64?
    /// The column holding `max` (or `min` for descending sequences), for messages.
    var maxColumn: ColumnRef?
    var minColumn: ColumnRef?
    /// Columns whose extremes were not read, with why.
    var unknown: [(ColumnRef, DataRead)] = []

    init(for sequence: SequenceInfo, source: SnapshotIndex, target: SnapshotIndex, targetSequence: QualifiedName?) {
        var refs = Set(source.columns(drawingFrom: sequence.name).map(\.ref))
        if let owner = sequence.ownedBy { refs.insert(owner) }
        if let targetSequence { refs.formUnion(target.columns(drawingFrom: targetSequence).map(\.ref)) }
        for ref in refs.sorted() {
            guard let column = target.column(ref) else { continue }
            guard column.dataRead == .read else {
                unknown.append((ref, column.dataRead))
                continue
            }
            if let value = column.maxValue, max.map({ value > $0 }) ?? true {
                max = value
                maxColumn = ref
            }
            if let value = column.minValue, min.map({ value < $0 }) ?? true {
                min = value
                minColumn = ref
            }
        }
    }

    /// Counts a value as if a row held it.
    mutating func include(_ value: Int64) {
        if max.map({ value > $0 }) ?? true { max = value }
        if min.map({ value < $0 }) ?? true { min = value }
    }
}
