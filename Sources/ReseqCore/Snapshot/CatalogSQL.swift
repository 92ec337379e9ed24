import PostgresClient

/// Pieces of the catalog SQL the snapshot reader builds, and how its bulk queries run. Names
/// are quoted by `SQL`, as in plans.
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

    /// An access list (`relacl`, `attacl`, `proacl`, `typacl`) as JSON text in the form files
    /// keep it, one `ACLEntry` per grantee (PUBLIC as `public`); NULL where the catalog's is
    /// (the default). Read in each kind's own query, exploded only where a list exists.
    static func aclJSON(_ acl: String) -> String {
        """
        CASE WHEN \(acl) IS NOT NULL THEN coalesce((
            SELECT json_agg(json_build_object('grantee', x.grantee, 'privileges', x.privileges,
                                              'withGrantOption', x.options))::text
            FROM (SELECT CASE WHEN e.grantee = 0 THEN 'public' ELSE pg_get_userbyid(e.grantee) END AS grantee,
                         string_agg(DISTINCT e.privilege_type, ', ' ORDER BY e.privilege_type) AS privileges,
                         string_agg(DISTINCT e.privilege_type, ', ' ORDER BY e.privilege_type)
                             FILTER (WHERE e.is_grantable) AS options
                  FROM aclexplode(\(acl)) e GROUP BY e.grantee) x), '[]') END
        """
    }

    /// How the bulk catalog queries run (`SET LOCAL`): with hash joins, in one process, without
    /// JIT, and with room to hash in memory. The catalogs' row estimates are far off, so the
    /// planner would pick per-row index probes; parallel workers only compete with the
    /// snapshot's other sessions for the cores; past about 40,000 tables the cost estimate
    /// crosses jit_above_cost, where compiling the query takes longer than running it. And at
    /// 50,000 tables the hash tables of pg_attrdef, pg_constraint and pg_class (10 to 35 MB)
    /// no longer fit the default 4 MB work_mem: they were split into batches written to
    /// temporary files and read back, which made the server's work grow faster than the
    /// tables. 64 MB is an upper bound for each hash or sort of these read-only sessions, not
    /// memory set aside.
    static func bulkSettings(serverVersion: Int) -> [String] {
        ["enable_nestloop = off", "max_parallel_workers_per_gather = 0", "work_mem = '64MB'"]
            + (serverVersion >= 110000 ? ["jit = off"] : [])
    }

    /// Runs one bulk catalog query with `bulkSettings`, which are reset for the rest of the
    /// transaction.
    static func bulkQuery(_ connection: Connection, _ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let settings = bulkSettings(serverVersion: connection.serverVersionNumber)
        try connection.execute(settings.map { "SET LOCAL \($0)" }.joined(separator: "; "))
        let result = try connection.query(sql, parameters)
        try connection.execute(settings.map { "RESET \($0.prefix { $0 != " " })" }.joined(separator: "; "))
        return result
    }

    /// Leaves out pg_catalog, information_schema, pg_toast* and pg_temp* (alias `n`).
    static let userSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'"
}
