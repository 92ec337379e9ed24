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
        // The version decides how to read the rest, and a newer file may not decode at all:
        // then the version is the real reason. It is probed only when decoding fails, since
        // probing first would parse every file twice (a quarter of `diff` at 10,000 sequences).
        struct VersionProbe: Decodable { var formatVersion: Int }
        func checkVersion(_ known: Int? = nil) throws {
            let version = try known ?? decoder.decode(VersionProbe.self, from: data).formatVersion
            guard version == Snapshot.currentFormatVersion else {
                throw SnapshotFileError(
                    file: file, field: "formatVersion",
                    problem: "version \(version) is not supported; this reseq reads version \(Snapshot.currentFormatVersion). Use the reseq that wrote the file, or take the snapshot again.")
            }
        }
        do {
            let snapshot: Snapshot
            do {
                snapshot = try decoder.decode(Snapshot.self, from: data)
            } catch let error as DecodingError {
                try checkVersion()
                throw error
            }
            try checkVersion(snapshot.formatVersion)
            try SnapshotValidator(file: file).validate(snapshot)
            return snapshot
        } catch let error as DecodingError {
            throw SnapshotFileError(file: file, decoding: error)
        }
    }
}
