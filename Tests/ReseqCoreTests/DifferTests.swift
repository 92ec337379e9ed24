import XCTest
@testable import ReseqCore

final class DifferTests: XCTestCase {
    private typealias F = Fixtures

    private func findings(_ source: Snapshot, _ target: Snapshot, _ kind: Finding.Kind) -> [Finding] {
        Differ.diff(source: source, target: target).filter { $0.kind == kind }
    }

    private func pair(_ sequence: SequenceInfo, _ column: ColumnInfo?,
                      target targetSequence: SequenceInfo?, _ targetColumn: ColumnInfo?) -> (Snapshot, Snapshot) {
        (Snapshot(database: F.database("app", host: "old-ec2"), sequences: [sequence], columns: column.map { [$0] } ?? []),
         Snapshot(database: F.database("app", host: "rds"), sequences: targetSequence.map { [$0] } ?? [],
                  columns: targetColumn.map { [$0] } ?? []))
    }

    func testTheIncidentSaysInsertsWillFail() {
        let (source, target) = F.incident()
        let missing = findings(source, target, .defaultMissing)
        XCTAssertEqual(missing.map(\.object), ["public.django_migrations.id", "public.links_link.id"])
        XCTAssertEqual(missing.first?.consequence, "inserts into public.django_migrations will fail: id has no default.")
        XCTAssertEqual(missing.first?.severity, .error)
        XCTAssertEqual(findings(source, target, .sequenceMissing).map(\.object),
                       ["billing.invoice_number", "public.django_migrations_id_seq", "public.events_id_seq", "public.links_link_id_seq"])
        let identity = findings(source, target, .identityMissing)
        XCTAssertEqual(identity.map(\.object), ["public.events.id"])
        XCTAssertEqual(identity.first?.consequence, "inserts into public.events will fail: id has no default.")
    }

    func testMatchingTargetIsClean() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        let (source, target) = pair(sequence, column, target: sequence, column)
        XCTAssertEqual(Differ.diff(source: source, target: target), [])
    }

    func testDefinitionDifferencesAreNamedField(){
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        var other = sequence
        other.increment = 2
        other.cache = 20
        other.cycle = true
        other.unlogged = true
        other.dataType = .bigint
        other.start = 5
        other.minValue = 0
        other.maxValue = 99_999
        let (source, target) = pair(sequence, column, target: other, column)
        let differing = findings(source, target, .definitionDiffers)
        XCTAssertEqual(differing.map { $0.consequence.components(separatedBy: " ")[0] }.sorted(), [
            "cache", "cycle", "increment", "maxvalue", "minvalue", "persistence", "start", "type",
        ])
        XCTAssertTrue(differing.allSatisfy { $0.severity == .warning })
        XCTAssertEqual(differing.first { $0.consequence.hasPrefix("increment") }?.sourceValue, "1")
        XCTAssertEqual(differing.first { $0.consequence.hasPrefix("increment") }?.targetValue, "2")
    }

    func testDefaultOnAnotherSequenceDiffers() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        var targetColumn = column
        targetColumn.defaultSequence = F.name("public", "other_seq")
        targetColumn.defaultExpression = "nextval('other_seq'::regclass)"
        let (source, target) = pair(sequence, column, target: sequence, targetColumn)
        let differs = findings(source, target, .defaultDiffers)
        XCTAssertEqual(differs.count, 1)
        XCTAssertEqual(differs.first?.severity, .error)
        XCTAssertEqual(differs.first?.consequence, "inserts into public.t draw id from public.other_seq, not from public.t_id_seq.")
    }

    func testNonSequenceDefaultDiffers() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        var targetColumn = column
        targetColumn.defaultSequence = nil
        targetColumn.defaultExpression = "0"
        let (source, target) = pair(sequence, column, target: sequence, targetColumn)
        XCTAssertEqual(findings(source, target, .defaultDiffers).first?.targetValue, "0")
    }

    func testMissingOwnedBy() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        var targetSequence = sequence
        targetSequence.ownedBy = nil
        let (source, target) = pair(sequence, column, target: targetSequence, column)
        let missing = findings(source, target, .ownershipMissing)
        XCTAssertEqual(missing.map(\.severity), [.warning])
        XCTAssertEqual(missing.first?.targetValue, "none")
    }

    func testIdentityLostOrChanged() {
        let ref = F.column("public", "events")
        let sequence = SequenceInfo(name: F.name("public", "events_id_seq"), owner: "app", lastValue: 5,
                                    isCalled: true, ownedBy: ref, isIdentity: true)
        let column = ColumnInfo(ref: ref, tableOwner: "app", identity: .always, maxValue: 5, minValue: 1)
        var changed = column
        changed.identity = .byDefault
        let (source, target) = pair(sequence, column, target: sequence, changed)
        XCTAssertEqual(findings(source, target, .identityDiffers).first?.targetValue, "GENERATED BY DEFAULT AS IDENTITY")

        let (source2, target2) = pair(sequence, column, target: nil, F.copied(column))
        XCTAssertEqual(findings(source2, target2, .identityMissing).map(\.severity), [.error])

        // Fixed by hand with a serial-style default: inserts work, the schema still differs.
        var handFixed = F.copied(column)
        handFixed.defaultSequence = F.name("public", "events_id_seq")
        handFixed.defaultExpression = "nextval('events_id_seq'::regclass)"
        var handSequence = sequence
        handSequence.isIdentity = false
        let (source3, target3) = pair(sequence, column, target: handSequence, handFixed)
        XCTAssertEqual(findings(source3, target3, .identityMissing).map(\.severity), [.warning])
    }

    func testTargetBehindTheSource() {
        let (sequence, column) = F.serial("public", "t", last: 900, max: 10)
        var restarted = sequence
        restarted.lastValue = 1
        restarted.isCalled = false
        let (source, target) = pair(sequence, column, target: restarted, F.copied(column, max: 10))
        let behind = findings(source, target, .behindSource)
        XCTAssertEqual(behind.count, 1)
        XCTAssertEqual(behind.first?.sourceValue, "next 901")
        XCTAssertEqual(behind.first?.targetValue, "next 1")
        XCTAssertEqual(findings(source, target, .behindData).count, 1)
    }

    func testTargetBehindItsOwnData() {
        let (sequence, column) = F.serial("public", "links_link", last: 5119, max: 5119)
        var behind = sequence
        behind.lastValue = 5119
        let (source, target) = pair(sequence, column, target: behind, F.copied(column, max: 6000))
        let collide = findings(source, target, .behindData)
        XCTAssertEqual(collide.first?.consequence,
                       "the next insert into public.links_link collides with id 5120, which id already holds (max 6000).")
        XCTAssertEqual(findings(source, target, .behindSource), [])
    }

    func testTargetAheadIsFine() {
        let (sequence, column) = F.serial("public", "t", last: 100, max: 100)
        var ahead = sequence
        ahead.lastValue = 5000
        var moved = column
        moved.maxValue = 4000
        let (source, target) = pair(sequence, column, target: ahead, moved)
        XCTAssertEqual(Differ.diff(source: source, target: target), [])
    }

    func testNegativeIncrementBehindData() {
        let sequence = SequenceInfo(name: F.name("public", "down"), owner: "app", start: -1, increment: -1,
                                    minValue: -1000, maxValue: -1, lastValue: -10, isCalled: true)
        var column = ColumnInfo(ref: F.column("public", "down_t"), tableOwner: "app",
                                defaultExpression: "nextval('down'::regclass)",
                                defaultSequence: sequence.name, maxValue: -1, minValue: -10)
        let (source, target) = pair(sequence, column, target: sequence, {
            column.minValue = -20
            return column
        }())
        XCTAssertEqual(findings(source, target, .behindData).first?.sourceValue, "min(id) = -20")
    }

    func testValueOutOfRangeIsAnError() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10, type: .smallint)
        let (source, target) = pair(sequence, column, target: sequence, F.copied(column, max: 32767))
        XCTAssertEqual(findings(source, target, .valueOutOfRange).map(\.severity), [.error])
    }

    func testSequenceOnlyOnTargetIsInformational() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        let extra = SequenceInfo(name: F.name("public", "audit_seq"), owner: "app")
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [sequence], columns: [column])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [sequence, extra], columns: [column])
        let only = Differ.diff(source: source, target: target)
        XCTAssertEqual(only.map(\.kind), [.onlyOnTarget])
        XCTAssertEqual(only.map(\.severity), [.info])
    }

    func testExtensionSequencesAreLeftAlone() {
        var sequence = SequenceInfo(name: F.name("public", "ext_seq"), owner: "app")
        sequence.fromExtension = "postgis"
        let source = Snapshot(database: F.database("a", host: "old-ec2"), sequences: [sequence], columns: [])
        let target = Snapshot(database: F.database("a", host: "rds"), sequences: [], columns: [])
        XCTAssertEqual(Differ.diff(source: source, target: target), [])
    }

    func testUnreadPositionsAndDataAreWarnings() {
        let (sequence, column) = F.serial("public", "t", last: 10, max: 10)
        var hidden = sequence
        hidden.lastValue = nil
        let (source, target) = pair(sequence, column, target: hidden, column)
        XCTAssertEqual(findings(source, target, .positionUnknown).map(\.severity), [.warning])

        var skipped = F.copied(column)
        skipped.dataRead = .skipped
        skipped.maxValue = nil
        let (source2, target2) = pair(sequence, column, target: sequence, skipped)
        XCTAssertEqual(findings(source2, target2, .dataUnknown).map(\.object), ["public.t.id"])
    }
}
