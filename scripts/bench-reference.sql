-- The benchmark's reference: the SQL a careful person would replay with psql to restore what
-- DMS left out, generated from the source's catalogs (psql -At -f ... > reference.sql).
-- Per sequence: CREATE SEQUENCE, SET DEFAULT and OWNED BY (or ADD GENERATED ... AS IDENTITY),
-- then setval; 500 objects a transaction, as one would to stay inside the lock table.
-- Positions first, 1,000 sequences a transaction: reading them all in one statement (as the
-- pg_sequences view does) locks every sequence at once and fails at 50,000 on default settings.
CREATE TEMP TABLE bench_position (seq oid PRIMARY KEY, last_value bigint);
DO $$
DECLARE
  r record;
  n int := 0;
BEGIN
  FOR r IN SELECT oid FROM pg_class WHERE relkind = 'S' LOOP
    INSERT INTO bench_position VALUES (r.oid, pg_sequence_last_value(r.oid));
    n := n + 1;
    IF n % 1000 = 0 THEN COMMIT; END IF;
  END LOOP;
END
$$;
WITH seq AS (
  SELECT n.nspname AS schemaname, c.relname AS sequencename, format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart AS start_value, s.seqmin AS min_value, s.seqmax AS max_value,
         s.seqincrement AS increment_by, s.seqcycle AS cycle, s.seqcache AS cache_size, p.last_value,
         d.deptype, tn.nspname AS tschema, t.relname AS tname, a.attname, a.attidentity
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN bench_position p ON p.seq = c.oid
  LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
  LEFT JOIN pg_class t ON t.oid = d.refobjid
  LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
),
stmt AS (
  SELECT row_number() OVER (ORDER BY schemaname, sequencename) - 1 AS k, count(*) OVER () AS total,
    CASE
      WHEN deptype = 'i' THEN format(
        'ALTER TABLE %I.%I ALTER COLUMN %I ADD GENERATED %s AS IDENTITY (SEQUENCE NAME %I.%I START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s);',
        tschema, tname, attname, CASE attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END,
        schemaname, sequencename, start_value, increment_by, min_value, max_value, cache_size,
        CASE WHEN cycle THEN ' CYCLE' ELSE '' END)
      ELSE format(
        'CREATE SEQUENCE %I.%I AS %s START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s;',
        schemaname, sequencename, data_type, start_value, increment_by, min_value, max_value, cache_size,
        CASE WHEN cycle THEN ' CYCLE' ELSE '' END)
      || CASE WHEN deptype = 'a' THEN format(
        E'\nALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT nextval(%L::regclass);\nALTER SEQUENCE %I.%I OWNED BY %I.%I.%I;',
        tschema, tname, attname, format('%I.%I', schemaname, sequencename),
        schemaname, sequencename, tschema, tname, attname) ELSE '' END
    END
    || format(E'\nSELECT setval(%L, %s, %s);', format('%I.%I', schemaname, sequencename),
              coalesce(last_value, start_value), CASE WHEN last_value IS NULL THEN 'false' ELSE 'true' END) AS sql
  FROM seq
)
SELECT CASE WHEN k % 500 = 0 THEN E'BEGIN;\n' ELSE '' END || sql
       || CASE WHEN k % 500 = 499 OR k = total - 1 THEN E'\nCOMMIT;' ELSE '' END
FROM stmt ORDER BY k;
