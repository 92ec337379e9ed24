import Foundation
import PostgresClient

/// Reads the `CatalogSQL.aclJSON` columns of one snapshot's shape: each distinct text decoded
/// once, since most lists repeat (a table granted like its neighbours, every column without).
final class ACLReader {
    private var known: [String: [Grant]] = [:]

    /// The row's list; nil for the default.
    func grants(_ result: QueryResult, _ row: Int, column: String = "acl") throws -> [Grant]? {
        guard let text = try result.optionalString(row, column) else { return nil }
        if let grants = known[text] { return grants }
        guard let entries = try? JSONDecoder().decode([ACLEntry].self, from: Data(text.utf8)) else {
            throw SnapshotError("an access list could not be read (\(text)); report this as a bug of reseq.")
        }
        let grants = ACLEntry.grants(entries).sorted()
        known[text] = grants
        return grants
    }
}
