/// The checks a decoded snapshot must pass before diff or plan may trust it: values that
/// PostgreSQL itself would never produce mean a damaged or hand-edited file.
struct SnapshotValidator {
    var file: String

    func validate(_ snapshot: Snapshot) throws {
        var seen = Set<QualifiedName>()
        for (index, sequence) in snapshot.sequences.enumerated() {
            func fail(_ field: String, _ problem: String) -> SnapshotFileError {
                SnapshotFileError(file: file, field: "sequences[\(index)].\(field)", problem: "\(sequence.name): \(problem)")
            }
            guard seen.insert(sequence.name).inserted else {
                throw fail("name", "duplicate sequence name")
            }
            guard sequence.increment != 0 else { throw fail("increment", "must not be 0") }
            guard sequence.cache >= 1 else { throw fail("cache", "must be at least 1, is \(sequence.cache)") }
            guard sequence.minValue <= sequence.maxValue else {
                throw fail("minValue", "\(sequence.minValue) is greater than maxValue \(sequence.maxValue)")
            }
            let typeRange = sequence.dataType.range
            guard typeRange.contains(sequence.minValue) else {
                throw fail("minValue", "\(sequence.minValue) is outside the range of \(sequence.dataType.rawValue)")
            }
            guard typeRange.contains(sequence.maxValue) else {
                throw fail("maxValue", "\(sequence.maxValue) is outside the range of \(sequence.dataType.rawValue)")
            }
            let bounds = sequence.minValue...sequence.maxValue
            guard bounds.contains(sequence.start) else {
                throw fail("start", "\(sequence.start) is outside [\(sequence.minValue), \(sequence.maxValue)]")
            }
            if let last = sequence.lastValue, !bounds.contains(last) {
                throw fail("lastValue", "\(last) is outside [\(sequence.minValue), \(sequence.maxValue)]")
            }
        }
        var columns = Set<ColumnRef>()
        for (index, column) in snapshot.columns.enumerated() {
            guard columns.insert(column.ref).inserted else {
                throw SnapshotFileError(file: file, field: "columns[\(index)].ref", problem: "\(column.ref): duplicate column")
            }
            if let low = column.minValue, let high = column.maxValue, low > high {
                throw SnapshotFileError(
                    file: file, field: "columns[\(index)].minValue",
                    problem: "\(column.ref): \(low) is greater than maxValue \(high)")
            }
        }
    }
}
