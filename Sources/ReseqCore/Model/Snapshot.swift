import Foundation

/// Everything reseq knows about one database's auto-numbering at one moment. Written as JSON.
public struct Snapshot: Codable, Hashable, Sendable {
    /// Bumped whenever a field changes meaning; readers refuse versions they do not know.
    /// 2 added `access` (roles and privileges) and the database's oid and start time.
    public static let currentFormatVersion = 2
    /// Versions this reseq reads: a format 1 file reads as one without privileges.
    public static let readableFormatVersions = 1...2

    public var formatVersion: Int
    public var database: DatabaseInfo
    /// Sorted by name.
    public var sequences: [SequenceInfo]
    /// Sorted by column.
    public var columns: [ColumnInfo]
    /// Things the snapshot could not see (unreadable sequences, skipped or timed-out reads).
    public var warnings: [SnapshotWarning]
    /// Roles and privileges; `nil` in format 1 files, which did not keep them.
    public var access: Access?
    /// The reseq that took the snapshot (`reseq --version`); `nil` in format 1 files.
    public var reseqVersion: String?
    /// Everything else the database holds: tables with their columns, constraints, indexes,
    /// triggers and policies, views, functions, types, extensions, schemas. `nil` in files
    /// written before reseq kept them (an optional field: format 2 files without it read as before).
    public var schema: SchemaObjects?

    public init(
        database: DatabaseInfo, sequences: [SequenceInfo], columns: [ColumnInfo],
        warnings: [SnapshotWarning] = [], access: Access? = nil, formatVersion: Int = Snapshot.currentFormatVersion
    ) {
        self.formatVersion = formatVersion
        self.database = database
        self.access = access
        self.sequences = sequences.sorted { $0.name < $1.name }
        self.columns = columns.sorted { $0.ref < $1.ref }
        self.warnings = warnings.sorted { ($0.object, $0.message) < ($1.object, $1.message) }
    }

    public func sequence(_ name: QualifiedName) -> SequenceInfo? {
        sequences.first { $0.name == name }
    }
}

/// Where and when a snapshot was taken. Never holds a password.
public struct DatabaseInfo: Codable, Hashable, Sendable {
    public var name: String
    /// The host as the user gave it (or the socket directory); no password, no user.
    public var host: String
    public var port: String
    /// `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`.
    public var serverVersion: String
    /// `server_version_num`, e.g. `150018`.
    public var serverVersionNumber: Int
    /// `pg_control_system().system_identifier`: tells one cluster from another, when readable.
    public var systemIdentifier: String?
    /// The database's oid and `pg_postmaster_start_time()`: readable by any role, they tell one
    /// database from another when the system identifier is not (usual on RDS).
    public var oid: String?
    public var postmasterStartTime: String?
    public var capturedAt: Date

    public init(
        name: String, host: String, port: String, serverVersion: String,
        serverVersionNumber: Int, systemIdentifier: String?, oid: String? = nil, postmasterStartTime: String? = nil,
        capturedAt: Date
    ) {
        self.oid = oid
        self.postmasterStartTime = postmasterStartTime
        self.name = name
        self.host = host
        self.port = port
        self.serverVersion = serverVersion
        self.serverVersionNumber = serverVersionNumber
        self.systemIdentifier = systemIdentifier
        self.capturedAt = capturedAt
    }
}

/// Something a snapshot could not capture, tied to the object it concerns.
public struct SnapshotWarning: Codable, Hashable, Sendable {
    /// The sequence or column concerned, as `schema.name` or `schema.table.column`.
    public var object: String
    public var message: String

    public init(object: String, message: String) {
        self.object = object
        self.message = message
    }
}

extension DatabaseInfo {
    /// True when both describe the same database of the same cluster: by the cluster's system
    /// identifier when both have one; else by the database's oid and the server's start time,
    /// which any role can read (host names are no proof: `localhost` and `127.0.0.1` are one
    /// server); else by host, port and name as given.
    public func isSameDatabase(as other: DatabaseInfo) -> Bool {
        guard name == other.name else { return false }
        if let mine = systemIdentifier, let theirs = other.systemIdentifier {
            return mine == theirs && (oid == nil || other.oid == nil || oid == other.oid)
        }
        if let oid, let otherOID = other.oid, let started = postmasterStartTime,
           let otherStarted = other.postmasterStartTime {
            return oid == otherOID && started == otherStarted
        }
        return host == other.host && port == other.port
    }
}
