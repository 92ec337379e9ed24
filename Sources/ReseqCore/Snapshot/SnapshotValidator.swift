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
            try checkName(sequence.name, "sequences[\(index)].name")
            try checkIdentifier(sequence.owner, "sequences[\(index)].owner")
            if let owned = sequence.ownedBy {
                try checkColumn(owned, "sequences[\(index)].ownedBy")
                guard owned.table.schema == sequence.name.schema else {
                    throw fail("ownedBy", "\(owned) is not in the sequence's schema; PostgreSQL links a sequence only to a table in the same schema")
                }
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
            try checkColumn(column.ref, "columns[\(index)].ref")
            try checkIdentifier(column.tableOwner, "columns[\(index)].tableOwner")
            if let name = column.defaultSequence { try checkName(name, "columns[\(index)].defaultSequence") }
            if let name = column.partitionOf { try checkName(name, "columns[\(index)].partitionOf") }
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

    /// A name PostgreSQL could have written: 1 to 63 bytes (longer ones it would silently cut,
    /// so the plan would not create what the file says) and no NUL (which would end the SQL
    /// text libpq sends). Anything else, quotes and newlines included, is quoted verbatim.
    private func checkIdentifier(_ name: String, _ field: @autoclosure () -> String) throws {
        let problem: String? = if name.isEmpty {
            "an empty name"
        } else if name.utf8.contains(0) {
            "a NUL character in \(name.debugDescription)"
        } else if name.utf8.count > 63 {
            "\(name.debugDescription) is longer than PostgreSQL's 63-byte identifier limit"
        } else {
            nil
        }
        if let problem { throw SnapshotFileError(file: file, field: field(), problem: problem) }
    }

    // Field paths are built only for an error: eagerly, they cost a tenth of a 10,000-row diff.
    private func checkName(_ name: QualifiedName, _ field: @autoclosure () -> String) throws {
        try checkIdentifier(name.schema, field() + ".schema")
        try checkIdentifier(name.name, field() + ".name")
    }

    private func checkColumn(_ ref: ColumnRef, _ field: @autoclosure () -> String) throws {
        try checkName(ref.table, field() + ".table")
        try checkIdentifier(ref.column, field() + ".column")
    }
}
