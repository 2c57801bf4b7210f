-- Redshift's PG_* catalog views.

-- PG_TABLE_DEF: columns of the tables in the schemas on the search path (as
-- in Redshift, a table whose schema is not on the search path is not listed).
CREATE OR REPLACE VIEW pg_catalog.pg_table_def AS
SELECT n.nspname AS schemaname, c.relname AS tablename, a.attname AS "column",
       format_type(a.atttypid, a.atttypmod) AS type,
       coalesce(cl.encoding, 'none')::character(32) AS encoding,
       coalesce(cl.is_distkey, false) AS distkey,
       coalesce(cl.sortkey_ord, 0)::integer AS sortkey,
       a.attnotnull AS "notnull"
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN localshift.column_layout cl ON cl.table_oid = c.oid AND cl.attnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid);

-- PG_VIEWS and INFORMATION_SCHEMA.VIEWS list materialized views too, as Redshift's do, with
-- their CREATE MATERIALIZED VIEW statement as written for definition (the translator records it
-- in localshift.table_attributes; dbt-redshift lists and describes materialized views so).
-- A late-binding view's definition is its statement as written (localshift.pg_get_viewdef), not the
-- query that binds it.  Otherwise PostgreSQL's own views, column for column.
CREATE OR REPLACE VIEW pg_catalog.pg_views AS
SELECT n.nspname AS schemaname, c.relname AS viewname, pg_catalog.pg_get_userbyid(c.relowner) AS viewowner,
       coalesce(ta.definition, localshift.pg_get_viewdef(c.oid)) AS definition
FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN localshift.table_attributes ta ON ta.table_oid = c.oid AND c.relkind = 'm'
WHERE c.relkind IN ('v', 'm');

CREATE OR REPLACE VIEW information_schema.views AS
SELECT current_database()::information_schema.sql_identifier AS table_catalog,
       nc.nspname::information_schema.sql_identifier AS table_schema,
       c.relname::information_schema.sql_identifier AS table_name,
       CASE WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE')
            THEN coalesce(ta.definition, localshift.pg_get_viewdef(c.oid))
       END::information_schema.character_data AS view_definition,
       CASE WHEN 'check_option=cascaded' = ANY (c.reloptions) THEN 'CASCADED'
            WHEN 'check_option=local' = ANY (c.reloptions) THEN 'LOCAL'
            ELSE 'NONE' END::information_schema.character_data AS check_option,
       CASE WHEN (pg_catalog.pg_relation_is_updatable(c.oid::regclass, false) & 20) = 20 THEN 'YES' ELSE 'NO'
       END::information_schema.yes_or_no AS is_updatable,
       CASE WHEN (pg_catalog.pg_relation_is_updatable(c.oid::regclass, false) & 8) = 8 THEN 'YES' ELSE 'NO'
       END::information_schema.yes_or_no AS is_insertable_into,
       CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                         WHERE t.tgrelid = c.oid AND (t.tgtype::integer & 81) = 81) THEN 'YES' ELSE 'NO'
       END::information_schema.yes_or_no AS is_trigger_updatable,
       CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                         WHERE t.tgrelid = c.oid AND (t.tgtype::integer & 73) = 73) THEN 'YES' ELSE 'NO'
       END::information_schema.yes_or_no AS is_trigger_deletable,
       CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                         WHERE t.tgrelid = c.oid AND (t.tgtype::integer & 69) = 69) THEN 'YES' ELSE 'NO'
       END::information_schema.yes_or_no AS is_trigger_insertable_into
FROM pg_catalog.pg_namespace nc
JOIN pg_catalog.pg_class c ON c.relnamespace = nc.oid
LEFT JOIN localshift.table_attributes ta ON ta.table_oid = c.oid AND c.relkind = 'm'
WHERE c.relkind IN ('v', 'm') AND NOT pg_catalog.pg_is_other_temp_schema(nc.oid)
  AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')
       OR pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
       OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'));

-- PG_CLASS_INFO: pg_class with the creation time and the effective distribution style.
CREATE OR REPLACE VIEW pg_catalog.pg_class_info AS
SELECT c.oid AS reloid, c.*,
       CASE tl.diststyle WHEN 'AUTO' THEN 11 ELSE localshift.diststyle_code(tl.diststyle) END
           AS releffectivediststyle
FROM localshift.redshift_pg_class c
LEFT JOIN localshift.table_layout tl ON tl.table_oid = c.oid;

-- PG_ATTRIBUTE_INFO: pg_attribute with the column ACL.
CREATE OR REPLACE VIEW pg_catalog.pg_attribute_info AS
SELECT a.*, a.attacl AS attacl_info
FROM localshift.redshift_pg_attribute a;

-- PG_PROC_INFO: pg_proc with prooid (prokind, proargmodes and proallargtypes
-- are already pg_proc's own columns), probin a bytea as in Redshift's catalog (PostgreSQL 8.0's
-- type: AWS's JDBC driver's getProcedureColumns reads it with byteaout).
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('pg_catalog.pg_proc_info')
               AND attname = 'probin' AND atttypid <> 'bytea'::regtype) THEN
        DROP VIEW pg_catalog.pg_proc_info;
    END IF;
END $$;
CREATE OR REPLACE VIEW pg_catalog.pg_proc_info AS
SELECT p.oid AS prooid, p.oid, p.proname, p.pronamespace, p.proowner, p.prolang, p.procost, p.prorows,
       p.provariadic, p.prosupport, p.prokind, p.prosecdef, p.proleakproof, p.proisstrict, p.proretset,
       p.provolatile, p.proparallel, p.pronargs, p.pronargdefaults, p.prorettype, p.proargtypes,
       p.proallargtypes, p.proargmodes, p.proargnames, p.proargdefaults, p.protrftypes, p.prosrc,
       p.probin::bytea AS probin, p.prosqlbody, p.proconfig, p.proacl
FROM pg_catalog.pg_proc p;

-- PG_USER and PG_GROUP as Redshift shows them (PostgreSQL 8.0's shape):
-- usesuper is true for Redshift superusers (localshift.is_superuser), who are
-- not superusers of the engine.  Groups are roles created by CREATE GROUP
-- (marked 'redshift group' by the translator, see localshift.is_group).
CREATE OR REPLACE FUNCTION localshift.is_group(role oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(pg_catalog.shobj_description($1, 'pg_authid') = 'redshift group', false) $$;

-- A Redshift role (CREATE ROLE): neither a user, nor a group, nor PostgreSQL's or localshift's own.
CREATE OR REPLACE FUNCTION localshift.is_redshift_role(role oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce((SELECT NOT r.rolcanlogin AND r.rolname !~ '^(pg|localshift)_'
                 FROM pg_catalog.pg_roles r WHERE r.oid = $1), false)
   AND NOT localshift.is_group($1) $$;

DO $$ BEGIN
    -- PostgreSQL's own pg_user / pg_group have other columns (userepl,
    -- usebypassrls; oid-typed ids): replace them once.
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'pg_catalog.pg_user'::regclass
                   AND attname = 'usecatupd') THEN
        DROP VIEW pg_catalog.pg_user;
    END IF;
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'pg_catalog.pg_group'::regclass
               AND attname = 'grosysid' AND atttypid = 'oid'::regtype) THEN
        DROP VIEW pg_catalog.pg_group;
    END IF;
END $$;

CREATE OR REPLACE VIEW pg_catalog.pg_user AS
SELECT r.rolname AS usename, r.oid::integer AS usesysid, r.rolcreatedb AS usecreatedb,
       localshift.is_superuser(r.oid) AS usesuper, r.rolsuper AS usecatupd,
       '********'::text AS passwd, r.rolvaliduntil AS valuntil,
       -- The internal role's session settings (roles.py) are no user's business: Redshift's rdsdb has none.
       CASE WHEN r.rolname <> 'rdsdb' THEN s.setconfig END AS useconfig
FROM pg_catalog.pg_roles r
LEFT JOIN pg_catalog.pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0
WHERE r.rolcanlogin;

-- Role memberships.  A role created by a user with CREATEROLE is granted to its creator WITH
-- ADMIN OPTION by the bootstrap superuser (oid 10), and again by the creator itself
-- (createrole_self_grant): PostgreSQL's bookkeeping, not a membership Redshift shows.  Nor are
-- the grants of users to localshift_superuser, through which Redshift's superusers reach every
-- user's objects (redshift_sql/users.py).
CREATE OR REPLACE VIEW localshift.role_grants AS
SELECT m.member, m.roleid, m.admin_option
FROM pg_catalog.pg_auth_members m
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members c WHERE c.roleid = m.roleid
                  AND c.member = m.member AND c.grantor = 10 AND c.admin_option)
  AND m.member IS DISTINCT FROM pg_catalog.to_regrole('localshift_superuser');
GRANT SELECT ON localshift.role_grants TO PUBLIC;

CREATE OR REPLACE VIEW pg_catalog.pg_group AS
SELECT r.rolname AS groname, r.oid::integer AS grosysid,
       ARRAY(SELECT DISTINCT m.member::integer FROM localshift.role_grants m WHERE m.roleid = r.oid
             ORDER BY 1) AS grolist
FROM pg_catalog.pg_roles r
WHERE localshift.is_group(r.oid);

-- PG_USER_INFO: pg_user with the connection limit and session timeout.
CREATE OR REPLACE VIEW pg_catalog.pg_user_info AS
SELECT u.*, CASE WHEN r.rolconnlimit < 0 THEN 'UNLIMITED' ELSE r.rolconnlimit::text END AS useconnlimit,
       0 AS usesessiontimeout
FROM pg_catalog.pg_user u JOIN pg_catalog.pg_roles r ON r.oid = u.usesysid;

-- PG_DATABASE_INFO: PG_DATABASE's columns with the database id Redshift's views carry (datid)
-- and datconnlimit as text, as AWS documents it: no limit reads UNLIMITED, as PG_USER_INFO's
-- useconnlimit, so AWS's v_generate_database_ddl ('... WITH CONNECTION LIMIT ' + datconnlimit)
-- writes a statement CREATE DATABASE accepts.  (Databases installed before had the integer.)
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_attribute
               WHERE attrelid = to_regclass('pg_catalog.pg_database_info') AND attname = 'datconnlimit'
                 AND atttypid <> 'text'::regtype) THEN
        DROP VIEW pg_catalog.pg_database_info;
    END IF;
END $$;
CREATE OR REPLACE VIEW pg_catalog.pg_database_info AS
SELECT d.oid::integer AS datid, d.oid, d.datname, d.datdba, d.encoding, d.datlocprovider, d.datistemplate,
       d.datallowconn, d.dathasloginevt,
       CASE WHEN d.datconnlimit < 0 THEN 'UNLIMITED' ELSE d.datconnlimit::text END AS datconnlimit,
       d.datfrozenxid, d.datminmxid, d.dattablespace, d.datcollate, d.datctype, d.datlocale, d.daticurules,
       d.datcollversion, d.datacl
FROM localshift.redshift_pg_database d;

GRANT SELECT ON pg_catalog.pg_table_def, pg_catalog.pg_class_info, pg_catalog.pg_attribute_info,
    pg_catalog.pg_proc_info, pg_catalog.pg_user, pg_catalog.pg_group, pg_catalog.pg_user_info,
    pg_catalog.pg_database_info TO PUBLIC;
