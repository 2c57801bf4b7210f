-- Catalog tables as Redshift's users see them.

-- Every user has CREATE and USAGE on a database's schema public in Redshift ("Default database
-- user permissions"); PostgreSQL 15 and later give PUBLIC USAGE only.  Every database is a copy of
-- template1, where CREATE is granted: a database's owner may revoke it in theirs, and installing
-- the catalog again (an upgrade) grants it in no database but template1.
DO $$ BEGIN
    IF current_database() = 'template1' THEN
        GRANT CREATE ON SCHEMA public TO PUBLIC;
    END IF;
END $$;

-- An ACL without the grants to localshift's own roles (40_superuser_reach.sql), as the catalog
-- views list ACLs; NULL when what is left is the default of the object's kind and owner (acldefault),
-- as it was before the grant (clients read a NULL ACL as the owner's privileges alone).
CREATE OR REPLACE FUNCTION localshift.redshift_acl(acl aclitem[]) RETURNS aclitem[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce(array_agg(u.item ORDER BY u.ord), $1[0:0]) FROM unnest($1) WITH ORDINALITY AS u(item, ord)
WHERE left(u.item::text, 11) <> 'localshift_' $$;
CREATE OR REPLACE FUNCTION localshift.redshift_acl(acl aclitem[], kind "char", owner oid) RETURNS aclitem[]
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
SELECT CASE WHEN stripped::text = acldefault($2, $3)::text THEN NULL ELSE stripped END
FROM (SELECT localshift.redshift_acl($1) AS stripped) s $$;

-- PG_NAMESPACE as Redshift's users see it.  Every statement naming pg_namespace reads it here
-- (the translator's catalog views), as do SHOW SCHEMAS, SVV_ALL_SCHEMAS and
-- INFORMATION_SCHEMA.SCHEMATA: localshift's own schema is not listed, and public is owned by
-- rdsdb, as in Redshift (SHOW SCHEMAS shows public's schema_owner as rdsdb's id).  Only the
-- listing changes: the engine's owner of public and its rights stay.  In a database made by
-- CREATE DATABASE, PostgreSQL's public belongs to pg_database_owner, a role Redshift has not:
-- its ACL names the database's owner instead (the role pg_database_owner stands for).
CREATE OR REPLACE VIEW localshift.redshift_pg_namespace AS
SELECT n.oid, n.nspname,
       CASE WHEN n.nspname = 'public' THEN (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = 'rdsdb')
            ELSE n.nspowner END AS nspowner,
       CASE WHEN n.nspacl::text LIKE '%pg_database_owner%'
            THEN replace(localshift.redshift_acl(n.nspacl, 'n', n.nspowner)::text, 'pg_database_owner', (
                     SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.datdba))
                     FROM pg_catalog.pg_database d WHERE d.datname = current_database()))::aclitem[]
            ELSE localshift.redshift_acl(n.nspacl, 'n', n.nspowner) END AS nspacl
FROM pg_catalog.pg_namespace n
WHERE n.nspname <> 'localshift';
GRANT SELECT ON localshift.redshift_pg_namespace TO PUBLIC;

-- PostgreSQL's own definition over that listing (pg_roles for pg_authid: the same names).
CREATE OR REPLACE VIEW information_schema.schemata AS
SELECT current_database()::information_schema.sql_identifier AS catalog_name,
       n.nspname::information_schema.sql_identifier AS schema_name,
       u.rolname::information_schema.sql_identifier AS schema_owner,
       NULL::name::information_schema.sql_identifier AS default_character_set_catalog,
       NULL::name::information_schema.sql_identifier AS default_character_set_schema,
       NULL::name::information_schema.sql_identifier AS default_character_set_name,
       NULL::character varying::information_schema.character_data AS sql_path
FROM localshift.redshift_pg_namespace n
JOIN pg_catalog.pg_roles u ON u.oid = n.nspowner
WHERE pg_catalog.pg_has_role(n.nspowner, 'USAGE') OR pg_catalog.has_schema_privilege(n.oid, 'CREATE, USAGE');

-- PG_DATABASE as Redshift's users see it: every statement naming pg_database reads it here, as do
-- SHOW DATABASES, SVV_REDSHIFT_DATABASES and SHOW GRANTS (which list its databases that are no
-- templates).  The engine's database postgres, the internal role's, is not listed, nor a database
-- whose name holds a control character (roles.INTERNAL_DATABASES: no session may connect to it).
-- datacl without localshift's own grants (DBeaver reads it with SELECT db.oid,db.*): NULL while
-- no one has granted on the database, as in Redshift.
CREATE OR REPLACE VIEW localshift.redshift_pg_database AS
SELECT d.oid, d.datname, d.datdba, d.encoding, d.datlocprovider, d.datistemplate, d.datallowconn,
       d.dathasloginevt, d.datconnlimit, d.datfrozenxid, d.datminmxid, d.dattablespace, d.datcollate,
       d.datctype, d.datlocale, d.daticurules, d.datcollversion,
       localshift.redshift_acl(d.datacl, 'd', d.datdba) AS datacl
FROM pg_catalog.pg_database d
WHERE d.datname <> 'postgres' AND d.datname !~ '[[:cntrl:]]';
GRANT SELECT ON localshift.redshift_pg_database TO PUBLIC;

-- PG_TYPE as Redshift's: every statement naming pg_type reads it here.  SUPER and VARBYTE are
-- rows of their own in Redshift's pg_type (oids 4000 and 6551, the ones AWS's JDBC driver knows
-- them by: its getTypeInfo lists the types it finds by name), here jsonb's and bytea's under
-- Redshift's names and oids.  Columns of those types still carry jsonb's and bytea's oids.
CREATE OR REPLACE VIEW localshift.redshift_pg_type AS
SELECT t.* FROM pg_catalog.pg_type t
UNION ALL
SELECT (pg_catalog.jsonb_populate_record(t, pg_catalog.jsonb_build_object(
            'oid', redshift.oid, 'typname', redshift.typname, 'typarray', 0))).*
FROM pg_catalog.pg_type t
JOIN (VALUES ('pg_catalog.jsonb'::regtype, 4000, 'super'), ('pg_catalog.bytea'::regtype, 6551, 'varbyte'))
     AS redshift (base, oid, typname) ON t.oid = redshift.base;
GRANT SELECT ON localshift.redshift_pg_type TO PUBLIC;
