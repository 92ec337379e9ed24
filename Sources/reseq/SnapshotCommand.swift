import ArgumentParser
import Foundation
import PostgresClient
import ReseqCore

/// Connection and capture options shared by the commands that read a live database.
struct CaptureOptions: ParsableArguments {
    @Option(name: .customLong("schema"), help: "Only this schema (repeatable).") var schemas: [String] = []
    @Option(name: .customLong("exclude-schema"), help: "Leave this schema out (repeatable).") var excludeSchemas: [String] = []
    @Flag(help: "Read max(id) even where that means a full scan of a large table without an index.")
    var allowFullScans = false
    @Option(help: "Time budget of each max(id) read (500ms, 30s, ...).") var readTimeout: TimeLimit = TimeLimit(argument: "30s")!
    @Option(help: "lock_timeout of every statement, reads included: a table another session holds locked is reported, not waited for (500ms, 5s, ...).")
    var lockTimeout: TimeLimit = TimeLimit(argument: "5s")!

    /// How every session to the database is opened.
    var session: Session { Session(lockTimeoutMilliseconds: lockTimeout.milliseconds) }

    func snapshotOptions(dsn: String) throws -> SnapshotOptions {
        let where_ = try ConnInfo.describe(dsn)
        var options = SnapshotOptions()
        options.schemas = schemas
        options.excludeSchemas = excludeSchemas
        options.scanPolicy = allowFullScans ? .allowFullScans : .skipLargeUnindexed
        options.readTimeout = Double(readTimeout.milliseconds) / 1000
        options.host = where_.host
        options.port = where_.port
        // A second session for the min/max and position reads: they cost the server per
        // relation, and two backends use two cores.
        options.spare = session.spares(dsn)
        let progress = ProgressLine()
        options.progress = { phase, done, total in progress.update(done, total, label: phase) }
        return options
    }
}

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Capture a database's sequences, the columns that use them and their max ids, as JSON."
    )

    @Option(help: "Anything libpq accepts: 'host=… dbname=…' or a postgresql:// URI. PG* variables and ~/.pgpass apply.")
    var dsn: String
    @Option(help: "Write the snapshot to FILE instead of stdout.") var output: String?
    @Flag(help: "Leave out max(id) of the tables: for the source, whose rows reseq never compares (a target's snapshot needs them).")
    var skipRowReads = false
    @OptionGroup var capture: CaptureOptions

    func run() throws {
        let connection = try capture.session.connect(dsn)
        var options = try capture.snapshotOptions(dsn: dsn)
        options.readsRows = !skipRowReads
        let snapshot = try SnapshotReader().capture(connection, options: options)
        try Output.write(snapshot.jsonParts(), to: output)
        for warning in snapshot.warnings { Output.note("warning: \(warning.object): \(warning.message)") }
        if let output {
            Output.note("wrote \(output): \(snapshot.sequences.count) sequences, \(snapshot.columns.count) columns")
        }
    }
}
