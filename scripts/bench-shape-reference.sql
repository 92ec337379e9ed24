-- The benchmark's reference for the whole shape (psql -At -v part=PART -f ... > FILE): what a
-- careful person would replay with psql, besides pg_dump --schema-only --section=post-data
-- and the sequences (bench-reference.sql), to restore what a DMS copy dropped, generated from
-- the source's catalogs. PART is `before` (functions, then the defaults and checks that
-- pre-data keeps inside CREATE TABLE, and the NOT NULL of the LOB columns, which DMS drops) or
-- `after` (views, which read the rebuilt tables).
SELECT sql FROM (
  SELECT 1 AS k, p.oid::text AS o, pg_get_functiondef(p.oid) || ';' AS sql
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname !~ '^(pg_|information_schema)' AND p.prokind = 'f' AND :'part' = 'before'
  UNION ALL
  SELECT 2, a.attrelid::text || '.' || a.attnum, format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT %s;',
         n.nspname, c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid))
  FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname !~ '^(pg_|information_schema)' AND pg_get_expr(d.adbin, d.adrelid) NOT LIKE 'nextval(%'
    AND a.attgenerated = '' AND :'part' = 'before'
  UNION ALL
  SELECT 3, k.oid::text, format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, c.relname, k.conname,
         pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE k.contype = 'c' AND k.conparentid = 0 AND n.nspname !~ '^(pg_|information_schema)' AND :'part' = 'before'
  UNION ALL
  SELECT 3, a.attrelid::text || '.' || a.attnum, format('ALTER TABLE %I.%I ALTER COLUMN %I SET NOT NULL;', n.nspname, c.relname, a.attname)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND n.nspname !~ '^(pg_|information_schema)'
    AND format_type(a.atttypid, NULL) IN ('text', 'bytea', 'json', 'jsonb', 'xml')
    AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey))
    AND :'part' = 'before'
  UNION ALL
  SELECT 4, c.oid::text, format('CREATE VIEW %I.%I AS %s', n.nspname, c.relname, pg_get_viewdef(c.oid))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'v' AND n.nspname !~ '^(pg_|information_schema)' AND :'part' = 'after'
) s ORDER BY k, o;
