import Foundation

/// Reads a snapshot file about ten times faster than `JSONDecoder` (most of `reseq diff` at
/// 10,000 sequences). It takes only what it is sure of: anything unusual (a bad escape, a
/// fraction, a missing field, a wrong type) makes it answer `nil`, and the caller decodes with
/// `JSONDecoder`, which then names the problem. A test holds the two equal.
enum SnapshotJSONReader {
    enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
    }

    static func read(_ data: Data) -> Snapshot? {
        data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            guard let value = parser.document() else { return nil }
            return snapshot(value)
        }
    }

    // MARK: - Mapping, with Codable's rules: optional = absent or null; extra keys ignored

    private static func snapshot(_ value: Value) -> Snapshot? {
        guard case .object(let fields) = value,
              let version = int(fields, "formatVersion"),
              let database = database(field(fields, "database")),
              let sequences = list(field(fields, "sequences"), sequence),
              let columns = list(field(fields, "columns"), column),
              let warnings = list(field(fields, "warnings"), warning) else { return nil }
        // Decoding keeps the file's order, as JSONDecoder does; the init would sort.
        var result = Snapshot(database: database, sequences: [], columns: [], warnings: [], formatVersion: version)
        result.sequences = sequences
        result.columns = columns
        result.warnings = warnings
        return result
    }

    private static func database(_ value: Value?) -> DatabaseInfo? {
        guard case .object(let fields)? = value,
              let captured = string(fields, "capturedAt"), let capturedAt = date(captured),
              let host = string(fields, "host"), let name = string(fields, "name"), let port = string(fields, "port"),
              let version = string(fields, "serverVersion"), let number = int(fields, "serverVersionNumber"),
              let id = optional(fields, "systemIdentifier", string) else { return nil }
        return DatabaseInfo(name: name, host: host, port: port, serverVersion: version, serverVersionNumber: number,
                            systemIdentifier: id, capturedAt: capturedAt)
    }

    private static func sequence(_ value: Value) -> SequenceInfo? {
        guard case .object(let f) = value,
              let name = qualified(field(f, "name")), let owner = string(f, "owner"),
              let typeName = string(f, "dataType"), let type = SequenceType(rawValue: typeName),
              let start = int64(f, "start"), let increment = int64(f, "increment"),
              let min = int64(f, "minValue"), let max = int64(f, "maxValue"), let cache = int64(f, "cache"),
              let cycle = bool(f, "cycle"), let unlogged = bool(f, "unlogged"),
              let last = optional(f, "lastValue", int64), let called = bool(f, "isCalled"),
              let ownedBy = optional(f, "ownedBy", columnRef), let identity = bool(f, "isIdentity"),
              let ext = optional(f, "fromExtension", string) else { return nil }
        return SequenceInfo(name: name, owner: owner, dataType: type, start: start, increment: increment,
                            minValue: min, maxValue: max, cache: cache, cycle: cycle, unlogged: unlogged,
                            lastValue: last, isCalled: called, ownedBy: ownedBy, isIdentity: identity,
                            fromExtension: ext)
    }

    private static func column(_ value: Value) -> ColumnInfo? {
        guard case .object(let f) = value,
              let ref = columnRef(field(f, "ref")), let type = string(f, "dataType"), let notNull = bool(f, "notNull"),
              let owner = string(f, "tableOwner"), let expression = optional(f, "defaultExpression", string),
              let sequence = optional(f, "defaultSequence", qualified),
              let identity = optional(f, "identity", { string($0).flatMap(IdentityKind.init(rawValue:)) }),
              let parent = optional(f, "partitionOf", qualified),
              let max = optional(f, "maxValue", int64), let min = optional(f, "minValue", int64),
              let readText = string(f, "dataRead"), let read = DataRead(rawValue: readText) else { return nil }
        return ColumnInfo(ref: ref, dataType: type, notNull: notNull, tableOwner: owner, defaultExpression: expression,
                          defaultSequence: sequence, identity: identity, partitionOf: parent,
                          maxValue: max, minValue: min, dataRead: read)
    }

    private static func warning(_ value: Value) -> SnapshotWarning? {
        guard case .object(let f) = value, let object = string(f, "object"), let message = string(f, "message")
        else { return nil }
        return SnapshotWarning(object: object, message: message)
    }

    private static func qualified(_ value: Value?) -> QualifiedName? {
        guard case .object(let f)? = value, let schema = string(f, "schema"), let name = string(f, "name") else { return nil }
        return QualifiedName(schema: schema, name: name)
    }

    private static func columnRef(_ value: Value?) -> ColumnRef? {
        guard case .object(let f)? = value, let table = qualified(field(f, "table")), let column = string(f, "column")
        else { return nil }
        return ColumnRef(table: table, column: column)
    }

    private static func field(_ fields: [(String, Value)], _ key: String) -> Value? {
        fields.first { $0.0 == key }?.1
    }

    private static func string(_ value: Value?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private static func string(_ fields: [(String, Value)], _ key: String) -> String? { string(field(fields, key)) }

    private static func int64(_ value: Value?) -> Int64? {
        if case .integer(let number)? = value { return number }
        return nil
    }

    private static func int64(_ fields: [(String, Value)], _ key: String) -> Int64? { int64(field(fields, key)) }
    private static func int(_ fields: [(String, Value)], _ key: String) -> Int? { int64(fields, key).map(Int.init) }

    private static func bool(_ fields: [(String, Value)], _ key: String) -> Bool? {
        if case .bool(let flag)? = field(fields, key) { return flag }
        return nil
    }

    /// `.some(nil)` when absent or null, `.some(value)` when it maps, `nil` when it does not.
    private static func optional<T>(_ fields: [(String, Value)], _ key: String, _ map: (Value?) -> T?) -> T?? {
        switch field(fields, key) {
        case nil, .null?: return .some(nil)
        case let value?: return map(value).map { .some($0) }
        }
    }

    private static func list<T>(_ value: Value?, _ map: (Value) -> T?) -> [T]? {
        guard case .array(let values)? = value else { return nil }
        var result: [T] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let mapped = map(value) else { return nil }
            result.append(mapped)
        }
        return result
    }

    /// As the `.iso8601` strategy reads it, by the decoder itself: one small call per file.
    private static func date(_ text: String) -> Date? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = try? JSONEncoder().encode([text]) else { return nil }
        return try? decoder.decode([Date].self, from: data).first
    }

    // MARK: - JSON

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func document() -> Value? {
            skipSpace()
            guard let value = value() else { return nil }
            skipSpace()
            return index == bytes.count ? value : nil
        }

        private mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        private mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return integer()
            }
        }

        private mutating func literal(_ word: StaticString, _ value: Value) -> Value? {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return nil }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
            index += count
            return value
        }

        private mutating func object() -> Value? {
            index += 1
            var fields: [(String, Value)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
                // A repeated key: which one wins is the decoder's business.
                guard !fields.contains(where: { $0.0 == key }) else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                skipSpace()
                guard let value = value() else { return nil }
                fields.append((key, value))
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
                return nil
            }
        }

        private mutating func array() -> Value? {
            index += 1
            var values: [Value] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            while true {
                skipSpace()
                guard let value = value() else { return nil }
                values.append(value)
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
                return nil
            }
        }

        /// A whole number that fits Int64; fractions and exponents are left to the decoder.
        private mutating func integer() -> Value? {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > digits, !(bytes[digits] == 0x30 && index - digits > 1) else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
                return nil
            }
            // Accumulated as a negative number, whose range reaches Int64.min.
            var value: Int64 = 0
            for position in digits..<index {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times.subtractingReportingOverflow(Int64(bytes[position] - 0x30))
                guard !overflow1, !overflow2 else { return nil }
                value = next
            }
            if digits == start { guard value != Int64.min else { return nil }; value = -value }
            return .integer(value)
        }

        private mutating func string() -> String? {
            index += 1
            let start = index
            var plain = true
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 { return nil }
                if byte >= 0x80 { ascii = false }
                if byte == UInt8(ascii: "\\") { plain = false; index += 2; continue }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            // ASCII is valid UTF-8 as it is; anything else is checked.
            if plain { return ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self) }
            return Self.unescape(raw)
        }

        private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            func hex4(_ at: Int) -> UInt32? {
                guard at + 4 <= raw.count else { return nil }
                var value: UInt32 = 0
                for byte in raw[at..<at + 4] {
                    guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
                    value = value * 16 + UInt32(digit)
                }
                return value
            }
            while i < raw.count {
                let byte = raw[i]
                guard byte == UInt8(ascii: "\\") else { out.append(byte); i += 1; continue }
                guard i + 1 < raw.count else { return nil }
                let kind = raw[i + 1]
                i += 2
                switch kind {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var code = hex4(i) else { return nil }
                    i += 4
                    if (0xD800...0xDBFF).contains(code) {
                        // A surrogate pair; a lone half is the decoder's to judge.
                        guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                              let low = hex4(i + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                        i += 6
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    return nil
                }
            }
            return String(validating: out, as: UTF8.self)
        }
    }
}
