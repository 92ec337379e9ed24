-- reseq plan: make a on rds match a on old-ec2
-- 5 statements for 1 object(s). Run with: psql -v ON_ERROR_STOP=1 -f FILE
-- Each object is one transaction: it is fixed whole or not at all.
SET lock_timeout = '5000ms';
SET standard_conforming_strings = on;
SET check_function_bodies = off;

-- Bill"ing; DROP TABLE x; --.seq' $$ select
BEGIN;
-- creates the missing sequence Bill"ing; DROP TABLE x; --.seq' $$ select (lock: sequence Bill"ing; DROP TABLE x; --.seq' $$ select)
CREATE SEQUENCE "Bill""ing; DROP TABLE x; --"."seq'
$$ select" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE;
-- gives Bill"ing; DROP TABLE x; --.Invoice Lines.ID its default nextval('Bill"ing; DROP TABLE x; --.seq' $$ select') back (lock: ACCESS EXCLUSIVE on Bill"ing; DROP TABLE x; --.Invoice Lines)
ALTER TABLE "Bill""ing; DROP TABLE x; --"."Invoice Lines" ALTER COLUMN "ID" SET DEFAULT nextval('"Bill""ing; DROP TABLE x; --"."seq''
$$ select"'::regclass);
-- gives Bill"ing; DROP TABLE x; --.seq' $$ select the owner of Bill"ing; DROP TABLE x; --.Invoice Lines, which OWNED BY requires (lock: sequence Bill"ing; DROP TABLE x; --.seq' $$ select)
ALTER SEQUENCE "Bill""ing; DROP TABLE x; --"."seq'
$$ select" OWNER TO "o""wner";
-- links Bill"ing; DROP TABLE x; --.seq' $$ select to Bill"ing; DROP TABLE x; --.Invoice Lines.ID, so it is dropped with the column (lock: sequence Bill"ing; DROP TABLE x; --.seq' $$ select)
ALTER SEQUENCE "Bill""ing; DROP TABLE x; --"."seq'
$$ select" OWNED BY "Bill""ing; DROP TABLE x; --"."Invoice Lines"."ID";
-- moves Bill"ing; DROP TABLE x; --.seq' $$ select so that its next value is 4 (lock: none)
SELECT setval('"Bill""ing; DROP TABLE x; --"."seq''
$$ select"'::regclass, 3, true);
COMMIT;
