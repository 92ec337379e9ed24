import Foundation
@testable import ReseqCore

/// Hand-made snapshots for tests that need no server.
enum Fixtures {
    static let capturedAt = Date(timeIntervalSince1970: 1_790_000_000)

    static func database(_ name: String, host: String) -> DatabaseInfo {
        DatabaseInfo(name: name, host: host, port: "5432", serverVersion: "15.18", serverVersionNumber: 150018,
                     systemIdentifier: host == "old-ec2" ? "7301" : "7302", capturedAt: capturedAt)
    }

    static func name(_ schema: String, _ name: String) -> QualifiedName { QualifiedName(schema: schema, name: name) }
    static func column(_ schema: String, _ table: String, _ column: String) -> ColumnRef {
        ColumnRef(table: name(schema, table), column: column)
    }

    /// A serial column: a sequence OWNED BY the column, and the column's nextval default.
    static func serial(_ schema: String, _ table: String, last: Int64?, called: Bool = true,
                       max: Int64?, type: SequenceType = .integer) -> (SequenceInfo, ColumnInfo) {
        let seqName = name(schema, "\(table)_id_seq")
        let ref = column(schema, table, "id")
        let sequence = SequenceInfo(name: seqName, owner: "app", dataType: type, maxValue: type.range.upperBound,
                                    lastValue: last, isCalled: called, ownedBy: ref)
        let info = ColumnInfo(ref: ref, dataType: type.rawValue, tableOwner: "app",
                              defaultExpression: "nextval('\(seqName.name)'::regclass)", defaultSequence: seqName,
                              maxValue: max, minValue: max == nil ? nil : 1)
        return (sequence, info)
    }

    /// A DMS copy of a column: the table and its primary key, nothing else.
    static func copied(_ column: ColumnInfo, max: Int64? = nil, owner: String = "rdsadmin") -> ColumnInfo {
        ColumnInfo(ref: column.ref, dataType: column.dataType, notNull: true, tableOwner: owner,
                   maxValue: max ?? column.maxValue, minValue: column.minValue)
    }

    /// The incident: django_migrations lost its sequence, plus an identity table and a gap.
    static func incident() -> (source: Snapshot, target: Snapshot) {
        let (migrationsSeq, migrations) = serial("public", "django_migrations", last: 13, max: 13)
        let (linksSeq, links) = serial("public", "links_link", last: 5200, max: 5119, type: .bigint)
        let eventsRef = column("public", "events")
        let eventsSeq = SequenceInfo(name: name("public", "events_id_seq"), owner: "app", dataType: .bigint,
                                     lastValue: 42, isCalled: true, ownedBy: eventsRef, isIdentity: true)
        let events = ColumnInfo(ref: eventsRef, dataType: "bigint", tableOwner: "app", identity: .byDefault,
                                maxValue: 42, minValue: 1)
        let invoice = SequenceInfo(name: name("billing", "invoice_number"), owner: "app", start: 1000,
                                   increment: -1, minValue: 1, maxValue: 1000, cache: 5, lastValue: 990, isCalled: true)
        let source = Snapshot(database: database("app", host: "old-ec2"),
                              sequences: [migrationsSeq, linksSeq, eventsSeq, invoice],
                              columns: [migrations, links, events])
        let target = Snapshot(database: database("app", host: "app.xyz.rds.amazonaws.com"),
                              sequences: [],
                              columns: [copied(migrations), copied(links), copied(events)])
        return (source, target)
    }
}

extension Fixtures {
    static func column(_ schema: String, _ table: String) -> ColumnRef {
        ColumnRef(table: name(schema, table), column: "id")
    }
}
