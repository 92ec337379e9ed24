/// A small SQL lexer for tests: what a plan says *outside* quoted identifiers, string literals
/// and comments. A name that escaped quoting would show up here as words or punctuation.
enum SQLLexer {
    struct Unquoted {
        /// Words (letters, digits, `_`) outside quotes and comments.
        var words: [String] = []
        /// Other characters outside quotes, comments and whitespace.
        var punctuation: [Character] = []
        /// A quote left open at the end: the text cannot be trusted.
        var unterminated = false
    }

    static func unquoted(_ sql: String) -> Unquoted {
        var result = Unquoted()
        let characters = Array(sql)
        var index = 0
        var word = ""
        func flush() {
            if !word.isEmpty { result.words.append(word) }
            word = ""
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\"" || character == "'" {
                flush()
                // Quoted: ends at a lone closing quote; a doubled one is part of the text.
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == character {
                        if index + 1 < characters.count, characters[index + 1] == character {
                            index += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    index += 1
                }
                if !closed { result.unterminated = true }
                index += 1
            } else if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                flush()
                while index < characters.count, !characters[index].isNewline { index += 1 }
            } else if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
                index += 1
            } else {
                flush()
                if !character.isWhitespace { result.punctuation.append(character) }
                index += 1
            }
        }
        flush()
        return result
    }

    /// Every word the planner and the plan script write outside quotes.
    static let planWords: Set<String> = [
        "CREATE", "SCHEMA", "IF", "NOT", "EXISTS", "UNLOGGED", "LOGGED", "SEQUENCE", "AS", "smallint",
        "integer", "bigint", "INCREMENT", "BY", "MINVALUE", "MAXVALUE", "START", "WITH", "CACHE", "NO",
        "CYCLE", "ALTER", "TABLE", "COLUMN", "SET", "DEFAULT", "nextval", "regclass", "OWNED", "OWNER",
        "TO", "SELECT", "setval", "true", "false", "GENERATED", "ALWAYS", "IDENTITY", "NAME", "ADD",
        "DROP", "NULL", "RENAME", "BEGIN", "COMMIT", "lock_timeout", "standard_conforming_strings", "on", "check_function_bodies", "off",
    ]

    /// Punctuation a plan may use outside quotes: `;` `,` `.` `(` `)` `=` `:` and `-` of numbers.
    static let planPunctuation: Set<Character> = [";", ",", ".", "(", ")", "=", ":", "-"]

    /// The words and punctuation outside quotes that a plan never writes itself.
    static func foreign(in sql: String) -> (words: [String], punctuation: [Character], unterminated: Bool) {
        let parts = unquoted(sql)
        let words = parts.words.filter { !planWords.contains($0) && UInt64($0) == nil }
        return (words, parts.punctuation.filter { !planPunctuation.contains($0) }, parts.unterminated)
    }
}
