-- Makes a database look like what AWS DMS leaves on the target: the same tables, primary keys
-- and rows, but no sequences, no nextval defaults and no identity columns.
-- It commits every 250 objects: one transaction altering every table of a database of 10,000
-- would need a lock on each and run out of shared memory on default max_locks_per_transaction.
-- (So run it as a statement of its own, not inside BEGIN ... COMMIT or psql -1.)
DO $$
DECLARE
  r record;
  done int := 0;
BEGIN
  FOR r IN
    SELECT a.attrelid::regclass AS tbl, a.attname
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE a.attidentity <> '' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
  LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', r.tbl, r.attname);
    done := done + 1;
    IF done % 250 = 0 THEN COMMIT; END IF;
  END LOOP;
  FOR r IN
    SELECT d.adrelid::regclass AS tbl, a.attname
    FROM pg_attrdef d
    JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'
  LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', r.tbl, r.attname);
    done := done + 1;
    IF done % 250 = 0 THEN COMMIT; END IF;
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS seq
    FROM pg_class c
    WHERE c.relkind = 'S'
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
  LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %s CASCADE', r.seq);
    done := done + 1;
    IF done % 250 = 0 THEN COMMIT; END IF;
  END LOOP;
END
$$;
