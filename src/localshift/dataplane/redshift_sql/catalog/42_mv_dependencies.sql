-- Materialized views built on materialized views: which ones a view's query names (REFRESH ... CASCADE
-- refreshes them first: localshift.refresh_mv, 42_materialized_views.sql), SVV_MV_DEPENDENCY and STV_MV_DEPS.

-- The materialized views a materialized view's query names (MV on MV), read from the engine's
-- dependencies of its query.
CREATE OR REPLACE FUNCTION localshift.mv_base_views(view_oid oid) RETURNS SETOF oid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT DISTINCT d.refobjid
FROM pg_rewrite rw
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> view_oid
JOIN pg_class r ON r.oid = d.refobjid AND r.relkind = 'm'
WHERE rw.ev_class = view_oid AND rw.rulename = '_RETURN' $$;

-- The materialized views each materialized view's query names (mv_base_views), for SVV_MV_DEPENDENCY
-- and STV_MV_DEPS.  Regular users see their own views' rows; superusers every row.
CREATE OR REPLACE VIEW localshift.mv_dependencies AS
SELECT n.nspname AS schema_name, c.relname AS name, rn.nspname AS ref_schema, r.relname AS ref_name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL localshift.mv_base_views(c.oid) AS b
JOIN pg_catalog.pg_class r ON r.oid = b
JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
WHERE c.relkind = 'm' AND localshift.is_user_visible_schema(n.nspname)
  AND (pg_catalog.pg_get_userbyid(c.relowner) = current_user OR localshift.current_user_is_superuser());
REVOKE ALL ON localshift.mv_dependencies FROM PUBLIC;

CREATE OR REPLACE VIEW pg_catalog.svv_mv_dependency AS
SELECT current_database()::character(128) AS database_name, schema_name::character(128) AS schema_name,
       name::character(128) AS name, current_database()::character(128) AS dependent_database_name,
       ref_schema::character(128) AS dependent_schema_name, ref_name::character(128) AS dependent_name
FROM localshift.mv_dependencies;

CREATE OR REPLACE VIEW pg_catalog.stv_mv_deps AS
SELECT current_database()::character(128) AS db_name, schema_name::character(128) AS schema,
       name::character(128) AS name, ref_schema::character(128) AS ref_schema, ref_name::character(128) AS ref_name,
       current_database()::character(128) AS ref_database_name
FROM localshift.mv_dependencies;
GRANT SELECT ON pg_catalog.svv_mv_dependency, pg_catalog.stv_mv_deps TO PUBLIC;
