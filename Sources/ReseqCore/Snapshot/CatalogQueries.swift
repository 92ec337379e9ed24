/// The bulk catalog queries of a snapshot: a handful of statements, whatever the object count.
enum CatalogQueries {
    /// Every sequence with its definition, owner, persistence, extension and OWNED BY column.
    /// `readable` lets us skip reading positions we would be refused.
    static let sequences = """
        SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, pg_get_userbyid(c.relowner) AS owner,
               format_type(s.seqtypid, NULL) AS data_type,
               s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
               s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
               c.relpersistence = 'u' AS unlogged,
               has_sequence_privilege(c.oid, 'SELECT') AS readable,
               (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                 LIMIT 1) AS extension,
               own.deptype::text AS owned_kind, tn.nspname AS owned_schema,
               tc.relname AS owned_table, a.attname AS owned_column
        FROM pg_sequence s
        JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN LATERAL (
            SELECT d.refobjid, d.refobjsubid, d.deptype FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
              AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
              AND d.deptype IN ('a', 'i')
            ORDER BY d.deptype DESC LIMIT 1) own ON true
        LEFT JOIN pg_class tc ON tc.oid = own.refobjid
        LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = own.refobjid AND a.attnum = own.refobjsubid
        WHERE \(CatalogSQL.userSchemas)
        """

    /// Every column that draws from a sequence, is an identity, is some sequence's OWNED BY
    /// column, is a single-column integer primary key (what DMS copies), or was asked for
    /// ($1, $2, $3: schema, table and column arrays). With what decides how to read its data:
    /// the row estimate over the table and its partitions, and whether every one of them has
    /// a btree index leading with the column. Never-analyzed tables (reltuples -1) fall back
    /// to the statistics' live-tuple count, which needs no lock (pg_relation_size would take one).
    static let columns = """
        WITH candidate AS (
            SELECT ad.adrelid AS relid, ad.adnum AS attnum
            FROM pg_attrdef ad
            JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                            AND d.refclassid = 'pg_class'::regclass
            JOIN pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'S'
            UNION
            SELECT a.attrelid, a.attnum FROM pg_attribute a
            WHERE a.attidentity <> '' AND a.attnum > 0 AND NOT a.attisdropped
            UNION
            SELECT d.refobjid, d.refobjsubid FROM pg_depend d
            JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
              AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
            UNION
            SELECT i.indrelid, i.indkey[0] FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indisprimary AND i.indnatts = 1
              AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
            UNION
            SELECT a.attrelid, a.attnum
            FROM unnest($1::text[], $2::text[], $3::text[]) AS x(nsp, rel, col)
            JOIN pg_namespace xn ON xn.nspname = x.nsp
            JOIN pg_class xc ON xc.relnamespace = xn.oid AND xc.relname = x.rel
            JOIN pg_attribute a ON a.attrelid = xc.oid AND a.attname = x.col
        )
        SELECT n.nspname AS schema, c.relname AS table_name, a.attname AS column_name,
               format_type(a.atttypid, a.atttypmod) AS data_type, a.attnotnull AS not_null,
               pg_get_userbyid(c.relowner) AS table_owner,
               pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
               dseq.nspname AS default_seq_schema, dseq.relname AS default_seq_name,
               a.attidentity::text AS identity,
               pn.nspname AS parent_schema, pc.relname AS parent_table,
               has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable,
               size.est_rows, size.indexed
        FROM candidate
        JOIN pg_class c ON c.oid = candidate.relid AND c.relkind IN ('r', 'p')
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = candidate.attnum
                           AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
        LEFT JOIN LATERAL (
            -- The namespace is joined in here: joined outside, the planner hashed all of
            -- pg_namespace once per column (a third of the query's time at 10,000 columns).
            SELECT sc.relname, dsn.nspname FROM pg_depend d
            JOIN pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'S'
            JOIN pg_namespace dsn ON dsn.oid = sc.relnamespace
            WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
              AND d.refclassid = 'pg_class'::regclass
            ORDER BY sc.oid LIMIT 1) dseq ON true
        LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
        LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
        LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        CROSS JOIN LATERAL (
            -- A plain table (the common case) is sized from its own row alone: walking the
            -- inheritance tree for each of 10,000 tables was half of the query's time.
            SELECT (CASE WHEN c.reltuples >= 0 THEN c.reltuples
                         ELSE pg_stat_get_live_tuples(c.oid) END)::float8 AS est_rows,
                   EXISTS (
                       SELECT 1 FROM pg_index i
                       JOIN pg_class ic ON ic.oid = i.indexrelid
                       JOIN pg_am am ON am.oid = ic.relam
                       WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum AND am.amname = 'btree'
                         AND i.indisvalid AND i.indpred IS NULL) AS indexed
            WHERE NOT c.relhassubclass AND c.relkind <> 'p'
            UNION ALL
            SELECT * FROM (
                WITH RECURSIVE tree(relid) AS (
                    SELECT c.oid
                    UNION ALL
                    SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)
                SELECT coalesce(sum(CASE WHEN lc.reltuples >= 0 THEN lc.reltuples
                                         ELSE pg_stat_get_live_tuples(lc.oid) END), 0)::float8 AS est_rows,
                       coalesce(bool_and(EXISTS (
                           SELECT 1 FROM pg_index i
                           JOIN pg_class ic ON ic.oid = i.indexrelid
                           JOIN pg_am am ON am.oid = ic.relam
                           JOIN pg_attribute la ON la.attrelid = lc.oid AND la.attname = a.attname
                           WHERE i.indrelid = lc.oid AND i.indkey[0] = la.attnum AND am.amname = 'btree'
                             AND i.indisvalid AND i.indpred IS NULL)), true) AS indexed
                FROM tree JOIN pg_class lc ON lc.oid = tree.relid AND lc.relkind <> 'p') tree_size
            WHERE c.relhassubclass OR c.relkind = 'p') size
        WHERE \(CatalogSQL.userSchemas)
        """
}
