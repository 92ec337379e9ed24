/// Pieces of the catalog SQL the snapshot reader builds. Names are quoted by `SQL`, as in plans.
enum CatalogSQL {
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
