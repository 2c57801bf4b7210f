-- Redshift's system information functions.

-- version() in Redshift's form.  The engine's own stays reachable as
-- localshift.engine_version().  The translator qualifies unqualified calls
-- (localshift.version); pg_catalog.version(), which SQLAlchemy's dialects call
-- by that name, is replaced in place too.  The server runs built-ins by their
-- OID without reading pg_proc, so the replacement holds where the planner
-- inlines the call (any SELECT), which is where clients call it.
CREATE OR REPLACE FUNCTION localshift.engine_version() RETURNS text
LANGUAGE internal STABLE STRICT PARALLEL SAFE AS 'pgsql_version';
-- Its build is the cluster's EngineFullVersion in the API (services/redshift/views.py ENGINE_BUILD).
CREATE OR REPLACE FUNCTION localshift.version() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.87003'::text $$;
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

-- CURRENT_AWS_ACCOUNT, CURRENT_NAMESPACE (keywords the translator turns into calls of these) and
-- DEFAULT_IAM_ROLE(): the cluster's (or serverless namespace's) account, namespace id and default
-- IAM role (NULL without one), as the service last wrote them (engine_settings.set_cluster_facts:
-- ALTER SYSTEM, by the internal role).  They are read from the configuration files, which no user
-- writes, not from the settings a session has (any user may SET localshift.anything).  The
-- account is a BIGINT (AWS says INTEGER, whose range no 12-digit account id fits).
CREATE OR REPLACE FUNCTION localshift.cluster_fact(name text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT setting FROM pg_catalog.pg_file_settings
WHERE name = 'localshift.' || $1 AND error IS NULL ORDER BY seqno DESC LIMIT 1 $$;
REVOKE ALL ON FUNCTION localshift.cluster_fact(text) FROM PUBLIC;
CREATE OR REPLACE FUNCTION pg_catalog.current_aws_account() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.cluster_fact('aws_account')::bigint $$;
CREATE OR REPLACE FUNCTION pg_catalog.current_namespace() RETURNS character varying
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.cluster_fact('namespace') $$;
CREATE OR REPLACE FUNCTION pg_catalog.default_iam_role() RETURNS character varying
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.cluster_fact('default_iam_role') $$;

-- Views created WITH NO SCHEMA BINDING (recorded by the event triggers of 40_events.sql, bound
-- by 39_late_binding.sql): the statement as written (pg_get_viewdef, SHOW VIEW), its query as
-- translated, its column names ("(a, b)" or ''), the search path it was created with, and the
-- relations (schema.name) its query read when last bound (NULL: never bound).  Rows without a query
-- are views recorded before localshift kept these.  Redshift lists their columns only through
-- pg_get_late_binding_view_cols(), not in pg_attribute.
CREATE TABLE IF NOT EXISTS localshift.late_binding_views (view_oid oid PRIMARY KEY);
ALTER TABLE localshift.late_binding_views
    ADD COLUMN IF NOT EXISTS create_text text, ADD COLUMN IF NOT EXISTS query text,
    ADD COLUMN IF NOT EXISTS column_names text, ADD COLUMN IF NOT EXISTS search_path text,
    ADD COLUMN IF NOT EXISTS relations text[];
-- Which views bind late, and their statements as written, are every user's to read (as a view's
-- definition is): pg_get_late_binding_view_cols(), pg_get_viewdef and PG_VIEWS run as the user.
GRANT SELECT (view_oid, create_text) ON localshift.late_binding_views TO PUBLIC;

-- PG_GET_VIEWDEF: a late-binding view's statement as it was written (as Redshift's); other
-- views as the engine prints them.  Unqualified calls reach these (the translator qualifies them).
CREATE OR REPLACE FUNCTION localshift.pg_get_viewdef(view_oid oid, pretty boolean DEFAULT false) RETURNS text
LANGUAGE sql STABLE AS $$
SELECT coalesce((SELECT lbv.create_text FROM localshift.late_binding_views lbv WHERE lbv.view_oid = $1),
                pg_catalog.pg_get_viewdef($1, $2)) $$;
CREATE OR REPLACE FUNCTION localshift.pg_get_viewdef(view_oid oid, wrap_column integer) RETURNS text
LANGUAGE sql STABLE AS $$
SELECT coalesce((SELECT lbv.create_text FROM localshift.late_binding_views lbv WHERE lbv.view_oid = $1),
                pg_catalog.pg_get_viewdef($1, $2)) $$;
CREATE OR REPLACE FUNCTION localshift.pg_get_viewdef(view_name text, pretty boolean DEFAULT false) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT localshift.pg_get_viewdef($1::regclass::oid, $2) $$;

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

-- A statement's words in lower case, single-spaced and ending in a space, with the comments before
-- it (dbt's query comment, /* {"app": "dbt", ...} */) left out: what its kind is read from.
CREATE OR REPLACE FUNCTION localshift.statement_words(statement text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT lower(regexp_replace(regexp_replace(btrim($1), E'^\\s*(/\\*([^*]|\\*+[^*/])*\\*+/\\s*|--[^\\n]*(\\n|$)\\s*)*', ''),
                            E'\\s+', ' ', 'g')) || ' ' $$;

-- A statement's kind, as SYS_QUERY_HISTORY.query_type names it.
CREATE OR REPLACE FUNCTION localshift.query_type(statement text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE
    WHEN words ~ '^create( temp| temporary| local temp| local temporary)? table .* as' AND words !~ E'\\(.*\\) *$'
         THEN 'CTAS'
    WHEN words ~ '^select .* into ' THEN 'CTAS'
    WHEN words ~ '^(select|with|values|table) ' OR words ~ E'^\\(' THEN 'SELECT'
    WHEN words ~ '^insert ' THEN 'INSERT'
    WHEN words ~ '^update ' THEN 'UPDATE'
    WHEN words ~ '^delete ' THEN 'DELETE'
    WHEN words ~ '^merge ' THEN 'MERGE'
    WHEN words ~ '^copy ' THEN 'COPY'
    WHEN words ~ '^unload ' THEN 'UNLOAD'
    WHEN words ~ '^(create|alter|drop|truncate|grant|revoke|comment) ' THEN 'DDL'
    WHEN words ~ '^(set|reset|show|begin|start|commit|end|abort|rollback|analyze|vacuum|lock|cancel|fetch|close|declare|prepare|execute|deallocate|discard|call) '
         THEN 'UTILITY'
    ELSE 'OTHER'
END
FROM (SELECT localshift.statement_words($1) AS words) AS w $$;

-- Where a statement is logged in the STL tables: QUERY (STL_QUERY), DDL (STL_DDLTEXT) or UTILITY.
-- Redshift files some statements SYS_QUERY_HISTORY calls DDL under STL_UTILITYTEXT: its docs list
-- COMMENT, CREATE/ALTER/DROP DATABASE and USER, GRANT, REVOKE and TRUNCATE there.
CREATE OR REPLACE FUNCTION localshift.statement_class(statement text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.query_type($1)
    WHEN 'DDL' THEN CASE WHEN words ~ '^(comment|grant|revoke|truncate) '
                              OR words ~ '^(create|alter|drop) (database|user) '
                         THEN 'UTILITY' ELSE 'DDL' END
    WHEN 'UTILITY' THEN 'UTILITY' WHEN 'OTHER' THEN 'UTILITY' ELSE 'QUERY' END
FROM (SELECT localshift.statement_words($1) AS words) AS w $$;

-- The last statement this session finished (of that query_type when kind is not NULL; only one
-- that succeeded when succeeded), -1 before any.  The wire front writes a session's statements
-- before it sends one that calls PG_LAST_QUERY_ID, PG_LAST_COPY_ID... (session.py's _HOLDS).  Rows of
-- an earlier session with the same backend pid started before this one.  Run by those functions
-- (SECURITY DEFINER: the history is not the user's to read).
CREATE OR REPLACE FUNCTION localshift.last_statement_id(kind text, succeeded boolean) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce((SELECT h.query_id FROM localshift.query_history h
                 WHERE h.pid = pg_backend_pid()
                   AND h.start_time >= (SELECT a.backend_start AT TIME ZONE 'UTC'
                                        FROM pg_stat_get_activity(pg_backend_pid()) a)
                   AND (kind IS NULL OR localshift.query_type(h.query_text) = kind)
                   AND (NOT succeeded OR h.status = 'success')
                 ORDER BY h.query_id DESC LIMIT 1), -1)::integer $$;
REVOKE ALL ON FUNCTION localshift.last_statement_id(text, boolean) FROM PUBLIC;
-- The rows that statement loaded or unloaded (its command tag's count), 0 when there is none or it failed.
CREATE OR REPLACE FUNCTION localshift.last_statement_rows(kind text, succeeded boolean) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce((SELECT CASE WHEN h.status = 'success' THEN h.row_count END FROM localshift.query_history h
                 WHERE h.query_id = localshift.last_statement_id(kind, succeeded)), 0) $$;
REVOKE ALL ON FUNCTION localshift.last_statement_rows(text, boolean) FROM PUBLIC;

-- PG_LAST_QUERY_ID(): the last statement this session finished (its STL_QUERY.query,
-- SYS_QUERY_HISTORY.query_id).
CREATE OR REPLACE FUNCTION pg_catalog.pg_last_query_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.last_statement_id(NULL, false) $$;

-- PG_LAST_COPY_ID(): the last COPY this session ran, whether it loaded or failed (the query
-- STL_LOAD_ERRORS and STL_LOAD_COMMITS name).  PG_LAST_COPY_COUNT(): the rows it loaded, 0 when
-- it failed or none ran (AWS: "If no COPY commands were run in the current session, or if the last
-- COPY failed during loading, PG_LAST_COPY_COUNT returns 0").
CREATE OR REPLACE FUNCTION pg_catalog.pg_last_copy_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.last_statement_id('COPY', false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.pg_last_copy_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.last_statement_rows('COPY', false) $$;

-- PG_LAST_UNLOAD_ID() (-1 when none ran) and PG_LAST_UNLOAD_COUNT() (0): an UNLOAD counts once it
-- has begun unloading, and one that fails here fails before (S3 is not reached: copy_unload.py),
-- as AWS's "not updated if the UNLOAD command fails because of an error that occurs before the
-- load process begins".
CREATE OR REPLACE FUNCTION pg_catalog.pg_last_unload_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.last_statement_id('UNLOAD', true) $$;
CREATE OR REPLACE FUNCTION pg_catalog.pg_last_unload_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.last_statement_rows('UNLOAD', true) $$;
