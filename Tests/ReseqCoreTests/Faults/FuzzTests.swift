import Foundation
import XCTest
@testable import ReseqCore

/// Fault 6: a seeded fuzz run over the snapshot decoder and the planner. No package: a
/// SplitMix64 generator, so a failure names its seed and iteration and replays exactly.
///
/// Bounded for CI (a few seconds). Run it longer with
///     RESEQ_FUZZ_ITERATIONS=200000 RESEQ_FUZZ_SEED=$RANDOM swift test --filter FuzzTests
/// or `make fuzz` (RESEQ_FUZZ_SECONDS=600 bounds it by time instead).
final class FuzzTests: XCTestCase {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["RESEQ_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_126
    static let iterations = environment["RESEQ_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 5000
    static let seconds = environment["RESEQ_FUZZ_SECONDS"].flatMap(Double.init)

    /// Runs `body` for each iteration with its own generator, until the count or time is up.
    private func fuzz(_ name: String, _ body: (inout SplitMix64, Int) throws -> Void) rethrows {
        let deadline = Self.seconds.map { Date().addingTimeInterval($0) }
        var iteration = 0
        while deadline.map({ Date() < $0 }) ?? (iteration < Self.iterations) {
            var random = SplitMix64(state: Self.seed &+ UInt64(iteration) &* 0x1000_0001)
            try body(&random, iteration)
            iteration += 1
        }
        print("fuzz \(name): \(iteration) iterations, seed \(Self.seed)")
    }

    // MARK: - Generators

    static let pieces = ["a", "id", "seq", "\"", "'", ";", "$$", "--", "/*", "*/", "\n", "\r", "\t", " ",
                         "select", "DROP TABLE x", "\\", "é", "🚀", "%s", "E'", "U&", "\u{2028}", "public", "."]

    static func name(_ random: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 1...5, using: &random) { text += pieces.randomElement(using: &random)! }
        while text.utf8.count > 63 { text.removeLast() }
        return text.isEmpty ? "x" : text
    }

    static func int64(_ random: inout SplitMix64, in range: ClosedRange<Int64>) -> Int64 {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return range.lowerBound
        case 1: return range.upperBound
        case 2: return min(max(0, range.lowerBound), range.upperBound)
        case 3: return min(max(1, range.lowerBound), range.upperBound)
        default: return Int64.random(in: range, using: &random)
        }
    }

    static func sequence(_ random: inout SplitMix64, schema: String) -> SequenceInfo {
        let type = [SequenceType.smallint, .integer, .bigint].randomElement(using: &random)!
        let a = int64(&random, in: type.range)
        let b = int64(&random, in: type.range)
        let low = min(a, b), high = max(a, b)
        var increment = int64(&random, in: -1_000_000...1_000_000)
        if Bool.random(using: &random) { increment = [Int64.min + 1, Int64.max, -1, 1, 7].randomElement(using: &random)! }
        if increment == 0 { increment = 1 }
        return SequenceInfo(
            name: QualifiedName(schema: schema, name: name(&random)), owner: name(&random), dataType: type,
            start: int64(&random, in: low...high), increment: increment, minValue: low, maxValue: high,
            cache: Bool.random(using: &random) ? 1 : int64(&random, in: 1...Int64.max), cycle: Bool.random(using: &random),
            unlogged: Bool.random(using: &random),
            lastValue: Int.random(in: 0..<5, using: &random) == 0 ? nil : int64(&random, in: low...high),
            isCalled: Bool.random(using: &random))
    }

    static func snapshot(_ random: inout SplitMix64, from base: Snapshot? = nil) -> Snapshot {
        let schemas = (0..<2).map { _ in name(&random) }
        var sequences: [SequenceInfo] = []
        var columns: [ColumnInfo] = []
        let info = DatabaseInfo(name: name(&random), host: name(&random), port: "5432", serverVersion: "15",
                                serverVersionNumber: 150000, systemIdentifier: Bool.random(using: &random) ? nil : "\(random.next())",
                                capturedAt: Date(timeIntervalSince1970: 1_800_000_000))
        if let base {
            // A target: some of the source's objects, some changed, some missing, some new.
            for var sequence in base.sequences where Bool.random(using: &random) {
                if Bool.random(using: &random) { sequence = Self.sequence(&random, schema: sequence.name.schema).renamed(sequence.name) }
                sequences.append(sequence)
            }
            for var column in base.columns where Int.random(in: 0..<4, using: &random) > 0 {
                if Bool.random(using: &random) { column.defaultSequence = nil; column.defaultExpression = nil }
                if Bool.random(using: &random) { column.identity = nil }
                if Bool.random(using: &random) { column.maxValue = int64(&random, in: Int64.min...Int64.max); column.minValue = nil }
                columns.append(column)
            }
        }
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            var sequence = Self.sequence(&random, schema: schemas.randomElement(using: &random)!)
            guard !sequences.contains(where: { $0.name == sequence.name }) else { continue }
            let table = QualifiedName(schema: sequence.name.schema, name: name(&random))
            let ref = ColumnRef(table: table, column: name(&random))
            var column = ColumnInfo(ref: ref, dataType: sequence.dataType.rawValue, notNull: Bool.random(using: &random),
                                    tableOwner: name(&random))
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                column.defaultSequence = sequence.name
                column.defaultExpression = SQL.nextval(sequence.name)
            case 1:
                column.defaultSequence = sequence.name
                column.defaultExpression = SQL.nextval(sequence.name)
                sequence.ownedBy = ref
            case 2:
                sequence.ownedBy = ref
                sequence.isIdentity = true
                column.identity = Bool.random(using: &random) ? .always : .byDefault
            default:
                break
            }
            let high = int64(&random, in: Int64.min...Int64.max)
            column.maxValue = high
            column.minValue = Bool.random(using: &random) ? int64(&random, in: Int64.min...high) : nil
            sequences.append(sequence)
            if !columns.contains(where: { $0.ref == ref }) { columns.append(column) }
        }
        return Snapshot(database: info, sequences: sequences, columns: columns)
    }

    // MARK: - Properties

    /// Mutated snapshot files: each decodes, or fails with a SnapshotFileError naming the
    /// file; never a crash or another error. What decodes re-encodes to the same snapshot.
    func testDecoderNeverCrashesOnMutatedFiles() throws {
        var decoded = 0
        try fuzz("decoder") { random, iteration in
            var bytes = [UInt8](try Self.snapshot(&random).jsonData())
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<7, using: &random) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.removeSubrange(at..<bytes.count)
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
                case 3: bytes.insert(contentsOf: Array(["0", "-1", "1e400", "9223372036854775808", "null", "\"\"", "[]", "{}", "\"\\u0000\"", "1.5"]
                    .randomElement(using: &random)!.utf8), at: at)
                case 4:
                    // Replace a digit run with an extreme.
                    if let start = bytes[at...].firstIndex(where: { (48...57).contains($0) }) {
                        let end = bytes[start...].firstIndex(where: { !(48...57).contains($0) }) ?? bytes.count
                        bytes.replaceSubrange(start..<end, with: Array(["0", "-9223372036854775808", "9223372036854775807", "99999999999999999999", "2147483648"].randomElement(using: &random)!.utf8))
                    }
                case 5: bytes[at] = [UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ","), 0].randomElement(using: &random)!
                default: break  // unchanged: must decode
                }
            }
            do {
                let snapshot = try Snapshot.decode(Data(bytes), file: "fuzz-\(iteration).json")
                decoded += 1
                // The file format keeps whole seconds: a hand-written "…:01.5Z" reads as 1.5s
                // and writes back as 1s, which changes nothing reseq decides.
                var expected = snapshot
                expected.database.capturedAt = Date(timeIntervalSince1970: snapshot.database.capturedAt.timeIntervalSince1970.rounded(.down))
                let again = try Snapshot.decode(try snapshot.jsonData(), file: "again.json")
                XCTAssertEqual(again, expected, "seed \(Self.seed) iteration \(iteration)")
            } catch let error as SnapshotFileError {
                XCTAssertEqual(error.file, "fuzz-\(iteration).json")
                XCTAssertFalse(error.description.isEmpty)
            } catch {
                XCTFail("seed \(Self.seed) iteration \(iteration): not a SnapshotFileError: \(error)")
            }
        }
        print("fuzz decoder: \(decoded) mutated files decoded")
        XCTAssertGreaterThan(decoded, 0, "no mutated file decoded: the fuzzer tests nothing past the parser")
    }

    /// Random source and target snapshots with hostile names and 64-bit extremes: whatever
    /// passes the validator plans without a crash, and every statement keeps each name inside
    /// quotes (what is left outside is the planner's own keywords, numbers and punctuation)
    /// and ends at its one `;`.
    func testPlannerQuotesEveryNameAndNeverCrashes() throws {
        var planned = 0
        var statements = 0
        try fuzz("planner") { random, iteration in
            let source = Self.snapshot(&random)
            let target = Self.snapshot(&random, from: source)
            guard (try? SnapshotValidator(file: "s").validate(source)) != nil,
                  (try? SnapshotValidator(file: "t").validate(target)) != nil else { return }
            _ = Differ.diff(source: source, target: target)
            let plan = Planner.plan(source: source, target: target, options: .init(headroom: Int64.random(in: 0...1000, using: &random)))
            planned += 1
            for step in plan.steps {
                statements += 1
                let where_ = "seed \(Self.seed) iteration \(iteration): \(step.sql.debugDescription)"
                XCTAssertFalse(step.sql.utf8.contains(0), where_)
                let foreign = SQLLexer.foreign(in: step.sql)
                XCTAssertEqual(foreign.words, [], where_)
                XCTAssertEqual(foreign.punctuation, [], where_)
                XCTAssertFalse(foreign.unterminated, where_)
                XCTAssertEqual(SQLLexer.unquoted(step.sql).punctuation.filter { $0 == ";" }.count, 1, where_)
                XCTAssertTrue(step.sql.hasSuffix(";"), where_)
            }
            let script = PlanScript.render(plan, source: source.database, target: target.database)
            let foreign = SQLLexer.foreign(in: script)
            XCTAssertEqual(foreign.words, [], "seed \(Self.seed) iteration \(iteration): the script")
            XCTAssertEqual(foreign.punctuation, [], "seed \(Self.seed) iteration \(iteration): the script")
        }
        XCTAssertGreaterThan(planned, Self.seconds == nil ? Self.iterations / 4 : 1)
        XCTAssertGreaterThan(statements, planned)
        print("fuzz planner: \(planned) plans, \(statements) statements checked")
    }
}

private extension SequenceInfo {
    func renamed(_ name: QualifiedName) -> SequenceInfo {
        var copy = self
        copy.name = name
        return copy
    }
}
