import Foundation

/// The only escaping reseq does by hand: text placed in a GitHub-flavoured Markdown table
/// cell or list item, so that no value (a hostile sequence name) can end a cell or add markup.
enum MarkdownText {
    /// Characters GFM may read as markup or as a cell border, each backslash-escaped.
    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "&", "~"]

    /// Prose: markup characters backslash-escaped, line breaks turned into spaces.
    static func text(_ s: String) -> String {
        // Most names need nothing: skip the Character walk (it dominated large reports).
        if !s.utf8.contains(where: needsEscape) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            if c.isNewline { out.append(" ") } else {
                if special.contains(c) { out.append("\\") }
                out.append(c)
            }
        }
        return out
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<0x20, UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Code (SQL, values): a code span, whose content GFM takes literally, with `|` escaped
    /// for the table. A `\|` already in the value cannot be told apart from our escape, so
    /// such a value (and an empty one) falls back to `text`.
    static func code(_ s: String) -> String {
        let plain = !s.isEmpty && !s.utf8.contains {
            $0 < 0x20 || $0 == UInt8(ascii: "`") || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\\")
        }
        if plain { return "`" + s + "`" }
        let flat = String(s.map { $0.isNewline ? " " : $0 })
        if flat.isEmpty || flat.contains("\\|") { return text(flat) }
        var longest = 0, run = 0
        for c in flat {
            run = c == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = longest > 0 ? " " : ""
        let body = flat.replacingOccurrences(of: "|", with: "\\|")
        return fence + pad + body + pad + fence
    }
}
