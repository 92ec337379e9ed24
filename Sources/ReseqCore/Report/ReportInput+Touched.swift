extension ReportInput {
    /// The sequences the plan touched, each with the step objects that touched it: those a step
    /// locks, those a step belongs to, and those drawn on by a column a step belongs to.
    func touchedSequences() -> [QualifiedName: Set<String>] {
        var byName: [String: QualifiedName] = [:]
        var byColumn: [String: QualifiedName] = [:]
        for snapshot in [source, target] + (after.map { [$0] } ?? []) {
            for seq in snapshot.sequences {
                byName[seq.name.description] = seq.name
                if let owner = seq.ownedBy { byColumn[owner.description] = seq.name }
            }
            for column in snapshot.columns {
                if let seq = column.defaultSequence { byColumn[column.ref.description] = seq }
            }
        }
        var touched: [QualifiedName: Set<String>] = [:]
        for step in plan {
            var names: [QualifiedName] = []
            if case .sequence(let name) = step.lock { names.append(name) }
            if let name = byName[step.object] ?? byColumn[step.object] { names.append(name) }
            for name in names { touched[name, default: []].insert(step.object) }
        }
        return touched
    }
}
