-- Redshift's catalog as AWS's amazon-redshift-utils admin views read it: tables only Redshift
-- has (PG_CONF, PG_LIBRARY), PG_DEFAULT_ACL's defacluser, PG_STAT_ACTIVITY's and PG_LOCKS'
-- PostgreSQL 8.0 names, PG_CONSTRAINT's rows, and functions whose text or signature is
-- Redshift's (pg_get_constraintdef, array_to_string of an ACL, makeaclitem).

-- PG_CONF: Redshift's internal settings, of which the admin views read one kind:
-- pg_class_backup_<database oid>_<table oid> marks a BACKUP NO table.  Here those
-- are the current database's BACKUP NO tables (localshift.table_layout.backup) the user
-- may see.
CREATE OR REPLACE VIEW pg_catalog.pg_conf AS
SELECT format('pg_class_backup_%s_%s',
              (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()),
              tl.table_oid)::text AS key,
       'false'::text AS value
FROM localshift.table_layout tl
JOIN pg_catalog.pg_class c ON c.oid = tl.table_oid
WHERE NOT tl.backup AND localshift.can_see_relation(c.oid, c.relowner);

-- PG_LIBRARY: user-defined Python libraries (CREATE LIBRARY), which localshift
-- does not have: none, with Redshift's columns.
CREATE OR REPLACE VIEW pg_catalog.pg_library AS
SELECT NULL::name AS name, NULL::oid AS language_oid, NULL::integer AS file_store_id, NULL::integer AS owner
WHERE false;

-- PG_DEFAULT_ACL as Redshift shows it: the user is defacluser (PostgreSQL's
-- defaclrole); superusers see every row, other users their own.  The translator
-- reads this view for pg_default_acl when a statement names defacluser.
CREATE OR REPLACE VIEW localshift.redshift_pg_default_acl AS
SELECT d.*, d.defaclrole::integer AS defacluser
FROM pg_catalog.pg_default_acl d
WHERE localshift.current_user_is_superuser() OR pg_catalog.pg_has_role(d.defaclrole, 'USAGE');


-- PG_STAT_ACTIVITY and PG_LOCKS with the column names of Redshift's (PostgreSQL 8.0's):
-- procpid, current_query; transaction (the transaction a lock is on), beside PostgreSQL 18's.
-- The translator reads these views when a statement names one of those columns.  What a user
-- sees of others' sessions is the engine's rule (pg_stat_activity checks the caller, not the
-- view's owner).
CREATE OR REPLACE VIEW localshift.redshift_pg_stat_activity AS
SELECT a.*, a.pid AS procpid, a.query AS current_query
FROM pg_catalog.pg_stat_activity a;
CREATE OR REPLACE VIEW localshift.redshift_pg_locks AS
SELECT l.*, l.transactionid AS transaction
FROM pg_catalog.pg_locks l;
GRANT SELECT ON pg_catalog.pg_conf, pg_catalog.pg_library, localshift.redshift_pg_default_acl,
    localshift.redshift_pg_stat_activity, localshift.redshift_pg_locks TO PUBLIC;

-- PG_CONSTRAINT as Redshift has it: PostgreSQL 18 records each NOT NULL as a constraint
-- (contype 'n'), Redshift only in pg_attribute.attnotnull.  The translator reads this view
-- wherever a statement names pg_constraint.
CREATE OR REPLACE VIEW localshift.redshift_pg_constraint AS
SELECT * FROM pg_catalog.pg_constraint WHERE contype <> 'n';

-- PG_GET_CONSTRAINTDEF: a foreign key reads as Redshift shows it.  Redshift's foreign keys
-- are informational, which the engine's are by being NOT ENFORCED: that is not shown.  The
-- caller's search path stays (it decides which names the text qualifies): every name here is
-- pg_catalog's, and the function runs with the caller's rights.
CREATE OR REPLACE FUNCTION localshift.pg_get_constraintdef(constraint_oid oid, pretty boolean) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN c.contype = 'f' AND NOT c.conenforced
            THEN pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef($1, $2), ' NOT ENFORCED$', '')
            ELSE pg_catalog.pg_get_constraintdef($1, $2) END
FROM pg_catalog.pg_constraint c WHERE c.oid = $1 $$;
CREATE OR REPLACE FUNCTION localshift.pg_get_constraintdef(constraint_oid oid) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.pg_get_constraintdef($1, false) $$;

GRANT SELECT ON localshift.redshift_pg_constraint TO PUBLIC;

-- Access privileges as Redshift writes them: a group's entry reads "group <name>=<privileges>/<grantor>"
-- (PostgreSQL writes every role alike), and TRUNCATE is P (PostgreSQL's D, which is DROP in
-- Redshift's letters; PostgreSQL's MAINTAIN, m, Redshift has not).  ARRAY_TO_STRING of an ACL
-- (relacl, nspacl, defaclacl...) gives that text, as the admin views that parse it expect;
-- Redshift has no other arrays to join.  Grants to localshift's own roles (40_superuser_reach.sql) are
-- left out.
CREATE OR REPLACE FUNCTION localshift.acl_text(acl aclitem[], delimiter text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
SELECT string_agg(CASE WHEN e.grantee <> 0 AND localshift.is_group(e.grantee) THEN 'group ' ELSE '' END
                  || parts[1] || '=' || translate(parts[2], 'Dm', 'P') || '/' || parts[3], $2 ORDER BY ord)
FROM unnest(localshift.redshift_acl($1)) WITH ORDINALITY AS u(item, ord)
CROSS JOIN LATERAL (SELECT grantee FROM aclexplode(ARRAY[u.item]) LIMIT 1) AS e
CROSS JOIN LATERAL regexp_match(u.item::text, '^(.*)=([A-Za-z*]*)/(.*)$') AS parts $$;
-- The caller's search path stays (it decides how a regclass[] element, say, is written).
CREATE OR REPLACE FUNCTION localshift.array_to_string(items anyarray, delimiter text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN pg_catalog.pg_typeof($1) = 'pg_catalog.aclitem[]'::pg_catalog.regtype
            THEN localshift.acl_text($1::text::pg_catalog.aclitem[], $2)
            ELSE pg_catalog.array_to_string($1, $2) END $$;
CREATE OR REPLACE FUNCTION localshift.array_to_string(items anyarray, delimiter text, null_text text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE WHEN pg_catalog.pg_typeof($1) = 'pg_catalog.aclitem[]'::pg_catalog.regtype
            THEN localshift.acl_text($1::text::pg_catalog.aclitem[], $2)
            ELSE pg_catalog.array_to_string($1, $2, $3) END $$;

-- 30_layout.sql's views were named localshift.pg_class, pg_attribute and pg_attrdef before:
-- a lookup of relname 'pg_class' found two relations.  Those go, unless a
-- user's view still reads one (then it stays, until that view is replaced).
DO $$
DECLARE
    old_name text;
BEGIN
    FOREACH old_name IN ARRAY ARRAY['pg_class', 'pg_attribute', 'pg_attrdef'] LOOP
        BEGIN
            EXECUTE format('DROP VIEW IF EXISTS localshift.%I', old_name);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            NULL;
        END;
    END LOOP;
END $$;

-- MAKEACLITEM as Redshift has it (PostgreSQL 8.0's): the grantee is a user id, else a group id,
-- else (both 0) PUBLIC; then the grantor, the privileges and the grant option.  Ids as oids, which
-- take Redshift's integer ids (pg_user.usesysid, pg_group.grosysid) as they are.
CREATE OR REPLACE FUNCTION localshift.makeaclitem(userid oid, groupid oid, grantor oid,
                                                  privileges text, grant_option boolean) RETURNS aclitem
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
SELECT makeaclitem(CASE WHEN $1 <> 0 THEN $1 ELSE $2 END, $3, $4, $5) $$;
