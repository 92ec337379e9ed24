internal import CLibPQ
import Foundation

/// Reading connection strings the way libpq does (`PQconninfoParse`), never by hand.
public enum ConnInfo {
    /// Where a connection string points, for display: the host as given (or the socket
    /// directory), port, database and user, filled from `PG*` variables and libpq's defaults
    /// where the string leaves them out.
    public static func describe(_ conninfo: String) throws
        -> (host: String, port: String, database: String, user: String)
    {
        let given = try parse(conninfo)
        let defaults = defaultValues()
        func pick(_ key: String) -> String? {
            if let value = given[key]?.value, !value.isEmpty { return value }
            if let value = defaults[key], !value.isEmpty { return value }
            return nil
        }
        let user = pick("user") ?? ""
        return (
            host: pick("host") ?? pick("hostaddr") ?? "local socket",
            port: pick("port") ?? "5432",
            database: pick("dbname") ?? user,
            user: user
        )
    }

    /// The connection string in `key=value` form with every secret (password, sslpassword)
    /// replaced by `********`. An unparseable string is not shown at all, since it may hold one.
    public static func redacted(_ conninfo: String) -> String {
        guard let options = try? parse(conninfo) else {
            return "(connection string not shown: libpq cannot parse it)"
        }
        return options.values
            .sorted { $0.order < $1.order }
            .map { option in
                let shown = option.secret ? "********" : quote(option.value)
                return "\(option.keyword)=\(shown)"
            }
            .joined(separator: " ")
    }

    /// libpq's message about `conninfo` with every secret taken out. libpq quotes pieces of a
    /// string it cannot parse back (a malformed URI is echoed whole, password included), so
    /// then every quoted piece of the string that is not a keyword is hidden; when it parses,
    /// the password and sslpassword values (and `PGPASSWORD`) are hidden wherever they appear.
    public static func scrub(_ message: String, conninfo: String) -> String {
        var secrets = envSecrets()
        guard let options = try? parse(conninfo) else {
            return mask(scrubUnparsed(message, conninfo: conninfo), secrets)
        }
        secrets += options.values.filter { $0.secret && !$0.value.isEmpty }.map(\.value)
        return mask(message, secrets)
    }

    /// Hides every quoted piece of a message about a string libpq could not parse that comes
    /// from the string itself and is not a keyword.
    private static func scrubUnparsed(_ message: String, conninfo: String) -> String {
        let keywords = Set(defaultKeywords())
        var out = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(of: "\"") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "\"") else {
                rest = rest[open...]
                break
            }
            let inner = String(rest[afterOpen..<close])
            out += keywords.contains(inner) || !conninfo.contains(inner) || inner.count <= 1 ? "\"\(inner)\"" : "\"…\""
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    private static func mask(_ text: String, _ secrets: [String]) -> String {
        secrets.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "********") }
    }

    private static func envSecrets() -> [String] {
        guard let value = getenv("PGPASSWORD").map({ String(cString: $0) }), !value.isEmpty else { return [] }
        return [value]
    }

    private static func defaultKeywords() -> [String] {
        guard let options = PQconndefaults() else { return [] }
        defer { PQconninfoFree(options) }
        var result: [String] = []
        var index = 0
        while let keyword = options[index].keyword {
            result.append(String(cString: keyword))
            index += 1
        }
        return result
    }

    /// `host:port/database` for error messages.
    static func target(_ conninfo: String) -> String {
        guard let parts = try? describe(conninfo) else { return "the server" }
        return "\(parts.host):\(parts.port)/\(parts.database)"
    }

    /// A value quoted as libpq reads it back: single quotes, `\` before `'` and `\`.
    public static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0.isWhitespace }
        if plain { return value }
        var out = "'"
        for character in value {
            if character == "'" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "'"
    }

    struct Option {
        var keyword: String
        var value: String
        var secret: Bool
        var order: Int
    }

    /// The options the string sets explicitly, keyed by keyword.
    static func parse(_ conninfo: String) throws -> [String: Option] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            var message = "out of memory"
            if let errorMessage {
                message = String(cString: errorMessage).trimmingTrailingNewlines()
                PQfreemem(errorMessage)
            }
            throw PostgresError(kind: .connection, message: "invalid connection string: \(mask(scrubUnparsed(message, conninfo: conninfo), envSecrets()))", target: "the server")
        }
        defer { PQconninfoFree(options) }
        var result: [String: Option] = [:]
        var index = 0
        while let keyword = options[index].keyword {
            if let value = options[index].val {
                let display = options[index].dispchar.map { String(cString: $0) } ?? ""
                let name = String(cString: keyword)
                result[name] = Option(keyword: name, value: String(cString: value), secret: display == "*", order: index)
            }
            index += 1
        }
        return result
    }

    /// libpq's defaults, with the `PG*` variables applied.
    static func defaultValues() -> [String: String] {
        guard let options = PQconndefaults() else { return [:] }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var index = 0
        while let keyword = options[index].keyword {
            if let value = options[index].val {
                result[String(cString: keyword)] = String(cString: value)
            }
            index += 1
        }
        return result
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}
