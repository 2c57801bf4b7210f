-- Redshift's system information functions.

-- version() in Redshift's form.  The engine's own stays reachable as
-- localshift.engine_version().  The translator qualifies unqualified calls
-- (localshift.version); pg_catalog.version(), which SQLAlchemy's dialects call
-- by that name, is replaced in place too.  The server runs built-ins by their
-- OID without reading pg_proc, so the replacement holds where the planner
-- inlines the call (any SELECT), which is where clients call it.
CREATE OR REPLACE FUNCTION localshift.engine_version() RETURNS text
LANGUAGE internal STABLE STRICT PARALLEL SAFE AS 'pgsql_version';
CREATE OR REPLACE FUNCTION localshift.version() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467'::text $$;
CREATE OR REPLACE FUNCTION pg_catalog.version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT localshift.version() $$;

-- A Redshift superuser: the master user and users created with CREATEUSER.
-- Neither is a PostgreSQL superuser here (that would reach the host): they are
-- members of localshift_superuser (docs/sql.md, internals); rdsdb is the
-- internal superuser.
CREATE OR REPLACE FUNCTION localshift.is_superuser(role oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE oid = $1), false)
    OR coalesce(pg_has_role($1, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'localshift_superuser'),
                            'MEMBER'), false) $$;

-- CURRENT_USER_ID (a keyword the translator turns into this call).
CREATE OR REPLACE FUNCTION pg_catalog.current_user_id() RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT oid::integer FROM pg_catalog.pg_roles WHERE rolname = current_user $$;

-- Views created WITH NO SCHEMA BINDING (recorded by the translator through
-- localshift.record_late_binding_view).  Redshift lists their columns only
-- through pg_get_late_binding_view_cols(), not in pg_attribute.
CREATE TABLE IF NOT EXISTS localshift.late_binding_views (view_oid oid PRIMARY KEY);

CREATE OR REPLACE FUNCTION localshift.record_late_binding_view(view regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NOT pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = view), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of view %', view USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO localshift.late_binding_views VALUES (view) ON CONFLICT DO NOTHING;
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.pg_get_late_binding_view_cols() RETURNS SETOF record
LANGUAGE sql STABLE AS $$
SELECT n.nspname AS view_schema, c.relname AS view_name, a.attname AS col_name,
       format_type(a.atttypid, a.atttypmod)::varchar AS col_type, a.attnum::integer AS col_num
FROM localshift.late_binding_views lbv
JOIN pg_catalog.pg_class c ON c.oid = lbv.view_oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE has_table_privilege(c.oid, 'SELECT') OR pg_has_role(c.relowner, 'USAGE')
ORDER BY 1, 2, 5 $$;

-- Column compression encodings: the numbers pg_attribute.attencodingtype holds
-- (localshift's numbering; 0 is raw, shown as none as Redshift does) and their names.
CREATE OR REPLACE FUNCTION localshift.encoding_names() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT ARRAY['none', 'bytedict', 'delta', 'delta32k', 'lzo', 'mostly8', 'mostly16', 'mostly32',
             'runlength', 'text255', 'text32k', 'zstd', 'az64'] $$;

CREATE OR REPLACE FUNCTION localshift.encoding_code(encoding text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(array_position(localshift.encoding_names(),
                               CASE lower($1) WHEN 'raw' THEN 'none' ELSE lower($1) END) - 1, 0)::smallint $$;

CREATE OR REPLACE FUNCTION pg_catalog.format_encoding(integer) RETURNS character(32)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce((localshift.encoding_names())[$1 + 1], 'none')::character(32) $$;

-- PG_LAST_QUERY_ID(): the last query this session finished, -1 before any.
CREATE OR REPLACE FUNCTION pg_catalog.pg_last_query_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
SELECT coalesce(max(query_id), -1)::integer FROM localshift.query_history
WHERE pid = pg_backend_pid() $$;
