/// Quoting for the SQL the snapshot reader builds from catalog names (pure Swift, testable).
enum CatalogSQL {
    /// `"name"` with every `"` doubled.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func qualified(_ name: QualifiedName) -> String {
        identifier(name.schema) + "." + identifier(name.name)
    }

    /// A `text[]` literal for a `$n` parameter: every element double-quoted, `"` and `\` escaped.
    static func textArray(_ values: [String]) -> String {
        let elements = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + elements.joined(separator: ",") + "}"
    }

    /// Leaves out pg_catalog, information_schema, pg_toast* and pg_temp* (alias `n`).
    static let userSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'"
}
