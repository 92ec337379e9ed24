import Foundation
import PostgresClient

/// What a snapshot covers and how careful its data reads are.
public struct SnapshotOptions: Sendable {
    /// Whether to read `min`/`max` of a column that has no btree index leading with it in a
    /// large table (a full scan).
    public enum ScanPolicy: Sendable, Equatable {
        /// Skip such columns (`DataRead.skipped` and a warning).
        case skipLargeUnindexed
        /// Scan them anyway, each bounded by `readTimeout`.
        case allowFullScans
    }

    /// Schemas to include; empty means all (system schemas are always left out).
    public var schemas: [String]
    public var excludeSchemas: [String]
    /// Columns to describe even when no sequence feeds them (reconcile passes the source's).
    public var extraColumns: [ColumnRef]
    public var scanPolicy: ScanPolicy
    /// Above this many estimated rows (`reltuples`) an unindexed table counts as large.
    public var largeTableRows: Double
    /// `statement_timeout` for every data read.
    public var readTimeout: TimeInterval
    /// Tables whose data is read in one transaction; bounds the locks held at once.
    public var tablesPerTransaction: Int
    /// Sequences (or columns) read by one statement.
    public var objectsPerStatement: Int
    public var clock: @Sendable () -> Date
    /// Shown in the snapshot; `nil` takes what the connection reports. Never a password.
    public var host: String?
    public var port: String?
    /// A second session to the same database for the data and position reads, which then run
    /// on two backends at once. `nil`: everything on the snapshot's connection.
    public var spare: SpareConnections?
    /// Called (from any thread) as the data phase goes: phase, objects done, objects in all.
    public var progress: (@Sendable (String, Int, Int) -> Void)?
    /// True once the user asked to stop (an interrupt, which also cancels the running
    /// statements): a cancelled read then ends the snapshot instead of counting as a timeout.
    public var shouldStop: @Sendable () -> Bool = { false }
    /// Read the extremes of the rows (max or min of each column a sequence feeds). Only a
    /// target's are needed (the value rule); a source's snapshot may leave them out
    /// (`--skip-row-reads`): its columns say `notAsked`, with no warning.
    public var readsRows = true
    /// Read the whole shape (tables, constraints, indexes, views, functions, types…). Reconcile
    /// reads it of the target when the source's snapshot has it.
    public var readsShape = true
    /// Which way the sequences feeding these columns count, known from elsewhere (reconcile
    /// passes the source's): an ascending sequence needs only the column's max() read.
    public var sequenceDirections: [ColumnRef: Bool] = [:]
    /// Recorded in the snapshot; injectable so that files stay comparable in tests.
    public var reseqVersion: String = ReseqVersion.current

    /// Throws when the user asked to stop.
    func checkStop() throws {
        if shouldStop() { throw SnapshotError("interrupted") }
    }

    public init(
        schemas: [String] = [], excludeSchemas: [String] = [], extraColumns: [ColumnRef] = [],
        scanPolicy: ScanPolicy = .skipLargeUnindexed, largeTableRows: Double = 1_000_000,
        readTimeout: TimeInterval = 30, tablesPerTransaction: Int = 200, objectsPerStatement: Int = 500,
        clock: @escaping @Sendable () -> Date = { Date() }, host: String? = nil, port: String? = nil
    ) {
        self.schemas = schemas
        self.excludeSchemas = excludeSchemas
        self.extraColumns = extraColumns
        self.scanPolicy = scanPolicy
        self.largeTableRows = largeTableRows
        self.readTimeout = readTimeout
        self.tablesPerTransaction = tablesPerTransaction
        self.objectsPerStatement = objectsPerStatement
        self.clock = clock
        self.host = host
        self.port = port
    }

    /// System schemas never count; then the include list, then the exclude list.
    func includes(schema: String) -> Bool {
        if SnapshotOptions.isSystem(schema) { return false }
        if !schemas.isEmpty && !schemas.contains(schema) { return false }
        return !excludeSchemas.contains(schema)
    }

    static func isSystem(_ schema: String) -> Bool {
        schema == "pg_catalog" || schema == "information_schema" || schema.hasPrefix("pg_toast")
            || schema.hasPrefix("pg_temp")
    }
}
