/// Quoting for the SQL the planner writes. Pure Swift so that it can be tested without a server;
/// every name in a plan goes through here, whatever it looks like.
public enum SQL {
    /// `"name"`, with every `"` doubled. Always quoted: upper case, spaces, keywords and
    /// newlines all survive as they are.
    public static func identifier(_ name: String) -> String {
        quoted(name, with: UInt8(ascii: "\""))
    }

    /// `"schema"."name"`.
    public static func qualified(_ name: QualifiedName) -> String {
        identifier(name.schema) + "." + identifier(name.name)
    }

    /// `'text'`, with every `'` doubled. Safe with `standard_conforming_strings` on (the
    /// default since PostgreSQL 9.1); the plan sets it explicitly.
    public static func literal(_ text: String) -> String {
        quoted(text, with: UInt8(ascii: "'"))
    }

    /// `text` between two `quote`s, each `quote` inside doubled. Byte by byte: a 50,000-table
    /// plan quotes a few hundred thousand names, and Foundation's replacingOccurrences took
    /// a tenth of a reconcile's CPU.
    private static func quoted(_ text: String, with quote: UInt8) -> String {
        var bytes: [UInt8] = [quote]
        bytes.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            if byte == quote { bytes.append(quote) }
            bytes.append(byte)
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `nextval('"schema"."name"'::regclass)`, the default PostgreSQL itself writes for serial.
    public static func nextval(_ sequence: QualifiedName) -> String {
        "nextval(" + literal(qualified(sequence)) + "::regclass)"
    }

    /// A `--` comment; line breaks in the text are folded so the comment cannot end early.
    public static func comment(_ text: String) -> String {
        "-- " + text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

extension SQL {
    /// A deparsed definition as one statement: trailing space and `;` trimmed, one `;` added.
    static func statement(_ definition: String) -> String {
        var text = Substring(definition)
        while let last = text.last, last.isWhitespace || last == ";" { text.removeLast() }
        return text + ";"
    }
}
