import ArgumentParser
import Foundation
import ReseqCore

/// An error the user made or must act on; its text says what and what to do.
struct UserError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Output {
    /// Writes to FILE, or to stdout when `path` is nil or `-`.
    static func write(_ text: String, to path: String?) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String?) throws {
        try write([data], to: path)
    }

    /// Bytes as they are, part after part as the sequence hands them out: a 50,000-table
    /// snapshot is 190 MB, and joining its parts first would cost a copy. A file is written
    /// whole or not at all: to a temporary file beside it, renamed over it at the end.
    static func write<Parts: Sequence>(_ parts: Parts, to path: String?) throws where Parts.Element: DataProtocol {
        guard let path, path != "-" else {
            for part in parts { try FileHandle.standardOutput.write(contentsOf: part) }
            return
        }
        let file = URL(fileURLWithPath: path)
        let temporary = file.deletingLastPathComponent()
            .appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data().write(to: temporary, options: .withoutOverwriting)
            do {
                let handle = try FileHandle(forWritingTo: temporary)
                defer { try? handle.close() }
                for part in parts { try handle.write(contentsOf: part) }
            }
            guard rename(temporary.path, file.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            let reason = error.localizedDescription.hasSuffix(".") ? String(error.localizedDescription.dropLast()) : error.localizedDescription
            throw UserError("cannot write \(path): \(reason). Check that the folder exists and is writable.")
        }
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

enum SnapshotFile {
    static func load(_ path: String) throws -> Snapshot {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw UserError("cannot read snapshot \(path): \(error.localizedDescription). Check the path; snapshots are written by `reseq snapshot --output FILE`.")
        }
        return try Snapshot.decode(data, file: path)
    }

    /// Loads two snapshots at once, one per core: JSON decoding is most of `diff`'s time.
    static func loadPair(_ first: String, _ second: String) throws -> (Snapshot, Snapshot) {
        let (a, b) = concurrently({ Result { try load(first) } }, { Result { try load(second) } })
        return (try a.get(), try b.get())
    }
}

/// A duration option as written: `--lock-timeout 5s`, `--read-timeout 500ms`.
struct TimeLimit: ExpressibleByArgument {
    /// A limit that may be `0`, for none: `--build-timeout 0`.
    struct OrNone: ExpressibleByArgument {
        var milliseconds: Int
        var text: String
        init?(argument: String) {
            if argument.trimmingCharacters(in: .whitespaces) == "0" {
                (milliseconds, text) = (0, argument)
            } else if let limit = TimeLimit(argument: argument) {
                (milliseconds, text) = (limit.milliseconds, argument)
            } else {
                return nil
            }
        }
        var defaultValueDescription: String { text }
    }

    var milliseconds: Int
    var text: String
    init?(argument: String) {
        guard let milliseconds = DurationText.milliseconds(argument) else { return nil }
        self.milliseconds = milliseconds
        self.text = argument
    }
    /// `--help` shows the default as written ("5s"), not the struct.
    var defaultValueDescription: String { text }
}
