-- Redshift's SVV_* system views over this database's catalog.  Every view
-- lists the current database only (PostgreSQL's catalogs are per database);
-- SVV_REDSHIFT_DATABASES lists them all.  localshift's own schema is hidden.

-- Schemas users see in the SVV views: not localshift's, nor other sessions'
-- temporary schemas (the session's own temporary tables are listed, as Redshift lists them).
CREATE OR REPLACE FUNCTION localshift.is_user_visible_schema(schema name) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT $1 NOT IN ('localshift', 'pg_toast')
   AND ($1 !~ '^pg_(toast_)?temp_' OR $1 = (SELECT nspname FROM pg_catalog.pg_namespace
                                            WHERE oid = pg_catalog.pg_my_temp_schema())) $$;

-- The number of rows of a table, counted, for Redshift superusers and users
-- who may read the table (NULL for others).  A table locked by another session
-- answers with the statistics' estimate.  Tables and materialized views only: the
-- count runs as the internal role, and reading a view would run the functions its
-- query calls (a user's, among them) with the internal role's rights.
CREATE OR REPLACE FUNCTION localshift.row_count(relation oid) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '200ms' AS $$
DECLARE counted bigint;
BEGIN
    IF NOT coalesce((SELECT relkind IN ('r', 'p', 'm') FROM pg_class WHERE oid = relation), false)
       OR NOT (localshift.is_superuser((SELECT oid FROM pg_roles WHERE rolname = session_user))
               OR has_table_privilege(session_user, relation, 'SELECT')) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(*) FROM %s', relation::regclass) INTO counted;
    RETURN counted;
EXCEPTION
    WHEN lock_not_available THEN
        RETURN greatest((SELECT reltuples FROM pg_class WHERE oid = relation), 0)::bigint;
    WHEN undefined_table THEN
        RETURN NULL;
END $$;

-- The storage SVV_TABLE_INFO.pct_used is measured against: 2 TiB, in 1 MB blocks.
CREATE OR REPLACE FUNCTION localshift.capacity_blocks() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 2097152::bigint $$;

-- SVV_TABLE_INFO: tables with at least one row; visible to superusers only.
CREATE OR REPLACE VIEW pg_catalog.svv_table_info AS
WITH tables AS (
    SELECT c.oid, n.nspname, c.relname, c.relpersistence, tl.*,
           greatest(ceil(pg_catalog.pg_total_relation_size(c.oid) / 1048576.0), 1)::bigint AS blocks,
           localshift.row_count(c.oid) AS row_count,
           s.n_mod_since_analyze, s.last_analyze, s.last_autoanalyze
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN localshift.table_layout tl ON tl.table_oid = c.oid
    LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
    WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND localshift.is_user_visible_schema(n.nspname)
      AND pg_catalog.pg_relation_size(c.oid) > 0
      AND localshift.is_superuser((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
), columns AS (
    SELECT cl.table_oid,
           bool_or(cl.encoding <> 'none') AS any_encoded,
           max(CASE WHEN a.atttypid = 'varchar'::regtype THEN a.atttypmod - 4 END) AS max_varchar,
           max(cl.encoding) FILTER (WHERE abs(cl.sortkey_ord) = 1) AS sortkey1_enc,
           max(cl.attname) FILTER (WHERE abs(cl.sortkey_ord) = 1) AS sortkey1_column,
           count(*) FILTER (WHERE cl.sortkey_ord <> 0) AS sortkey_num
    FROM localshift.column_layout cl
    JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.table_oid AND a.attnum = cl.attnum
    GROUP BY cl.table_oid
)
SELECT current_database()::text AS database, t.nspname::text AS schema, t.oid AS table_id,
       t.relname::text AS "table",
       CASE WHEN t.explicit_encodings THEN CASE WHEN co.any_encoded THEN 'Y' ELSE 'N' END
            ELSE CASE WHEN co.any_encoded THEN 'Y' ELSE 'N' END || ', AUTO(ENCODE)' END AS encoded,
       CASE t.diststyle WHEN 'KEY' THEN 'KEY(' || t.distkey || ')'
                        WHEN 'AUTO' THEN 'AUTO(EVEN)' ELSE t.diststyle END AS diststyle,
       CASE t.sortkey_type WHEN 'interleaved' THEN 'INTERLEAVED'
                           WHEN 'auto' THEN 'AUTO(SORTKEY)'
                           WHEN 'none' THEN NULL ELSE co.sortkey1_column::text END AS sortkey1,
       co.max_varchar::integer AS max_varchar,
       co.sortkey1_enc::character(32) AS sortkey1_enc,
       co.sortkey_num::integer AS sortkey_num,
       t.blocks AS size,
       round(t.blocks * 100.0 / localshift.capacity_blocks(), 4)::numeric(10, 4) AS pct_used,
       0::bigint AS empty,
       CASE WHEN co.sortkey_num > 0 THEN 0.00 END::numeric(5, 2) AS unsorted,
       CASE WHEN t.last_analyze IS NULL AND t.last_autoanalyze IS NULL THEN 100.00
            ELSE least(coalesce(t.n_mod_since_analyze, 0) * 100.0 / greatest(t.row_count, 1), 100)
       END::numeric(5, 2) AS stats_off,
       t.row_count::numeric(38, 0) AS tbl_rows,
       CASE WHEN co.sortkey_num > 0 THEN 1.00 END::numeric(19, 2) AS skew_sortkey1,
       CASE WHEN t.diststyle <> 'ALL' THEN 1.00 END::numeric(19, 2) AS skew_rows,
       t.row_count::numeric(38, 0) AS estimated_visible_rows,
       NULL::text AS risk_event,
       CASE WHEN co.sortkey_num > 0 THEN 0.00 END::numeric(12, 2) AS vacuum_sort_benefit,
       rc.created AS create_time
FROM tables t
JOIN columns co ON co.table_oid = t.oid
LEFT JOIN localshift.relation_created rc ON rc.table_oid = t.oid
WHERE t.row_count > 0;

-- SVV_TABLES / SVV_COLUMNS: local tables and views (no external tables here).
CREATE OR REPLACE VIEW localshift.visible_relations AS
SELECT c.oid, n.nspname, c.relname, c.relkind, localshift.redshift_acl(c.relacl, 'r', c.relowner) AS relacl, c.relowner,
       pg_catalog.obj_description(c.oid, 'pg_class') AS remarks
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND localshift.is_user_visible_schema(n.nspname)
  AND localshift.can_see_relation(c.oid, c.relowner);

CREATE OR REPLACE VIEW pg_catalog.svv_tables AS
SELECT current_database()::text AS table_catalog, nspname::text AS table_schema, relname::text AS table_name,
       CASE WHEN relkind IN ('v', 'm') THEN 'VIEW' ELSE 'BASE TABLE' END AS table_type,
       remarks::text AS remarks
FROM localshift.visible_relations;

CREATE OR REPLACE VIEW localshift.visible_columns AS
SELECT r.oid AS table_oid, r.nspname, r.relname, r.relkind, a.attname, a.attnum, a.atttypid, a.atttypmod,
       a.attnotnull, a.attacl,
       localshift.column_default(r.oid, a.attnum) AS column_default,
       information_schema._pg_truetypid(a.*, t.*) AS true_type,
       information_schema._pg_truetypmod(a.*, t.*) AS true_typmod,
       pg_catalog.col_description(r.oid, a.attnum) AS remarks
FROM localshift.visible_relations r
JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid;

CREATE OR REPLACE VIEW pg_catalog.svv_columns AS
SELECT current_database()::text AS table_catalog, nspname::text AS table_schema, relname::text AS table_name,
       attname::text AS column_name, attnum::integer AS ordinal_position, column_default::text,
       CASE WHEN attnotnull THEN 'NO' ELSE 'YES' END::text AS is_nullable,
       format_type(atttypid, NULL)::text AS data_type,
       information_schema._pg_char_max_length(true_type, true_typmod)::integer AS character_maximum_length,
       information_schema._pg_numeric_precision(true_type, true_typmod)::integer AS numeric_precision,
       information_schema._pg_numeric_precision_radix(true_type, true_typmod)::integer AS numeric_precision_radix,
       information_schema._pg_numeric_scale(true_type, true_typmod)::integer AS numeric_scale,
       information_schema._pg_datetime_precision(true_type, true_typmod)::integer AS datetime_precision,
       NULL::text AS interval_type, NULL::text AS interval_precision,
       NULL::text AS character_set_catalog, NULL::text AS character_set_schema,
       NULL::text AS character_set_name, NULL::text AS collation_catalog,
       NULL::text AS collation_schema, NULL::text AS collation_name, NULL::text AS domain_name,
       remarks::text AS remarks
FROM localshift.visible_columns;

-- SVV_ALL_* and SVV_REDSHIFT_*: this database's schemas, tables and columns.
CREATE OR REPLACE VIEW localshift.visible_schemas AS
SELECT n.oid, n.nspname, n.nspowner, n.nspacl
FROM localshift.redshift_pg_namespace n
WHERE localshift.is_user_visible_schema(n.nspname)
  AND (localshift.is_superuser((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
       OR pg_has_role(n.nspowner, 'USAGE') OR has_schema_privilege(n.oid, 'USAGE'));

CREATE OR REPLACE VIEW pg_catalog.svv_redshift_schemas AS
SELECT current_database()::varchar(128) AS database_name, nspname::varchar(128) AS schema_name,
       nspowner::integer AS schema_owner, 'local'::varchar(16) AS schema_type,
       array_to_string(nspacl, ',')::varchar(128) AS schema_acl, NULL::varchar(128) AS schema_option
FROM localshift.visible_schemas;

CREATE OR REPLACE VIEW pg_catalog.svv_all_schemas AS
SELECT database_name, schema_name, schema_owner, schema_type::varchar(128) AS schema_type, schema_acl,
       NULL::varchar(128) AS source_database, NULL::varchar(256) AS schema_option
FROM pg_catalog.svv_redshift_schemas;

CREATE OR REPLACE VIEW pg_catalog.svv_redshift_tables AS
SELECT current_database()::varchar(128) AS database_name, nspname::varchar(128) AS schema_name,
       relname::varchar(128) AS table_name,
       CASE WHEN relkind IN ('v', 'm') THEN 'VIEW' ELSE 'TABLE' END::varchar(32) AS table_type,
       array_to_string(relacl, ',')::varchar(128) AS table_acl, remarks::varchar(128) AS remarks
FROM localshift.visible_relations;

CREATE OR REPLACE VIEW pg_catalog.svv_all_tables AS
SELECT database_name, schema_name, table_name, table_type::varchar(128) AS table_type, table_acl,
       remarks::varchar(256) AS remarks
FROM pg_catalog.svv_redshift_tables;

CREATE OR REPLACE VIEW pg_catalog.svv_redshift_columns AS
SELECT current_database()::varchar(128) AS database_name, c.nspname::varchar(128) AS schema_name,
       c.relname::varchar(128) AS table_name, c.attname::varchar(128) AS column_name,
       c.attnum::integer AS ordinal_position, format_type(c.atttypid, c.atttypmod)::varchar(32) AS data_type,
       c.column_default::varchar(4000) AS column_default,
       CASE WHEN c.attnotnull THEN 'NO' ELSE 'YES' END::varchar(3) AS is_nullable,
       coalesce(cl.encoding, 'none')::varchar(128) AS encoding, coalesce(cl.is_distkey, false) AS distkey,
       coalesce(cl.sortkey_ord, 0)::integer AS sortkey,
       array_to_string(c.attacl, ',')::varchar(128) AS column_acl, c.remarks::varchar(256) AS remarks
FROM localshift.visible_columns c
LEFT JOIN localshift.column_layout cl ON cl.table_oid = c.table_oid AND cl.attnum = c.attnum;

CREATE OR REPLACE VIEW pg_catalog.svv_all_columns AS
SELECT current_database()::varchar(128) AS database_name, nspname::varchar(128) AS schema_name,
       relname::varchar(128) AS table_name, attname::varchar(128) AS column_name,
       attnum::integer AS ordinal_position, column_default::varchar(4000) AS column_default,
       CASE WHEN attnotnull THEN 'NO' ELSE 'YES' END::varchar(3) AS is_nullable,
       format_type(atttypid, NULL)::varchar(128) AS data_type,
       information_schema._pg_char_max_length(true_type, true_typmod)::integer AS character_maximum_length,
       information_schema._pg_numeric_precision(true_type, true_typmod)::integer AS numeric_precision,
       information_schema._pg_numeric_scale(true_type, true_typmod)::integer AS numeric_scale,
       remarks::varchar(256) AS remarks
FROM localshift.visible_columns;

-- SVV_REDSHIFT_DATABASES: the cluster's databases, SHOW DATABASES's (not the templates, nor the
-- engine's own), at SNAPSHOT isolation, a new cluster's default (CREATE DATABASE's ISOLATION
-- LEVEL is accepted and changes nothing).
CREATE OR REPLACE VIEW pg_catalog.svv_redshift_databases AS
SELECT d.datname::varchar(128) AS database_name, d.datdba::integer AS database_owner,
       'local'::varchar(32) AS database_type, array_to_string(localshift.redshift_acl(d.datacl, 'd', d.datdba), ',')::varchar(128) AS database_acl,
       NULL::varchar(128) AS database_options, 'Snapshot Isolation'::varchar(128) AS database_isolation_level
FROM localshift.redshift_pg_database d
WHERE NOT d.datistemplate AND d.datallowconn;

-- External (Spectrum) schemas, tables and columns: none, with Redshift's columns.
CREATE OR REPLACE VIEW pg_catalog.svv_external_schemas AS
SELECT NULL::oid AS esoid, NULL::integer AS eskind, NULL::name AS schemaname, NULL::integer AS esowner,
       NULL::text AS databasename, NULL::text AS esoptions
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_external_tables AS
SELECT NULL::text AS redshift_database_name, NULL::text AS schemaname, NULL::text AS tablename,
       NULL::text AS tabletype, NULL::text AS location, NULL::text AS input_format,
       NULL::text AS output_format, NULL::text AS serialization_lib, NULL::text AS serde_parameters,
       NULL::integer AS compressed, NULL::text AS parameters
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_external_columns AS
SELECT NULL::text AS redshift_database_name, NULL::text AS schemaname, NULL::text AS tablename,
       NULL::text AS columnname, NULL::text AS external_type, NULL::integer AS columnnum,
       NULL::integer AS part_key, NULL::text AS is_nullable
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_external_databases AS
SELECT NULL::integer AS eskind, NULL::text AS esoptions, NULL::text AS databasename,
       NULL::text AS location, NULL::text AS parameters
WHERE false;

-- The kind and name of a grantee of an ACL (the views of 35_grant_views.sql).
CREATE OR REPLACE FUNCTION localshift.identity_type(role oid) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $1 = 0 THEN 'public'
            WHEN (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE oid = $1) THEN 'user'
            WHEN localshift.is_group($1) THEN 'group'
            ELSE 'role' END $$;

CREATE OR REPLACE FUNCTION localshift.identity_name(role oid) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $1 = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid($1)::text END $$;

-- SVV_USER_INFO / SVL_USER_INFO: users; a regular user sees only themself.
CREATE OR REPLACE VIEW localshift.visible_users AS
SELECT r.oid, r.rolname, r.rolcreatedb, r.rolsuper, r.rolconnlimit, localshift.is_superuser(r.oid) AS superuser,
       -- SYSLOG ACCESS UNRESTRICTED: membership of localshift_syslog_unrestricted (docs/sql.md, internals).
       coalesce(pg_has_role(r.oid, (SELECT oid FROM pg_catalog.pg_roles
                                    WHERE rolname = 'localshift_syslog_unrestricted'), 'MEMBER'), false)
           AS syslog_unrestricted,
       -- The user's last DDL statement through the endpoint (the query history).
       (SELECT max(h.start_time) FROM localshift.query_history h
        WHERE h.user_name = r.rolname AND localshift.query_type(h.query_text) = 'DDL') AS last_ddl
FROM pg_catalog.pg_roles r
WHERE r.rolcanlogin
  AND (r.rolname = current_user
       OR localshift.is_superuser((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)));

CREATE OR REPLACE VIEW pg_catalog.svv_user_info AS
SELECT rolname::text AS user_name, oid::integer AS user_id, rolcreatedb AS createdb, superuser,
       rolsuper AS catalog_update,
       CASE WHEN rolconnlimit < 0 THEN 'UNLIMITED' ELSE rolconnlimit::text END AS connection_limit,
       CASE WHEN superuser OR syslog_unrestricted THEN 'UNRESTRICTED' ELSE 'RESTRICTED' END AS syslog_access,
       last_ddl AS last_ddl_timestamp, 0 AS session_timeout, NULL::text AS external_user_id
FROM localshift.visible_users;

CREATE OR REPLACE VIEW pg_catalog.svl_user_info AS
SELECT user_name AS usename, user_id AS usesysid, createdb AS usecreatedb, superuser AS usesuper,
       catalog_update AS usecatupd, connection_limit AS useconnlimit, syslog_access AS syslogaccess,
       last_ddl_timestamp AS last_ddl_ts, session_timeout AS sessiontimeout, external_user_id AS external_id
FROM pg_catalog.svv_user_info;

-- SVV_ROLES: roles created with CREATE ROLE (neither users nor groups; not the
-- engine's own roles nor localshift's, which stand for Redshift privileges).
-- A role's owner is the user who created it: the engine records the creator's ADMIN OPTION on
-- the new role as a grant from the bootstrap superuser (what localshift.role_grants leaves out).
CREATE OR REPLACE VIEW pg_catalog.svv_roles AS
SELECT r.oid::integer AS role_id, r.rolname::text AS role_name,
       (SELECT pg_catalog.pg_get_userbyid(c.member)::text FROM pg_catalog.pg_auth_members c
        WHERE c.roleid = r.oid AND c.grantor = 10 AND c.admin_option ORDER BY c.member LIMIT 1) AS role_owner,
       NULL::text AS external_id
FROM pg_catalog.pg_roles r
WHERE localshift.is_redshift_role(r.oid);

GRANT SELECT ON localshift.visible_relations, localshift.visible_columns, localshift.visible_schemas,
    localshift.visible_users TO PUBLIC;
GRANT SELECT ON pg_catalog.svv_table_info, pg_catalog.svv_tables, pg_catalog.svv_columns,
    pg_catalog.svv_redshift_schemas, pg_catalog.svv_all_schemas, pg_catalog.svv_redshift_tables,
    pg_catalog.svv_all_tables, pg_catalog.svv_redshift_columns, pg_catalog.svv_all_columns,
    pg_catalog.svv_redshift_databases, pg_catalog.svv_external_schemas, pg_catalog.svv_external_tables,
    pg_catalog.svv_external_columns, pg_catalog.svv_external_databases,
    pg_catalog.svv_user_info, pg_catalog.svl_user_info, pg_catalog.svv_roles TO PUBLIC;
