-- Turns a loaded copy of a database into what an AWS DMS full load with
-- TargetTablePrepMode=DROP_AND_CREATE leaves (see /work/shared/REFERENCES.md, "What a DMS task
-- leaves on a PostgreSQL target"): the tables, their primary keys and their rows stay; views,
-- materialized views, triggers, policies, foreign keys, checks, exclusion and unique constraints,
-- secondary indexes, defaults, identity, generated expressions, sequences, functions,
-- procedures, user types and comments go; partitioned tables become plain tables (their
-- partitions stay, as plain tables); types are mapped as DMS maps them:
--   numeric without precision -> numeric(28,6)    boolean -> varchar(5)
--   enum, domain, composite, range -> varchar      json, jsonb, xml, arrays -> text
--   unbounded varchar -> varchar(8000)             hstore -> text
-- and LOB columns (text, json, jsonb, xml, bytea) lose NOT NULL.
-- Objects that extensions own are left alone. Used by ShapeTests; run it as a statement of its
-- own (psql -f), on a copy you can throw away. It commits every 200 changes: one
-- transaction over 10,000 tables would need more locks than a default server has.
DO $$
DECLARE
  r record;
  pk text;
  user_schemas CONSTANT text := '^(pg_catalog|information_schema|pg_toast.*|pg_temp.*)$';
  changes int := 0;
BEGIN
  -- Views first: they depend on the columns changed below.
  FOR r IN
    SELECT c.oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND n.nspname !~ user_schemas
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
  LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = r.oid);  -- gone with a view it read
    EXECUTE format('DROP %s %s CASCADE', CASE r.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, r.oid::regclass);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  FOR r IN
    SELECT t.tgname, t.tgrelid::regclass AS rel FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND n.nspname !~ user_schemas AND t.tgparentid = 0
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.rel);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  FOR r IN
    SELECT p.polname, p.polrelid::regclass AS rel FROM pg_policy p
  LOOP
    EXECUTE format('DROP POLICY %I ON %s', r.polname, r.rel);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS rel FROM pg_class c WHERE c.relrowsecurity OR c.relforcerowsecurity
  LOOP
    EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY', r.rel);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  -- Every constraint but primary keys (and NOT NULL, which PostgreSQL 18 lists here too).
  FOR r IN
    SELECT k.conname, k.conrelid::regclass AS rel FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype IN ('f', 'c', 'x', 'u') AND k.conparentid = 0 AND n.nspname !~ user_schemas
    ORDER BY k.contype = 'f' DESC
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  -- Secondary indexes: all but those of primary keys.
  FOR r IN
    SELECT i.indexrelid::regclass AS idx FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE NOT i.indisprimary AND NOT ic.relispartition AND n.nspname !~ user_schemas
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = i.indrelid AND e.deptype = 'e')
  LOOP
    EXECUTE format('DROP INDEX IF EXISTS %s', r.idx);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  -- Partitioned tables become plain tables with the rows of all their partitions; the
  -- partitions stay as plain tables with their own rows.
  FOR r IN
    SELECT c.oid, c.oid::regclass AS rel, n.nspname, c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'p' AND NOT c.relispartition AND n.nspname !~ user_schemas
  LOOP
    SELECT pg_get_constraintdef(k.oid) INTO pk FROM pg_constraint k WHERE k.conrelid = r.oid AND k.contype = 'p';
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s)', r.nspname, r.relname || '_dms_plain', r.rel);
    EXECUTE format('INSERT INTO %I.%I SELECT * FROM %s', r.nspname, r.relname || '_dms_plain', r.rel);
    EXECUTE (SELECT string_agg(format('ALTER TABLE %s DETACH PARTITION %s', r.rel, i.inhrelid::regclass), '; ')
             FROM pg_inherits i WHERE i.inhparent = r.oid);
    EXECUTE format('DROP TABLE %s CASCADE', r.rel);
    EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', r.nspname, r.relname || '_dms_plain', r.relname);
    IF pk IS NOT NULL THEN
      EXECUTE format('ALTER TABLE %I.%I ADD %s', r.nspname, r.relname, pk);
    END IF;
  END LOOP;

  -- Defaults, identity, generated expressions, then the sequences.
  FOR r IN
    SELECT a.attrelid::regclass AS rel, a.attname, a.attidentity, a.attgenerated, ad.oid IS NOT NULL AS has_default
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname !~ user_schemas
      AND (a.attidentity <> '' OR a.attgenerated <> '' OR ad.oid IS NOT NULL)
  LOOP
    IF r.attidentity <> '' THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', r.rel, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSIF r.attgenerated <> '' THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP EXPRESSION', r.rel, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSE
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', r.rel, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    END IF;
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS seq FROM pg_class c
    WHERE c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
  LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %s CASCADE', r.seq);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  -- Types, as DMS maps them.
  FOR r IN
    SELECT a.attrelid::regclass AS rel, a.attname, t.typtype, t.typname, t.typcategory, a.atttypmod,
           tn.nspname AS type_schema
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
    WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname !~ user_schemas
  LOOP
    IF r.typtype IN ('e', 'd', 'c', 'r') AND r.type_schema !~ user_schemas THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE varchar USING %I::text', r.rel, r.attname, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSIF r.typcategory = 'A' OR r.typname IN ('json', 'jsonb', 'xml', 'hstore') THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE text USING %I::text', r.rel, r.attname, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSIF r.typname = 'bool' THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE varchar(5) USING %I::text', r.rel, r.attname, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSIF r.typname = 'numeric' AND r.atttypmod = -1 THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE numeric(28,6)', r.rel, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSIF r.typname = 'varchar' AND r.atttypmod = -1 THEN
      EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE varchar(8000)', r.rel, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    END IF;
  END LOOP;

  -- LOB columns (text, json and the like, bytea: what DMS copies as a LOB) lose NOT NULL, but
  -- for the primary key's.
  FOR r IN
    SELECT a.attrelid::regclass AS rel, a.attname
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND n.nspname !~ user_schemas
      AND format_type(a.atttypid, NULL) IN ('text', 'bytea', 'json', 'jsonb', 'xml')
      AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey))
  LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP NOT NULL', r.rel, r.attname);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  -- Functions, procedures and user types: DMS creates none.
  -- A CASCADE can drop a later row (an aggregate goes with its state function), so each row is
  -- checked as it comes, and its name read only then; aggregates need DROP AGGREGATE.
  FOR r IN
    SELECT p.oid, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname !~ user_schemas AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = p.oid AND e.deptype IN ('e', 'i'))
  LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_proc WHERE oid = r.oid);
    EXECUTE format('DROP %s %s CASCADE', CASE r.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, r.oid::regprocedure);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;
  FOR r IN
    SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE n.nspname !~ user_schemas AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = t.oid AND e.deptype = 'e')
  LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_type WHERE oid = r.oid);
    EXECUTE format('DROP TYPE %s CASCADE', r.oid::regtype);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;

  -- Comments: DMS copies none.
  FOR r IN
    SELECT c.oid::regclass AS rel, a.attname, d.objsubid FROM pg_description d
    JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
    WHERE n.nspname !~ user_schemas AND c.relkind IN ('r', 'p')
  LOOP
    IF r.objsubid = 0 THEN
      EXECUTE format('COMMENT ON TABLE %s IS NULL', r.rel);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    ELSE
      EXECUTE format('COMMENT ON COLUMN %s.%I IS NULL', r.rel, r.attname);
      changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
    END IF;
  END LOOP;
  FOR r IN
    SELECT n.nspname FROM pg_namespace n JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass
    WHERE n.nspname !~ user_schemas AND n.nspname <> 'public'
  LOOP
    EXECUTE format('COMMENT ON SCHEMA %I IS NULL', r.nspname);
    changes := changes + 1; IF changes % 200 = 0 THEN COMMIT; END IF;
  END LOOP;
END
$$;
