import Foundation

public extension Snapshot {
    /// The snapshot as a stable JSON file: sorted keys, ISO 8601 dates, trailing newline.
    /// Written by `SnapshotJSONWriter`: the bytes `JSONEncoder` would write with
    /// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` and `.iso8601` dates.
    func jsonData() throws -> Data {
        SnapshotJSONWriter.fileData(self)
    }

    /// The bytes of `jsonData()` in parts, in order, to be written one after the other: each
    /// part is handed out as soon as it is encoded, while the rest are encoded in the background.
    func jsonParts() -> some Sequence<[UInt8]> & Sendable {
        SnapshotJSONWriter.fileParts(self)
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
            let known = Snapshot.readableFormatVersions
            guard known.contains(version) else {
                throw SnapshotFileError(
                    file: file, field: "formatVersion",
                    problem: "version \(version) is not supported; this reseq reads versions \(known.lowerBound) to \(known.upperBound). Use the reseq that wrote the file, or take the snapshot again.")
            }
        }
        do {
            let snapshot: Snapshot
            do {
                // The fast reader takes what it is sure of; the decoder names any problem.
                snapshot = try SnapshotJSONReader.read(data) ?? decoder.decode(Snapshot.self, from: data)
            } catch let error as DecodingError {
                try checkVersion()
                throw error
            }
            try checkVersion(snapshot.formatVersion)
            try SnapshotValidator(file: file).validate(snapshot)
            return snapshot
        } catch let error as DecodingError {
            // Foundation reports a number that is no Int64 (1.5, 2^63) as invalid JSON with no
            // path; when the JSON itself parses, find that number and name its field.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
               let (field, text) = firstNonInteger(in: tree, path: "") {
                throw SnapshotFileError(file: file, field: field,
                    problem: "\(text) is not a whole number between -9223372036854775808 and 9223372036854775807")
            }
            throw SnapshotFileError(file: file, decoding: error)
        }
    }

    /// The path and text of the first number (in sorted key order) that is not an exact Int64.
    private static func firstNonInteger(in value: Any, path: String) -> (String, String)? {
        switch value {
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstNonInteger(in: object[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNonInteger(in: element, path: "\(path)[\(index)]") { return found }
            }
        case is Bool, is String:
            return nil
        case let number as NSNumber:
            let text = number.stringValue
            if Int64(text) == nil { return (path.isEmpty ? "(top level)" : path, text) }
        default:
            return nil
        }
        return nil
    }
}
