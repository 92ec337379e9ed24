import Foundation

public extension Snapshot {
    /// The snapshot as a stable JSON file: sorted keys, ISO 8601 dates, trailing newline.
    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads and validates a snapshot file; errors name `file` and the offending field.
    static func decode(_ data: Data, file: String) throws -> Snapshot {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        // The version first: a newer file may not decode at all, and that is the real reason.
        struct VersionProbe: Decodable { var formatVersion: Int }
        do {
            let version = try decoder.decode(VersionProbe.self, from: data).formatVersion
            guard version == Snapshot.currentFormatVersion else {
                throw SnapshotFileError(
                    file: file, field: "formatVersion",
                    problem: "version \(version) is not supported; this reseq reads version \(Snapshot.currentFormatVersion). Use the reseq that wrote the file, or take the snapshot again.")
            }
            let snapshot = try decoder.decode(Snapshot.self, from: data)
            try SnapshotValidator(file: file).validate(snapshot)
            return snapshot
        } catch let error as DecodingError {
            throw SnapshotFileError(file: file, decoding: error)
        }
    }
}
