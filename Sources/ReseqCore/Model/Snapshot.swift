import Foundation

/// Everything reseq knows about one database's auto-numbering at one moment. Written as JSON.
public struct Snapshot: Codable, Hashable, Sendable {
    /// Bumped whenever a field changes meaning; readers refuse versions they do not know.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var database: DatabaseInfo
    /// Sorted by name.
    public var sequences: [SequenceInfo]
    /// Sorted by column.
    public var columns: [ColumnInfo]
    /// Things the snapshot could not see (unreadable sequences, skipped or timed-out reads).
    public var warnings: [SnapshotWarning]

    public init(
        database: DatabaseInfo, sequences: [SequenceInfo], columns: [ColumnInfo],
        warnings: [SnapshotWarning] = [], formatVersion: Int = Snapshot.currentFormatVersion
    ) {
        self.formatVersion = formatVersion
        self.database = database
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
    public var capturedAt: Date

    public init(
        name: String, host: String, port: String, serverVersion: String,
        serverVersionNumber: Int, systemIdentifier: String?, capturedAt: Date
    ) {
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
    /// identifier when both have one, else by host, port and name as given.
    public func isSameDatabase(as other: DatabaseInfo) -> Bool {
        guard name == other.name else { return false }
        if let mine = systemIdentifier, let theirs = other.systemIdentifier { return mine == theirs }
        return host == other.host && port == other.port
    }
}
