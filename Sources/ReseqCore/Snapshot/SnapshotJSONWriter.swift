import Foundation
import Synchronization

/// Writes a snapshot as exactly the bytes `JSONEncoder` writes with `.prettyPrinted`,
/// `.sortedKeys` and `.withoutEscapingSlashes` (a test holds the two equal), about ten
/// times faster: at 10,000 sequences the encoder alone took a fifth of a snapshot.
///
/// A large snapshot is encoded in four parts at once, in the background, and the file is
/// written part by part as they are done: the file is written after every read has ended, so
/// its time adds to the snapshot's whole, and the server's cores are idle by then. Each part
/// starts from the indentation and comma state the part before it ends in, so the parts in
/// order are the bytes of one writer (a test holds it).
struct SnapshotJSONWriter {
    private var out: [UInt8] = []
    private var depth = 0
    private var needsComma = false

    /// At or above this many tables the parts are written side by side.
    static let tablesToSplit = 2000

    static func write(_ snapshot: Snapshot, tablesToSplit: Int = tablesToSplit) -> [UInt8] {
        Array(parts(snapshot, tablesToSplit: tablesToSplit, lineBreak: false).joined())
    }

    /// The file's bytes with a trailing line break, copied once from the parts.
    static func fileData(_ snapshot: Snapshot) -> Data {
        var data = Data()
        for part in fileParts(snapshot) { data.append(contentsOf: part) }
        return data
    }

    /// The file's bytes, with the trailing line break, in parts to be written one after the
    /// other as each is done, without joining them first (at 50,000 tables a copy of 190 MB
    /// of fresh memory).
    static func fileParts(_ snapshot: Snapshot) -> Parts {
        parts(snapshot, tablesToSplit: tablesToSplit, lineBreak: true)
    }

    /// The document in order: one part, or four encoded side by side.
    private static func parts(_ snapshot: Snapshot, tablesToSplit: Int, lineBreak: Bool) -> Parts {
        let tables = snapshot.schema?.tables ?? []
        let headSize = 1024 * (snapshot.sequences.count + snapshot.columns.count + 4)
        let middle = tables.count / 2
        typealias Part = (depth: Int, needsComma: Bool, size: Int, body: @Sendable (inout SnapshotJSONWriter) -> Void)
        let parts: [Part]
        if tables.count < max(2, tablesToSplit) {
            parts = [(0, false, headSize + 4096 * tables.count, { writer in
                writer.head(snapshot)
                writer.tables(tables[...])
                writer.tail(snapshot)
            })]
        } else {
            // The depth and comma state where each part starts: at the top, inside the tables'
            // array before its first element, and after an element.
            parts = [
                (0, false, headSize, { $0.head(snapshot) }),
                (3, false, 4096 * middle, { $0.tables(tables[..<middle]) }),
                (3, true, 4096 * (tables.count - middle), { $0.tables(tables[middle...]) }),
                (3, true, 1024 * (snapshot.sequences.count + 4), { $0.tail(snapshot) }),
            ]
        }
        return Parts(count: parts.count) { index in
            var writer = SnapshotJSONWriter()
            writer.depth = parts[index].depth
            writer.needsComma = parts[index].needsComma
            writer.out.reserveCapacity(parts[index].size)
            parts[index].body(&writer)
            if lineBreak, index == parts.count - 1 { writer.out.append(UInt8(ascii: "\n")) }
            return writer.out
        }
    }

    /// Parts encoded on every core in the background and handed out in order, each as soon as
    /// it is done: the first are written while the last are still encoded. At 50,000 tables
    /// writing the 190 MB took 0.25 to 0.6 s with one core idle, after encoding had ended.
    final class Parts: Sequence, Sendable {
        private let parts: Mutex<[[UInt8]]>
        private let done: [DispatchSemaphore]

        fileprivate init(count: Int, encode: @escaping @Sendable (Int) -> [UInt8]) {
            parts = Mutex(Array(repeating: [], count: count))
            done = (0..<count).map { _ in DispatchSemaphore(value: 0) }
            let encodeAll = { @Sendable [self] in
                DispatchQueue.concurrentPerform(iterations: count) { index in
                    let bytes = encode(index)
                    self.parts.withLock { $0[index] = bytes }
                    self.done[index].signal()
                }
            }
            if count == 1 { encodeAll() } else { DispatchQueue.global().async(execute: encodeAll) }
        }

        /// Waits for each part in turn; the parts can be read any number of times.
        func makeIterator() -> AnyIterator<[UInt8]> {
            var index = 0
            return AnyIterator { [self] in
                guard index < done.count else { return nil }
                done[index].wait()
                done[index].signal()  // done for good: a second pass does not wait
                defer { index += 1 }
                return parts.withLock { $0[index] }
            }
        }
    }

    // MARK: - The model, keys in sorted order

    /// The document up to the first table: the keys before `schema`, then the shape's own
    /// keys before `tables`, and `"tables" : [`.
    private mutating func head(_ value: Snapshot) {
        open("{")
        if let access = value.access { key("access"); self.access(access) }
        key("columns")
        open("[", empty: value.columns.isEmpty)
        for column in value.columns { element(); self.column(column) }
        close("]")
        key("database"); database(value.database)
        key("formatVersion"); int(value.formatVersion)
        if let version = value.reseqVersion { key("reseqVersion"); string(version) }
        if let objects = value.schema { key("schema"); objectsHead(objects) }
    }

    /// The tables of `schema`, as elements of its `tables` array.
    private mutating func tables(_ tables: ArraySlice<TableDef>) {
        for table in tables {
            element()
            open("{")
            self.table(table)
            close("}")
        }
    }

    /// From the end of the `tables` array to the end of the document.
    private mutating func tail(_ value: Snapshot) {
        if let objects = value.schema { objectsTail(objects) }
        key("sequences")
        open("[", empty: value.sequences.isEmpty)
        for sequence in value.sequences { element(); self.sequence(sequence) }
        close("]")
        key("warnings")
        open("[", empty: value.warnings.isEmpty)
        for warning in value.warnings {
            element()
            open("{")
            key("message"); string(warning.message)
            key("object"); string(warning.object)
            close("}")
        }
        close("]")
        close("}")
    }

    private mutating func database(_ value: DatabaseInfo) {
        open("{")
        key("capturedAt"); string(Self.iso8601(value.capturedAt))
        key("host"); string(value.host)
        key("name"); string(value.name)
        if let oid = value.oid { key("oid"); string(oid) }
        key("port"); string(value.port)
        if let started = value.postmasterStartTime { key("postmasterStartTime"); string(started) }
        key("serverVersion"); string(value.serverVersion)
        key("serverVersionNumber"); int(value.serverVersionNumber)
        if let id = value.systemIdentifier { key("systemIdentifier"); string(id) }
        close("}")
    }

    private mutating func sequence(_ value: SequenceInfo) {
        open("{")
        key("cache"); int(value.cache)
        if let comment = value.comment { key("comment"); string(comment) }
        key("cycle"); bool(value.cycle)
        key("dataType"); string(value.dataType.rawValue)
        if let ext = value.fromExtension { key("fromExtension"); string(ext) }
        key("increment"); int(value.increment)
        key("isCalled"); bool(value.isCalled)
        key("isIdentity"); bool(value.isIdentity)
        if let last = value.lastValue { key("lastValue"); int(last) }
        key("maxValue"); int(value.maxValue)
        key("minValue"); int(value.minValue)
        key("name"); name(value.name)
        if let owner = value.ownedBy { key("ownedBy"); column(owner) }
        key("owner"); string(value.owner)
        key("start"); int(value.start)
        key("unlogged"); bool(value.unlogged)
        close("}")
    }

    private mutating func column(_ value: ColumnInfo) {
        open("{")
        key("dataRead"); string(value.dataRead.rawValue)
        key("dataType"); string(value.dataType)
        if let expression = value.defaultExpression { key("defaultExpression"); string(expression) }
        if let sequence = value.defaultSequence { key("defaultSequence"); name(sequence) }
        if let identity = value.identity { key("identity"); string(identity.rawValue) }
        if let max = value.maxValue { key("maxValue"); int(max) }
        if let min = value.minValue { key("minValue"); int(min) }
        key("notNull"); bool(value.notNull)
        if let parent = value.partitionOf { key("partitionOf"); name(parent) }
        key("ref"); column(value.ref)
        key("tableOwner"); string(value.tableOwner)
        close("}")
    }

    private mutating func access(_ value: Access) {
        open("{")
        key("defaultPrivileges")
        array(value.defaultPrivileges) { w, entry in
            w.key("grants"); w.grants(entry.grants)
            w.key("objectType"); w.string(entry.objectType.rawValue)
            w.key("role"); w.string(entry.role)
            if let schema = entry.schema { w.key("schema"); w.string(schema) }
        }
        key("relations")
        array(value.relations) { w, relation in
            if let acl = relation.acl { w.key("acl"); w.grants(acl) }
            w.key("kind"); w.string(relation.kind.rawValue)
            w.key("name"); w.name(relation.name)
            w.key("owner"); w.string(relation.owner)
        }
        key("roles")
        array(value.roles) { w, role in
            w.key("inherits"); w.array(role.inherits, object: false) { w, name in w.string(name) }
            w.key("name"); w.string(role.name)
            w.key("superuser"); w.bool(role.superuser)
        }
        key("schemas")
        array(value.schemas) { w, schema in
            if let acl = schema.acl { w.key("acl"); w.grants(acl) }
            w.key("name"); w.string(schema.name)
            w.key("owner"); w.string(schema.owner)
        }
        close("}")
    }

    // MARK: - The shape (`SchemaObjects`), keys in sorted order

    /// The shape's keys before `tables`, and `"tables" : [`; `objectsTail` closes it.
    private mutating func objectsHead(_ value: SchemaObjects) {
        open("{")
        key("extensions")
        array(value.extensions) { w, ext in
            w.key("name"); w.string(ext.name)
            w.key("schema"); w.string(ext.schema)
            w.key("version"); w.string(ext.version)
        }
        key("functions")
        array(value.functions) { w, function in
            if let acl = function.acl { w.key("acl"); w.grants(acl) }
            w.key("arguments"); w.string(function.arguments)
            if let comment = function.comment { w.key("comment"); w.string(comment) }
            if let definition = function.definition { w.key("definition"); w.string(definition) }
            w.key("kind"); w.string(function.kind.rawValue)
            w.key("name"); w.name(function.name)
            w.key("owner"); w.string(function.owner)
            if let result = function.result { w.key("result"); w.string(result) }
            w.key("securityDefiner"); w.bool(function.securityDefiner)
        }
        key("schemas")
        array(value.schemas) { w, schema in
            if let comment = schema.comment { w.key("comment"); w.string(comment) }
            w.key("name"); w.string(schema.name)
            w.key("owner"); w.string(schema.owner)
        }
        key("tables")
        open("[", empty: value.tables.isEmpty)
    }

    private mutating func objectsTail(_ value: SchemaObjects) {
        close("]")
        key("types")
        array(value.types) { w, type in
            if let acl = type.acl { w.key("acl"); w.grants(acl) }
            if let comment = type.comment { w.key("comment"); w.string(comment) }
            w.key("details"); w.strings(type.details)
            w.key("formatted"); w.string(type.formatted)
            w.key("kind"); w.string(type.kind.rawValue)
            w.key("name"); w.name(type.name)
            w.key("owner"); w.string(type.owner)
        }
        key("unread")
        array(value.unread, object: false) { w, name in w.name(name) }
        key("views")
        array(value.views) { w, view in
            if let acl = view.acl { w.key("acl"); w.grants(acl) }
            if let comment = view.comment { w.key("comment"); w.string(comment) }
            w.key("definition"); w.string(view.definition)
            w.key("dependsOn"); w.array(view.dependsOn, object: false) { w, name in w.name(name) }
            w.key("indexes"); w.indexes(view.indexes)
            w.key("materialized"); w.bool(view.materialized)
            w.key("name"); w.name(view.name)
            w.key("owner"); w.string(view.owner)
            w.key("populated"); w.bool(view.populated)
        }
        close("}")
    }

    /// The inside of a table's object.
    private mutating func table(_ value: TableDef) {
        if let acl = value.acl { key("acl"); grants(acl) }
        key("columns")
        array(value.columns) { w, column in
            if let acl = column.acl { w.key("acl"); w.grants(acl) }
            if let collation = column.collation { w.key("collation"); w.string(collation) }
            if let comment = column.comment { w.key("comment"); w.string(comment) }
            if let expression = column.defaultExpression { w.key("defaultExpression"); w.string(expression) }
            if let generated = column.generated { w.key("generated"); w.string(generated) }
            if let identity = column.identity { w.key("identity"); w.string(identity.rawValue) }
            w.key("name"); w.string(column.name)
            w.key("notNull"); w.bool(column.notNull)
            w.key("type"); w.string(column.type)
        }
        if let comment = value.comment { key("comment"); string(comment) }
        key("constraints")
        array(value.constraints) { w, constraint in
            if let comment = constraint.comment { w.key("comment"); w.string(comment) }
            w.key("deferrable"); w.bool(constraint.deferrable)
            w.key("deferred"); w.bool(constraint.deferred)
            w.key("definition"); w.string(constraint.definition)
            w.key("kind"); w.string(constraint.kind.rawValue)
            w.key("name"); w.string(constraint.name)
            if let references = constraint.references { w.key("references"); w.name(references) }
            w.key("validated"); w.bool(constraint.validated)
        }
        key("estimatedRows"); int(value.estimatedRows)
        key("forceRowSecurity"); bool(value.forceRowSecurity)
        key("indexes"); indexes(value.indexes)
        key("kind"); string(value.kind.rawValue)
        key("name"); name(value.name)
        key("owner"); string(value.owner)
        if let bound = value.partitionBound { key("partitionBound"); string(bound) }
        if let partitionKey = value.partitionKey { key("partitionKey"); string(partitionKey) }
        if let parent = value.partitionOf { key("partitionOf"); name(parent) }
        key("policies")
        array(value.policies) { w, policy in
            if let check = policy.check { w.key("check"); w.string(check) }
            w.key("command"); w.string(policy.command)
            if let comment = policy.comment { w.key("comment"); w.string(comment) }
            w.key("name"); w.string(policy.name)
            w.key("permissive"); w.bool(policy.permissive)
            w.key("roles"); w.strings(policy.roles)
            if let using = policy.using { w.key("using"); w.string(using) }
        }
        key("rowSecurity"); bool(value.rowSecurity)
        key("triggers")
        array(value.triggers) { w, trigger in
            if let comment = trigger.comment { w.key("comment"); w.string(comment) }
            w.key("definition"); w.string(trigger.definition)
            w.key("enabled"); w.string(trigger.enabled)
            w.key("function"); w.name(trigger.function)
            w.key("name"); w.string(trigger.name)
        }
        key("unlogged"); bool(value.unlogged)
    }

    private mutating func indexes(_ value: [IndexDef]) {
        array(value) { w, index in
            if let comment = index.comment { w.key("comment"); w.string(comment) }
            if let constraint = index.constraint { w.key("constraint"); w.string(constraint) }
            w.key("definition"); w.string(index.definition)
            w.key("name"); w.string(index.name)
            w.key("unique"); w.bool(index.unique)
            w.key("valid"); w.bool(index.valid)
        }
    }

    private mutating func strings(_ value: [String]) {
        array(value, object: false) { w, text in w.string(text) }
    }

    private mutating func grants(_ value: [Grant]) {
        array(ACLEntry.entries(value)) { w, entry in
            w.key("grantee"); w.string(entry.grantee)
            w.key("privileges"); w.string(entry.privileges)
            if let options = entry.withGrantOption { w.key("withGrantOption"); w.string(options) }
        }
    }

    /// `[ … ]` of elements that `body` writes: the inside of an object each (keys in sorted
    /// order), or bare values.
    private mutating func array<T>(_ values: [T], object: Bool = true, _ body: (inout Self, T) -> Void) {
        open("[", empty: values.isEmpty)
        for value in values {
            element()
            if object { open("{") }
            body(&self, value)
            if object { close("}") }
        }
        close("]")
    }

    private mutating func column(_ value: ColumnRef) {
        open("{")
        key("column"); string(value.column)
        key("table"); name(value.table)
        close("}")
    }

    private mutating func name(_ value: QualifiedName) {
        open("{")
        key("name"); string(value.name)
        key("schema"); string(value.schema)
        close("}")
    }

    /// The date as the `.iso8601` strategy writes it, from the encoder itself: one call.
    static func iso8601(_ date: Date) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode([date])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst(2).dropLast(2), as: UTF8.self)
    }

    // MARK: - JSON as JSONEncoder prints it

    /// No shared buffer of spaces: the parts are written on four threads, and a slice of one
    /// array retained and released by all of them, at every line, cost more than the rest of
    /// the line (the count on one cache line that the cores pass back and forth).
    private mutating func newline() {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// `{` or `[`; an empty array prints a bare line break inside, as the encoder does.
    private mutating func open(_ bracket: Unicode.Scalar, empty: Bool = false) {
        out.append(UInt8(ascii: bracket))
        depth += 1
        needsComma = false
        if empty { out.append(UInt8(ascii: "\n")) }
    }

    private mutating func close(_ bracket: Unicode.Scalar) {
        depth -= 1
        newline()
        out.append(UInt8(ascii: bracket))
        needsComma = true
    }

    /// Before each array element.
    private mutating func element() {
        if needsComma { out.append(UInt8(ascii: ",")) }
        newline()
    }

    private mutating func key(_ name: StaticString) {
        if needsComma { out.append(UInt8(ascii: ",")) }
        newline()
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: " "))
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        needsComma = false
    }

    private mutating func int<T: BinaryInteger>(_ value: T) {
        let number = Int64(value)
        if number < 0 { out.append(UInt8(ascii: "-")) }
        // The digits, last first, then turned around (the magnitude covers Int64.min too).
        let start = out.count
        var magnitude = number.magnitude
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        var low = start, high = out.count - 1
        while low < high {
            out.swapAt(low, high)
            low += 1
            high -= 1
        }
        needsComma = true
    }

    private mutating func bool(_ value: Bool) {
        out.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func string(_ value: String) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole.
        var value = value
        let plain = value.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            needsComma = true
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        needsComma = true
    }
}
