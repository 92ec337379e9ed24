import Foundation

/// `pg_dump --schema-only` of a database, reduced to the lines that say what the schema is:
/// `--` comment lines, blank lines, `SET …;` and `SELECT pg_catalog.set_config(…)` lines and
/// pg_dump 18's `\restrict`/`\unrestrict` lines (a random key each run) are dropped; `COMMENT ON`
/// statements stay. Two databases have the same schema when their lines are equal once sorted:
/// pg_dump orders objects by dependency and then by OID, which a rebuilt copy does not keep.
public struct SchemaDump: Sendable {
    /// The kept lines, in the dump's order (which gives a difference its context).
    public let lines: [String]

    public init(dump: String) {
        lines = dump.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter(Self.keeps)
    }

    /// Dumps `database` on `cluster` with the pg_dump of PostgreSQL `pgDumpVersion`. Compare two
    /// databases with dumps of the same pg_dump, that of the newest major involved: pg_dump
    /// reads servers older than itself, and two versions of pg_dump do not write the same text.
    public static func capture(_ cluster: TestCluster, database: String, pgDumpVersion: Int) throws -> SchemaDump {
        let pgDump = try TestCluster.binDirectory(version: pgDumpVersion).appendingPathComponent("pg_dump")
        let run = try Program.run(pgDump, ["--schema-only", "--no-password", "--dbname", cluster.conninfo(database: database)])
        guard run.status == 0 else {
            throw TestClusterError("pg_dump \(pgDumpVersion) of \(database) exited \(run.status): \(run.stderr)")
        }
        return SchemaDump(dump: run.stdout)
    }

    static func keeps(_ line: String) -> Bool {
        if line.allSatisfy(\.isWhitespace) { return false }
        if line.hasPrefix("--") || line.hasPrefix("\\restrict ") || line.hasPrefix("\\unrestrict ") { return false }
        if line.hasPrefix("SET ") && line.hasSuffix(";") { return false }
        return !line.hasPrefix("SELECT pg_catalog.set_config(")
    }

    /// The lines each dump has more often than the other, each side in its own dump's order.
    /// `self` is the side expected (the source); `labels` name the two sides in the message.
    public func difference(to target: SchemaDump, labels: (source: String, target: String) = ("source", "target")) -> Difference {
        Difference(sourceOnly: Self.excess(lines, over: target.lines), targetOnly: Self.excess(target.lines, over: lines),
                   labels: labels)
    }

    private static func excess(_ lines: [String], over other: [String]) -> [String] {
        var available: [String: Int] = [:]
        for line in other { available[line, default: 0] += 1 }
        return lines.filter { line in
            guard let count = available[line], count > 0 else { return true }
            available[line] = count - 1
            return false
        }
    }

    /// Lines only in one dump or the other; none when the schemas are the same.
    public struct Difference: CustomStringConvertible, Sendable {
        public let sourceOnly: [String]
        public let targetOnly: [String]
        public let labels: (source: String, target: String)
        public var isEmpty: Bool { sourceOnly.isEmpty && targetOnly.isEmpty }

        /// For assertion messages: at most `shown` lines a side.
        public static let shown = 250

        public var description: String {
            guard !isEmpty else { return "the schema dumps are the same" }
            return [section(sourceOnly, labels.source), section(targetOnly, labels.target)].filter { !$0.isEmpty }.joined(separator: "\n")
        }

        private func section(_ lines: [String], _ label: String) -> String {
            guard !lines.isEmpty else { return "" }
            var text = ["\(lines.count) line(s) of pg_dump only in the \(label):"]
            text += lines.prefix(Self.shown).map { "  " + $0 }
            if lines.count > Self.shown { text.append("  … and \(lines.count - Self.shown) more") }
            return text.joined(separator: "\n")
        }
    }
}

/// A client program run to completion, its output read from files (a pipe could fill up).
enum Program {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: URL, _ arguments: [String]) throws -> Run {
        let directory = FileManager.default.temporaryDirectory
        let out = directory.appendingPathComponent("reseq-program-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("reseq-program-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
