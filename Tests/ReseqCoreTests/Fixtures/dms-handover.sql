-- What a DMS task leaves besides the shape (scripts/dms-shape-copy.sql, run first): it creates
-- the tables as its own role, so dms_user owns every one and no other role has any privilege on
-- them, not even on a column; and it copies no default privileges. Schemas are left as they
-- were. Run as a superuser; the role dms_user must exist. Used by ShapeReconcileTests.
DO $$
DECLARE
  r record;
  user_schemas CONSTANT text := '^(pg_catalog|information_schema|pg_toast.*|pg_temp.*)$';
BEGIN
  -- Column privileges first: a table's REVOKE does not reach them all.
  FOR r IN
    SELECT DISTINCT c.oid::regclass AS rel, a.attname, g.grantee FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid, aclexplode(a.attacl) g
    WHERE c.relkind IN ('r', 'p') AND n.nspname !~ user_schemas AND a.attacl IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
  LOOP
    EXECUTE format('REVOKE ALL (%I) ON TABLE %s FROM %s', r.attname, r.rel,
                   CASE r.grantee WHEN 0 THEN 'PUBLIC' ELSE r.grantee::regrole::text END);
  END LOOP;

  FOR r IN
    SELECT DISTINCT c.oid::regclass AS rel, g.grantee FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
      aclexplode(c.relacl) g
    WHERE c.relkind IN ('r', 'p') AND n.nspname !~ user_schemas AND g.grantee <> c.relowner
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
  LOOP
    EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', r.rel, CASE r.grantee WHEN 0 THEN 'PUBLIC' ELSE r.grantee::regrole::text END);
  END LOOP;

  FOR r IN
    SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname !~ user_schemas
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO dms_user', r.rel);
  END LOOP;

  FOR r IN
    SELECT d.defaclrole::regrole AS role, n.nspname, g.grantee,
           CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                                WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' END AS objects
    FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) g
    WHERE g.grantee <> d.defaclrole
  LOOP
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s %s REVOKE ALL ON %s FROM %s', r.role,
                   CASE WHEN r.nspname IS NULL THEN '' ELSE format('IN SCHEMA %I', r.nspname) END, r.objects,
                   CASE r.grantee WHEN 0 THEN 'PUBLIC' ELSE r.grantee::regrole::text END);
  END LOOP;
END
$$;
