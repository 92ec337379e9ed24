/// Pieces of the catalog SQL the snapshot reader builds. Names are quoted by `SQL`, as in plans.
enum CatalogSQL {
    /// A `text[]` literal for a `$n` parameter: every element double-quoted, `"` and `\` escaped.
    /// Built byte by byte: a reconcile passes 150,000 names, and Foundation's
    /// replacingOccurrences took a second of them.
    static func textArray(_ values: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Leaves out pg_catalog, information_schema, pg_toast* and pg_temp* (alias `n`).
    static let userSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'"
}
