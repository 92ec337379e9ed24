import Foundation

/// What makes a step more than a brief catalog change, in pg-schema-diff's vocabulary. The
/// lock a step takes is its `Step.Lock`; a step whose only risk is that brief lock has no
/// hazard and runs with `--apply`. Every other step runs only when each of its hazards is
/// allowed (`--allow-hazards KIND,...` or `all`); what is held back is listed, exit 1.
public enum Hazard: String, Codable, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// Builds an index: reads the whole table, uses I/O and CPU for as long as that takes.
    /// Concurrently, so writes go on; a failed build leaves an INVALID index, dropped at once.
    case indexBuild = "index-build"
    /// Rewrites the table under ACCESS EXCLUSIVE (a column's type): reads and writes of it
    /// wait until the rewrite ends.
    case tableRewrite = "table-rewrite"
    /// Scans the table to check existing rows (VALIDATE CONSTRAINT, ATTACH PARTITION) under a
    /// lock that lets reads and writes go on, or runs a materialized view's query.
    case validationScan = "validation-scan"
    /// The result depends on the data, or data the copy lost cannot come back (a type change
    /// after rounding or cutting; a table replaced by a partitioned one).
    case correctness
    /// Changes who may do what: owners, grants, default privileges, row security, policies.
    case authorization
    /// Creates an extension: its scripts run with their own rights and create objects of
    /// their own.
    case `extension`

    public var description: String { rawValue }

    public static func < (a: Hazard, b: Hazard) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Parses `--allow-hazards`: comma-separated kinds, or `all`.
    public static func parse(_ text: String) throws -> Set<Hazard> {
        var allowed: Set<Hazard> = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if part == "all" { return Set(allCases) }
            guard let hazard = Hazard(rawValue: part) else {
                throw HazardError(part)
            }
            allowed.insert(hazard)
        }
        return allowed
    }
}

/// An unknown hazard kind in `--allow-hazards`.
public struct HazardError: Error, CustomStringConvertible {
    public var kind: String
    init(_ kind: String) { self.kind = kind }
    public var description: String {
        "unknown hazard '\(kind)' in --allow-hazards; use all or a comma-separated list of: \(Hazard.allCases.map(\.rawValue).joined(separator: ", "))."
    }
}
