import Foundation

/// Quoting for the SQL the planner writes. Pure Swift so that it can be tested without a server;
/// every name in a plan goes through here, whatever it looks like.
public enum SQL {
    /// `"name"`, with every `"` doubled. Always quoted: upper case, spaces, keywords and
    /// newlines all survive as they are.
    public static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `"schema"."name"`.
    public static func qualified(_ name: QualifiedName) -> String {
        identifier(name.schema) + "." + identifier(name.name)
    }

    /// `'text'`, with every `'` doubled. Safe with `standard_conforming_strings` on (the
    /// default since PostgreSQL 9.1); the plan sets it explicitly.
    public static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
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
