import Foundation
import XCTest
@testable import ReseqCore

/// The fast JSON writer and reader must agree byte for byte and value for value with
/// Foundation's encoder and decoder, which stay the reference (and the error path).
final class SnapshotJSONCodecTests: XCTestCase {
    static func reference(_ snapshot: Snapshot) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(snapshot))
    }

    static var samples: [Snapshot] {
        let awkward = "q\"uote\\back/slash\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é 日本 🚀 '$$; --"
        let everything = Snapshot(
            database: DatabaseInfo(name: awkward, host: "/tmp/sock dir", port: "5432", serverVersion: "15.18",
                                   serverVersionNumber: 150018, systemIdentifier: "7301234567890123456",
                                   oid: "16384", postmasterStartTime: "1790000000.123456",
                                   capturedAt: Date(timeIntervalSince1970: 1_790_000_123)),
            sequences: [
                SequenceInfo(name: QualifiedName(schema: awkward, name: "Seq"), owner: "o", dataType: .smallint,
                             start: -32768, increment: -1, minValue: -32768, maxValue: 32767, cache: 20, cycle: true,
                             unlogged: true, lastValue: nil, isCalled: false,
                             ownedBy: ColumnRef(table: QualifiedName(schema: awkward, name: "t"), column: "c"),
                             isIdentity: true, fromExtension: "ext"),
                SequenceInfo(name: QualifiedName(schema: "public", name: "big"), owner: "app",
                             minValue: Int64.min, maxValue: Int64.max, lastValue: Int64.max, isCalled: true),
            ],
            columns: [
                ColumnInfo(ref: ColumnRef(table: QualifiedName(schema: "public", name: "t"), column: awkward),
                           dataType: "integer", notNull: false, tableOwner: "app", defaultExpression: awkward,
                           defaultSequence: QualifiedName(schema: "public", name: "big"), identity: .byDefault,
                           partitionOf: QualifiedName(schema: "public", name: "parent"),
                           maxValue: Int64.max, minValue: Int64.min, dataRead: .timedOut),
                ColumnInfo(ref: ColumnRef(table: QualifiedName(schema: "public", name: "u"), column: "id"),
                           tableOwner: "app"),
            ],
            warnings: [SnapshotWarning(object: awkward, message: "m")],
            access: Access(
                roles: [RoleInfo(name: awkward, superuser: true), RoleInfo(name: "app", inherits: ["b", awkward])],
                schemas: [SchemaACL(name: "public", owner: "o", acl: nil),
                          SchemaACL(name: awkward, owner: awkward, acl: []),
                          SchemaACL(name: "s", owner: "o", acl: [Grant(grantee: "public", privilege: "USAGE")])],
                relations: [
                    RelationACL(name: QualifiedName(schema: "public", name: "big"), kind: .sequence, owner: "app",
                                acl: [Grant(grantee: awkward, privilege: "USAGE", grantable: true)]),
                    RelationACL(name: QualifiedName(schema: "public", name: "t"), kind: .table, owner: "app", acl: nil),
                ],
                defaultPrivileges: [
                    DefaultACL(role: "app", schema: nil, objectType: .sequences, grants: []),
                    DefaultACL(role: "app", schema: awkward, objectType: .tables,
                               grants: [Grant(grantee: "r", privilege: "INSERT")]),
                ]))
        var withVersion = everything
        withVersion.reseqVersion = "0.1.0+3.g44dec65"
        var withShape = withVersion
        withShape.schema = Fixtures.objects(comment: awkward)
        var richShape = everything
        richShape.schema = richObjects(awkward)
        var emptyShape = everything
        emptyShape.schema = SchemaObjects()
        let empty = Snapshot(
            database: DatabaseInfo(name: "d", host: "h", port: "1", serverVersion: "10.0", serverVersionNumber: 100000,
                                   systemIdentifier: nil, capturedAt: Date(timeIntervalSince1970: 0)),
            sequences: [], columns: [])
        // The rich shape last (the tests below pick samples by position).
        return [everything, withVersion, withShape, emptyShape, empty, Fixtures.incident().source, Fixtures.incident().target,
                richShape]
    }

    /// Every field of every shape type, every enum case, each optional both nil and set, and
    /// awkward text wherever a string goes (with `Fixtures.objects`, which has the rest).
    static func richObjects(_ awkward: String) -> SchemaObjects {
        let q = { (name: String) in QualifiedName(schema: awkward, name: name) }
        var objects = SchemaObjects(
            schemas: [SchemaDef(name: awkward, owner: awkward, comment: awkward), SchemaDef(name: "s", owner: "o")],
            extensions: [ExtensionDef(name: awkward, version: awkward, schema: awkward)],
            types: [TypeDef(name: q("e"), kind: .enum, owner: awkward, details: [], formatted: awkward, comment: awkward),
                    TypeDef(name: q("c"), kind: .composite, owner: "o", details: ["a integer", awkward], formatted: "c"),
                    TypeDef(name: q("r"), kind: .range, owner: "o", details: ["subtype numeric"], formatted: "r", comment: ""),
                    TypeDef(name: q("d"), kind: .domain, owner: "o", details: [awkward], formatted: "d",
                            acl: [Grant(grantee: "o", privilege: "USAGE"), Grant(grantee: awkward, privilege: "USAGE", grantable: true)])],
            tables: [
                TableDef(name: q("plain"), kind: .plain, owner: awkward, unlogged: true, rowSecurity: true,
                         forceRowSecurity: true, estimatedRows: Int64.max, comment: awkward,
                         columns: [ColumnDef(name: awkward, type: awkward, notNull: true, defaultExpression: awkward,
                                             collation: awkward, identity: .always, generated: nil, comment: awkward),
                                   ColumnDef(name: "g", type: "int", generated: awkward,
                                             acl: [Grant(grantee: awkward, privilege: "SELECT"), Grant(grantee: awkward, privilege: "UPDATE")]),
                                   ColumnDef(name: "b", type: "int", identity: .byDefault)],
                         constraints: [ConstraintDef(name: "u", kind: .unique, definition: awkward, validated: false,
                                                     deferrable: true, deferred: true, comment: awkward),
                                       ConstraintDef(name: "x", kind: .exclusion, definition: "EXCLUDE USING gist (a WITH =)"),
                                       ConstraintDef(name: "f", kind: .foreignKey, definition: "FOREIGN KEY", references: q("t")),
                                       ConstraintDef(name: "p", kind: .primaryKey, definition: "PRIMARY KEY (a)"),
                                       ConstraintDef(name: "c", kind: .check, definition: "CHECK (a > 0)")],
                         indexes: [IndexDef(name: awkward, definition: awkward, unique: true, valid: false,
                                            constraint: awkward, comment: awkward),
                                   IndexDef(name: "i", definition: "CREATE INDEX i")],
                         triggers: [TriggerDef(name: awkward, definition: awkward, enabled: "D", function: q("f"), comment: awkward),
                                    TriggerDef(name: "t", definition: "CREATE TRIGGER t", function: q("g"))],
                         policies: [PolicyDef(name: awkward, command: "*", permissive: false, roles: [awkward, "b", "a"],
                                              using: nil, check: awkward),
                                    PolicyDef(name: "p", command: "w", roles: [], using: awkward, check: nil)],
                         acl: [Grant(grantee: "public", privilege: "SELECT"), Grant(grantee: awkward, privilege: "INSERT", grantable: true),
                               Grant(grantee: awkward, privilege: "DELETE")]),
                TableDef(name: q("parted"), kind: .partitioned, partitionKey: awkward, owner: "o", estimatedRows: Int64.min, acl: []),
                TableDef(name: q("part"), kind: .partition, partitionOf: q("parted"), partitionBound: awkward, owner: "o",
                         estimatedRows: 0),
            ],
            views: [ViewDef(name: q("v"), owner: awkward, definition: awkward, comment: awkward,
                            acl: [Grant(grantee: "app", privilege: "SELECT")]),
                    ViewDef(name: q("m"), materialized: true, owner: "o", definition: "",
                            indexes: [IndexDef(name: "b", definition: "b"), IndexDef(name: "a", definition: awkward, comment: awkward)])],
            functions: [FunctionDef(name: q("f"), arguments: awkward, kind: .function, owner: awkward, securityDefiner: true,
                                    result: awkward, definition: awkward, comment: awkward),
                        FunctionDef(name: q("p"), arguments: "", kind: .procedure, owner: "o", definition: nil,
                                    acl: [Grant(grantee: "o", privilege: "EXECUTE")]),
                        FunctionDef(name: q("a"), arguments: "integer", kind: .aggregate, owner: "o", result: "bigint", definition: nil),
                        FunctionDef(name: q("w"), arguments: "", kind: .window, owner: "o", result: "int", definition: "w")])
        objects.unread = [q("locked"), QualifiedName(schema: "public", name: awkward)]
        return objects
    }

    func testWriterMatchesJSONEncoderByteForByte() throws {
        for snapshot in Self.samples {
            XCTAssertEqual(String(decoding: SnapshotJSONWriter.write(snapshot), as: UTF8.self),
                           String(decoding: try Self.reference(snapshot), as: UTF8.self))
        }
    }

    /// Written in parts on several threads (as large snapshots are), the bytes are the same.
    func testWriterInPartsMatchesJSONEncoder() throws {
        for snapshot in Self.samples where (snapshot.schema?.tables.count ?? 0) >= 2 {
            for split in [2, 3] {
                XCTAssertEqual(String(decoding: SnapshotJSONWriter.write(snapshot, tablesToSplit: split), as: UTF8.self),
                               String(decoding: try Self.reference(snapshot), as: UTF8.self))
            }
        }
        XCTAssertTrue(Self.samples.contains { ($0.schema?.tables.count ?? 0) >= 3 })
    }

    func testReaderMatchesJSONDecoder() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for snapshot in Self.samples {
            let data = try Self.reference(snapshot)
            XCTAssertEqual(SnapshotJSONReader.read(Data(data)), try decoder.decode(Snapshot.self, from: Data(data)))
            XCTAssertEqual(SnapshotJSONReader.read(Data(data)), snapshot)
        }
    }

    func testReaderDefersEveryDoubtToJSONDecoder() {
        let good = String(decoding: try! Self.reference(Self.samples[4]), as: UTF8.self)
        for broken in [
            "", "{", "[]", "null", good.replacingOccurrences(of: "\"formatVersion\" : \(Snapshot.currentFormatVersion)", with: "\"formatVersion\" : 1.5"),
            good.replacingOccurrences(of: "\"port\" : \"1\"", with: "\"port\" : 1"),
            good.replacingOccurrences(of: "100000", with: "99999999999999999999"),
            good.replacingOccurrences(of: "\"host\" : \"h\",", with: ""),
            good + "x",
        ] {
            XCTAssertNil(SnapshotJSONReader.read(Data(broken.utf8)), broken)
        }
    }

    /// The shape read by hand follows Codable's rules: null for an optional, unknown keys
    /// skipped; a missing required field, an unknown enum case or a fraction goes to JSONDecoder.
    func testShapeReaderFollowsCodable() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let good = String(decoding: try Self.reference(Self.samples[2]), as: UTF8.self)
        let lenient = good.replacingOccurrences(of: "\"name\" : \"Billing\",",
                                                with: "\"comment\" : null, \"x\" : [1, {\"a\" : null}], \"name\" : \"Billing\",")
            .replacingOccurrences(of: "\"definition\" : \"PRIMARY KEY (id)\",", with: "\"definition\" : \"PRIMARY KEY (id)\", \"references\" : null,")
        XCTAssertNotEqual(lenient, good)
        let fast = try XCTUnwrap(SnapshotJSONReader.read(Data(lenient.utf8)))
        XCTAssertEqual(fast, try decoder.decode(Snapshot.self, from: Data(lenient.utf8)))
        XCTAssertEqual(fast, Self.samples[2])
        for (from, to) in [("\"kind\" : \"enum\"", "\"kind\" : \"enumerated\""),
                           ("\"formatted\" : \"public.mood\",", ""),
                           ("\"estimatedRows\" : 5000", "\"estimatedRows\" : 5000.0"),
                           ("\"unread\" : [", "\"unread\" : null, \"u\" : ["),
                           ("\"notNull\" : true", "\"notNull\" : null"),
                           ("\"roles\" : [", "\"roles\" : [1, ")] {
            let broken = good.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(broken, good, from)
            XCTAssertNil(SnapshotJSONReader.read(Data(broken.utf8)), from)
        }
    }

    /// Mutated files: whatever the fast reader accepts, JSONDecoder must read the same way.
    func testReaderNeverAcceptsWhatTheDecoderReadsDifferently() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        // The fuzz run's seed and generator: RESEQ_FUZZ_SEED replays a failure.
        let seed = FuzzTests.seed
        var generator = FuzzTests.SplitMix64(state: seed)
        for sample in [Self.samples[0], Self.samples[Self.samples.count - 1]] {
            try mutate(Self.reference(sample), seed: seed, generator: &generator, decoder: decoder)
        }
    }

    private func mutate(_ base: [UInt8], seed: UInt64, generator: inout FuzzTests.SplitMix64, decoder: JSONDecoder) throws {
        let alphabet = Array("{}[]\",:0123456789-.eEtrufalsn \\u\n".utf8)
        var accepted = 0
        for iteration in 0..<3000 {
            var bytes = base
            for _ in 0..<Int(generator.next() % 3 + 1) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                }
            }
            guard let fast = SnapshotJSONReader.read(Data(bytes)) else { continue }
            accepted += 1
            XCTAssertEqual(fast, try? decoder.decode(Snapshot.self, from: Data(bytes)),
                           "seed \(seed) iteration \(iteration): \(String(decoding: bytes, as: UTF8.self).prefix(200))")
        }
        XCTAssertGreaterThan(accepted, 0, "no mutation was accepted; the test checked nothing")
    }
}
