import Foundation
import PostgresClient
import PostgresTestSupport
import XCTest
@testable import ReseqCore

/// Schemas nobody here wrote (Fixtures/public/, each file's header names its repository, path,
/// commit and license): Pagila, the sample database, and Synapse, the Matrix homeserver. Loaded
/// twice they diff with not one finding, on one major and across majors; a copy made to look like
/// what DMS leaves (scripts/dms-shape-copy.sql) is told, object by object, what it lost.
final class PublicSchemaTests: VersionClustersTestCase {

    private static let pagila = "Tests/ReseqCoreTests/Fixtures/public/pagila.sql"
    private static let synapse = "Tests/ReseqCoreTests/Fixtures/public/synapse.sql"

    // MARK: no noise

    func testPagilaLoadedTwice15To15() throws { try noNoise(Self.pagila, from: 15, to: 15) }
    func testPagilaLoadedTwice15To18() throws { try noNoise(Self.pagila, from: 15, to: 18) }
    func testPagilaLoadedTwice18To15() throws { try noNoise(Self.pagila, from: 18, to: 15) }
    func testSynapseLoadedTwice15To15() throws { try noNoise(Self.synapse, from: 15, to: 15) }
    func testSynapseLoadedTwice15To18() throws { try noNoise(Self.synapse, from: 15, to: 18) }
    func testSynapseLoadedTwice18To15() throws { try noNoise(Self.synapse, from: 18, to: 15) }

    private func noNoise(_ fixture: String, from sourceVersion: Int, to targetVersion: Int) throws {
        let (before, findings) = try loadedTwice(fixture, from: sourceVersion, to: targetVersion)
        // The schema was read, not an empty database.
        XCTAssertGreaterThan(try XCTUnwrap(before.schema).tables.count, 10)
        XCTAssertEqual(findings, [], "\(fixture) \(sourceVersion)→\(targetVersion):\n\(describe(findings))")
    }

    // MARK: what DMS leaves

    private func assertTold(_ expected: [(String, Finding.Severity)], _ told: [String: Finding.Severity],
                            _ findings: [Finding], file: StaticString = #filePath, line: UInt = #line) {
        for (finding, severity) in expected {
            XCTAssertEqual(told[finding], severity, "\(finding) not told as \(severity):\n\(describe(findings))",
                           file: file, line: line)
        }
        // Nothing that was kept is told as lost: the primary keys, and the rows' tables.
        XCTAssertFalse(findings.contains { $0.kind == .primaryKeyMissing || $0.kind == .tableMissing },
                       describe(findings), file: file, line: line)
    }

    private func count(_ kind: Finding.Kind, in findings: [Finding]) -> Int {
        findings.filter { $0.kind == kind }.count
    }

    func testPagilaDMSShapedNamesWhatItLost() throws {
        let (findings, told) = try dmsShaped(Self.pagila)
        assertTold([
            ("sequenceMissing public.actor_actor_id_seq", .error),
            ("sequenceMissing public.film_film_id_seq", .error),
            ("defaultMissing public.actor.actor_id", .error),
            ("defaultMissing public.film.rating", .error),
            ("defaultMissing public.customer.create_date", .error),
            ("foreignKeyMissing public.film.film_language_id_fkey", .error),
            ("foreignKeyMissing public.rental.rental_inventory_id_fkey", .error),
            ("foreignKeyMissing public.payment_p2022_01.payment_p2022_01_customer_id_fkey", .error),
            ("uniqueMissing public.idx_unq_rental_rental_date_inventory_id_customer_id", .error),
            ("uniqueMissing public.idx_unq_manager_staff_id", .error),
            ("indexMissing public.idx_title", .warning),
            ("indexMissing public.film_fulltext_idx", .warning),
            ("indexMissing public.idx_fk_payment_p2022_01_staff_id", .warning),
            ("triggerMissing public.film.film_fulltext_trigger", .error),
            ("triggerMissing public.actor.last_updated", .error),
            ("viewMissing public.actor_info", .error),
            ("viewMissing public.sales_by_store", .error),
            ("viewMissing public.rental_by_category", .error),  // the materialized one
            ("functionMissing public.last_updated()", .error),
            ("functionMissing public.film_in_stock(p_film_id integer, p_store_id integer, OUT p_film_count integer)", .error),
            ("functionMissing public.group_concat(text)", .error),  // the aggregate
            ("typeMissing public.mpaa_rating", .error),
            ("typeMissing public.year", .error),
            ("typeMissing public.bıgınt", .error),
            ("columnTypeDiffers public.film.rating", .error),
            ("columnTypeDiffers public.film.release_year", .error),
            ("columnTypeDiffers public.film.special_features", .error),
            ("columnTypeDiffers public.customer.activebool", .error),
            ("tableDiffers public.payment", .warning),
            ("tableDiffers public.payment_p2022_01", .error),
        ], told, findings)
        // Every one of Pagila's objects of these kinds, not only those named above.
        XCTAssertEqual(count(.viewMissing, in: findings), 8, describe(findings))
        XCTAssertEqual(count(.triggerMissing, in: findings), 15, describe(findings))
        XCTAssertEqual(count(.typeMissing, in: findings), 3, describe(findings))
        XCTAssertEqual(count(.functionMissing, in: findings), 10, describe(findings))
        // The 55 detached partitions' own primary keys are told by their tableDiffers, once each.
        XCTAssertEqual(findings.filter { $0.kind == .onlyOnTarget && $0.object.hasPrefix("public.payment_p") }.map(\.object), [])
        let sequence = try XCTUnwrap(findings.first { $0.object == "public.actor_actor_id_seq" })
        XCTAssertEqual(sequence.sourceValue, "last_value 3, is_called true")
        let rating = try XCTUnwrap(findings.first { $0.kind == .columnTypeDiffers && $0.object == "public.film.rating" })
        XCTAssertEqual(rating.sourceValue, "public.mpaa_rating")
        XCTAssertEqual(rating.targetValue, "character varying")
        let enumType = try XCTUnwrap(findings.first { $0.object == "public.mpaa_rating" })
        XCTAssertEqual(enumType.sourceValue, "enum (G, PG, PG-13, R, NC-17)")
    }

    func testSynapseDMSShapedNamesWhatItLost() throws {
        let (findings, told) = try dmsShaped(Self.synapse)
        assertTold([
            ("sequenceMissing public.events_stream_seq", .error),
            ("sequenceMissing public.account_data_sequence", .error),
            ("sequenceMissing public.instance_map_instance_id_seq", .error),
            ("defaultMissing public.instance_map.instance_id", .error),
            ("defaultMissing public.users.admin", .error),
            ("foreignKeyMissing public.event_edges.event_edges_event_id_fkey", .error),
            ("foreignKeyMissing public.access_tokens.access_tokens_refresh_token_id_fkey", .error),
            ("foreignKeyMissing public.users_to_send_full_presence_to.users_to_send_full_presence_to_user_id_fkey", .error),
            ("uniqueMissing public.events.events_event_id_key", .error),
            ("uniqueMissing public.access_tokens.access_tokens_token_key", .error),
            ("uniqueMissing public.events_stream_ordering", .error),
            ("checkMissing public.appservice_stream_position.appservice_stream_position_lock_check", .error),
            ("indexMissing public.events_room_stream", .warning),
            ("indexMissing public.event_search_fts_idx", .warning),
            ("indexMissing public.event_push_actions_highlights_index", .warning),
            ("triggerMissing public.partial_state_events.check_partial_state_events", .error),
            ("functionMissing public.check_partial_state_events()", .error),
            ("columnTypeDiffers public.events.outlier", .error),
            ("columnTypeDiffers public.rooms.is_public", .error),
            ("columnTypeDiffers public.cache_invalidation_stream_by_instance.keys", .error),
        ], told, findings)
        // Every one of Synapse's sequences and foreign keys, not only those named above.
        XCTAssertEqual(count(.sequenceMissing, in: findings), 12, describe(findings))
        XCTAssertEqual(count(.foreignKeyMissing, in: findings), 14, describe(findings))
        let stream = try XCTUnwrap(findings.first { $0.object == "public.events_stream_seq" })
        XCTAssertEqual(stream.sourceValue, "last_value 57, is_called true")
        let outlier = try XCTUnwrap(findings.first { $0.kind == .columnTypeDiffers && $0.object == "public.events.outlier" })
        XCTAssertEqual(outlier.sourceValue, "boolean")
        XCTAssertEqual(outlier.targetValue, "character varying(5)")
    }
}
