/// The bulk catalog queries of a snapshot: a handful of statements, whatever the object count.
enum CatalogQueries {
    // These queries are written for hash joins over whole catalogs (the reader turns nested
    // loops off for them): past shared_buffers, per-row index probes into pg_attribute and
    // pg_class miss the cache, and the query grew faster than the database.

    /// Readable without asking the privilege functions, which look the relation up again per
    /// row: a superuser, or a member of the owner's role. An owner who revoked their own
    /// SELECT is refused at read time, which becomes the same warning.
    private static let mayReadOwnTable = "coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) OR pg_has_role(c.relowner, 'USAGE')"

    /// Every sequence with its definition, owner, persistence, extension and OWNED BY column.
    /// `readable` lets us skip reading positions we would be refused.
    static let sequences = """
        WITH owned AS (
            -- An identity link ('i') wins over an OWNED BY one ('a'). Only sequences' links:
            -- every index has such links to its columns too, twice as many rows to sort.
            SELECT DISTINCT ON (d.objid) d.objid, d.refobjid, d.refobjsubid, d.deptype
            FROM pg_depend d JOIN pg_sequence ps ON ps.seqrelid = d.objid
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
              AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
            ORDER BY d.objid, d.deptype DESC
        ), member AS (
            SELECT DISTINCT ON (d.objid) d.objid, e.extname
            FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
              AND d.deptype = 'e'
            ORDER BY d.objid, e.extname
        )
        SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, pg_get_userbyid(c.relowner) AS owner,
               format_type(s.seqtypid, NULL) AS data_type,
               s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
               s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
               c.relpersistence = 'u' AS unlogged,
               \(mayReadOwnTable) OR has_sequence_privilege(c.oid, 'SELECT') AS readable,
               member.extname AS extension,
               own.deptype::text AS owned_kind, tn.nspname AS owned_schema,
               tc.relname AS owned_table,
               -- Looked up per sequence: joined, the whole of pg_attribute was hashed (past
               -- work_mem at 50,000 tables) to find one column each.
               (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = own.refobjid AND a.attnum = own.refobjsubid) AS owned_column,
               d.description AS comment
        FROM pg_sequence s
        JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN member ON member.objid = c.oid
        LEFT JOIN owned own ON own.objid = c.oid
        -- The kinds a sequence can belong to: a hash of those, not of every relation.
        LEFT JOIN pg_class tc ON tc.oid = own.refobjid AND tc.relkind IN ('r', 'p', 'f', 'v')
        LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
        WHERE \(CatalogSQL.userSchemas)
        """

    /// Every column that draws from a sequence, is an identity, is some sequence's OWNED BY
    /// column, is a single-column integer primary key (what DMS copies), or was asked for
    /// ($1, $2, $3: schema, table and column arrays). With what decides how to read its data:
    /// the table's row estimate and whether a btree index leads with the column. For a table
    /// in an inheritance tree (`in_tree`) these are the table's own; `treeSizes` sums them
    /// over the tree. Never-analyzed tables (reltuples -1) fall back to the statistics'
    /// live-tuple count, which needs no lock (pg_relation_size would take one).
    static func columns(serverVersion: Int) -> String {
        // A default cannot refer to a column, so it is deparsed without its table (relid 0):
        // with the table, pg_get_expr opens every relation. A generated column's expression
        // does refer to columns (PostgreSQL 12+).
        let deparseTable = serverVersion >= 120000 ? "CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END" : "0"
        return """
            WITH owned AS (
                -- Columns some sequence is OWNED BY, or is the identity of.
                SELECT DISTINCT d.refobjid AS relid, d.refobjsubid AS attnum
                FROM pg_depend d JOIN pg_sequence ps ON ps.seqrelid = d.objid
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
            ), primary_key AS (
                SELECT i.indrelid AS relid, i.indkey[0] AS attnum FROM pg_index i
                WHERE i.indisprimary AND i.indnatts = 1
            ), asked AS (
                SELECT DISTINCT xc.oid AS relid, x.col AS attname
                FROM unnest($1::text[], $2::text[], $3::text[]) AS x(nsp, rel, col)
                JOIN pg_namespace xn ON xn.nspname = x.nsp
                JOIN pg_class xc ON xc.relnamespace = xn.oid AND xc.relname = x.rel
            ), default_sequence AS (
                SELECT DISTINCT ON (d.objid) d.objid AS attrdef, sc.relname, sn.nspname
                FROM pg_depend d
                JOIN pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'S'
                JOIN pg_namespace sn ON sn.oid = sc.relnamespace
                WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
                ORDER BY d.objid, sc.oid
            ), btree_leading AS (
                -- The leading column's operator class names the index's access method.
                SELECT DISTINCT i.indrelid AS relid, i.indkey[0] AS attnum
                FROM pg_index i
                JOIN pg_opclass oc ON oc.oid = i.indclass[0]
                JOIN pg_am am ON am.oid = oc.opcmethod
                WHERE am.amname = 'btree' AND i.indisvalid AND i.indpred IS NULL
            )
            SELECT c.oid::text AS relid, n.nspname AS schema, c.relname AS table_name, a.attname AS column_name,
                   format_type(a.atttypid, a.atttypmod) AS data_type, a.attnotnull AS not_null,
                   pg_get_userbyid(c.relowner) AS table_owner,
                   pg_get_expr(ad.adbin, \(deparseTable)) AS default_expr,
                   dseq.nspname AS default_seq_schema, dseq.relname AS default_seq_name,
                   a.attidentity::text AS identity,
                   pn.nspname AS parent_schema, pc.relname AS parent_table,
                   \(mayReadOwnTable) OR has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable,
                   (CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_stat_get_live_tuples(c.oid) END)::float8 AS est_rows,
                   bl.relid IS NOT NULL AS indexed,
                   c.relhassubclass OR c.relkind = 'p' AS in_tree
            -- pg_attribute, the largest catalog, is read once.
            FROM pg_attribute a
            LEFT JOIN owned ON owned.relid = a.attrelid AND owned.attnum = a.attnum
            LEFT JOIN primary_key pk ON pk.relid = a.attrelid AND pk.attnum = a.attnum
            LEFT JOIN asked ON asked.relid = a.attrelid AND asked.attname = a.attname
            JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN default_sequence dseq ON dseq.attrdef = ad.oid
            LEFT JOIN btree_leading bl ON bl.relid = a.attrelid AND bl.attnum = a.attnum
            LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
            LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
            LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE a.attnum > 0 AND NOT a.attisdropped
              -- A default drawing from a sequence is dseq's; an integer type is only required of
              -- a primary key.
              AND (a.attidentity <> '' OR asked.relid IS NOT NULL OR dseq.attrdef IS NOT NULL OR owned.relid IS NOT NULL
                   OR (pk.relid IS NOT NULL AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)))
              AND \(CatalogSQL.userSchemas)
            """
    }

    /// For the columns of tables with children ($1: table oids, $2: column names): the row
    /// estimate summed over the table and its descendants, and whether every one of them that
    /// holds rows has a btree index leading with the column. Key `k` is the 1-based position
    /// in the arrays; a tree with no table that holds rows returns no row.
    static let treeSizes = """
        SELECT x.k::int AS k,
               sum(CASE WHEN lc.reltuples >= 0 THEN lc.reltuples
                        ELSE pg_stat_get_live_tuples(lc.oid) END)::float8 AS est_rows,
               bool_and(EXISTS (
                   SELECT 1 FROM pg_index i
                   JOIN pg_class ic ON ic.oid = i.indexrelid
                   JOIN pg_am am ON am.oid = ic.relam
                   JOIN pg_attribute la ON la.attrelid = lc.oid AND la.attname = x.col
                   WHERE i.indrelid = lc.oid AND i.indkey[0] = la.attnum AND am.amname = 'btree'
                     AND i.indisvalid AND i.indpred IS NULL)) AS indexed
        FROM unnest($1::oid[], $2::text[]) WITH ORDINALITY AS x(relid, col, k)
        CROSS JOIN LATERAL (
            WITH RECURSIVE tree(relid) AS (
                SELECT x.relid
                UNION ALL
                SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)
            SELECT relid FROM tree) member
        JOIN pg_class lc ON lc.oid = member.relid AND lc.relkind <> 'p'
        GROUP BY x.k
        """
}

extension CatalogQueries {
    /// Every role, with each role whose privileges it inherits (one row per membership).
    /// PostgreSQL 16 made inheritance a property of each membership.
    static func roles(serverVersion: Int) -> String {
        let inherits = serverVersion >= 160000 ? "m.inherit_option" : "r.rolinherit"
        return """
            SELECT r.rolname AS name, r.rolsuper AS superuser, g.rolname AS inherits
            FROM pg_roles r
            LEFT JOIN pg_auth_members m ON m.member = r.oid AND \(inherits)
            LEFT JOIN pg_roles g ON g.oid = m.roleid
            """
    }

    /// The grants of `acl` (an expression over the row), one row each; `grantee` is NULL on the
    /// one row of an explicitly empty list. PUBLIC is `public`, a name no role can have.
    private static func explode(_ acl: String) -> String {
        """
        LEFT JOIN LATERAL (
            SELECT CASE WHEN e.grantee = 0 THEN 'public' ELSE pg_get_userbyid(e.grantee) END AS grantee,
                   e.privilege_type AS privilege, e.is_grantable AS grantable
            FROM aclexplode(\(acl)) e) g ON true
        """
    }

    /// Tables and sequences whose access list is not the default (granted or revoked).
    static let relationACLs = """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'S' AS is_sequence,
               g.grantee, g.privilege, g.grantable
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        \(explode("c.relacl"))
        WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'S') AND \(CatalogSQL.userSchemas)
        """

    /// Every user schema, its owner and its access list (`default_acl` when never changed).
    static let schemaACLs = """
        SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner, n.nspacl IS NULL AS default_acl,
               g.grantee, g.privilege, g.grantable
        FROM pg_namespace n
        \(explode("n.nspacl"))
        WHERE \(CatalogSQL.userSchemas)
        """

    /// `ALTER DEFAULT PRIVILEGES` entries; `schema` is NULL for those that apply everywhere.
    static let defaultACLs = """
        SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype::text AS object_type,
               g.grantee, g.privilege, g.grantable
        FROM pg_default_acl d
        LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        \(explode("d.defaclacl"))
        """
}
