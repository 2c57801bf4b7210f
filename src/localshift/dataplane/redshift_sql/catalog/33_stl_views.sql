-- Redshift's STL_* / STV_* / SVL_* / SYS_* monitoring views: sessions and
-- running statements come from pg_stat_activity, history from
-- localshift.query_history (written by the wire front's recorder).  Regular
-- users see their own rows; Redshift superusers see every row.  Sessions of
-- the internal superuser (rdsdb) are localshift's own and not listed.

CREATE OR REPLACE FUNCTION localshift.current_user_is_superuser() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT localshift.is_superuser((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)) $$;

-- The history with Redshift's names: user ids, statement kinds.  Redshift's
-- query_group label and transaction ids are not recorded ('default', 0).
CREATE OR REPLACE VIEW localshift.visible_history AS
SELECT h.query_id, h.pid, r.oid AS userid, h.user_name, h.database_name AS database, h.query_text,
       h.start_time AS starttime, h.end_time AS endtime, h.status, h.row_count AS rows,
       h.error_code, h.error_message, 'default'::text AS label, 0::bigint AS transaction_id,
       localshift.query_type(h.query_text) AS query_type, localshift.statement_class(h.query_text) AS class
FROM localshift.query_history h
LEFT JOIN pg_catalog.pg_roles r ON r.rolname = h.user_name
WHERE h.user_name = current_user OR localshift.current_user_is_superuser();

-- A text in pieces of ``size`` characters, numbered from 0 (one empty piece for an empty text).
CREATE OR REPLACE FUNCTION localshift.text_pieces(t text, size integer) RETURNS TABLE (sequence integer, text text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT (s - 1)::integer, substr(t, (s - 1) * size + 1, size)
FROM generate_series(1, greatest(ceil(length(t) / size::numeric)::integer, 1)) AS s $$;

-- A statement's text in 200-character pieces, with the columns the STL text
-- tables share (STL_QUERYTEXT, STL_DDLTEXT, STL_UTILITYTEXT, SVL_STATEMENTTEXT).
CREATE OR REPLACE VIEW localshift.history_text AS
SELECT h.query_id::integer AS query, h.userid::integer AS userid, h.transaction_id AS xid, h.pid,
       h.label::character(320) AS label, h.starttime, h.endtime, h.class, piece.sequence,
       piece.text::character(200) AS text
FROM localshift.visible_history h
CROSS JOIN LATERAL localshift.text_pieces(h.query_text, 200) AS piece;

CREATE OR REPLACE VIEW pg_catalog.stl_query AS
SELECT userid::integer AS userid, query_id::integer AS query, label::character(320) AS label,
       transaction_id AS xid, pid, database::character(32) AS database,
       left(query_text, 4000)::character(4000) AS querytxt, starttime, endtime,
       CASE WHEN status = 'success' THEN 0 ELSE 1 END AS aborted,
       0 AS insert_pristine, 0 AS concurrency_scaling_status
FROM localshift.visible_history
WHERE class = 'QUERY';

CREATE OR REPLACE VIEW pg_catalog.stl_querytext AS
SELECT userid, xid, pid, query, sequence, text FROM localshift.history_text WHERE class = 'QUERY';

CREATE OR REPLACE VIEW pg_catalog.stl_ddltext AS
SELECT userid, xid, pid, label, starttime, endtime, sequence, text FROM localshift.history_text WHERE class = 'DDL';

CREATE OR REPLACE VIEW pg_catalog.stl_utilitytext AS
SELECT userid, xid, pid, label, starttime, endtime, sequence, text FROM localshift.history_text
WHERE class = 'UTILITY';

CREATE OR REPLACE VIEW pg_catalog.svl_statementtext AS
SELECT userid, xid, pid, label, starttime, endtime, sequence, class::character varying(10) AS type, text
FROM localshift.history_text;

-- SYS_QUERY_TEXT: every statement's text (DDL and utility statements too) in 4000-character pieces.
CREATE OR REPLACE VIEW pg_catalog.sys_query_text AS
SELECT h.userid::integer AS user_id, h.query_id::bigint AS query_id, h.transaction_id::bigint AS transaction_id,
       h.pid::integer AS session_id, h.starttime AS start_time, piece.sequence,
       piece.text::character(4000) AS text
FROM localshift.visible_history h
CROSS JOIN LATERAL localshift.text_pieces(h.query_text, 4000) AS piece;

-- Sessions and running statements ----------------------------------------------------
-- Redshift never shows a password given in SQL: a running CREATE USER or ALTER USER ...
-- PASSWORD shows PASSWORD '***' in STV_RECENTS, STV_INFLIGHT, SVV_QUERY_INFLIGHT and
-- PG_STAT_ACTIVITY, as the query history does (masking.py's rule, the same regular expression
-- in PostgreSQL's flavour: \y is a word boundary).  PG_STAT_ACTIVITY itself is the engine's view
-- with its query column masked, so every view reading it, and a user reading it, sees the mask.
CREATE OR REPLACE FUNCTION localshift.masked_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
SELECT pg_catalog.regexp_replace(t,
    $re$(\ypassword\s+)(E?''(?:[^']|'''')*''|E'(?:[^'\\]|''|\\.)*'|(?:U&)?'(?:[^']|'')*'|md5\S*|sha256\S*)$re$,
    $r$\1'***'$r$, 'gi')
$f$;
DO $do$
DECLARE
    definition text := pg_catalog.pg_get_viewdef('pg_catalog.pg_stat_activity'::regclass);
BEGIN
    IF pg_catalog.strpos(definition, 'localshift.masked_text') = 0 THEN
        EXECUTE 'CREATE OR REPLACE VIEW pg_catalog.pg_stat_activity AS '
             || pg_catalog.replace(definition, ' s.query,', ' localshift.masked_text(s.query) AS query,');
    END IF;
END $do$;

CREATE OR REPLACE VIEW localshift.visible_sessions AS
SELECT a.pid, a.usesysid, a.usename, a.datname, a.backend_start, a.query_start, a.state, a.query, a.backend_xid
FROM pg_catalog.pg_stat_activity a
WHERE a.backend_type = 'client backend' AND a.usename <> 'rdsdb'
  AND (a.usename = current_user OR localshift.current_user_is_superuser());

CREATE OR REPLACE VIEW pg_catalog.stv_sessions AS
SELECT backend_start::timestamp AS starttime, pid AS process, usename::character(50) AS user_name,
       datname::character(50) AS db_name, 0 AS timeout_sec
FROM localshift.visible_sessions;

CREATE OR REPLACE VIEW pg_catalog.stv_inflight AS
SELECT usesysid::integer AS userid, 0 AS slice, 0 AS query, 'default'::character(320) AS label,
       coalesce(backend_xid::text::bigint, 0) AS xid, pid, query_start::timestamp AS starttime,
       left(query, 100)::character(100) AS text, 0 AS suspended, 0 AS insert_pristine,
       0 AS concurrency_scaling_status
FROM localshift.visible_sessions
WHERE state = 'active';

-- STV_RECENTS: statements running now, then the most recent finished ones.
CREATE OR REPLACE VIEW pg_catalog.stv_recents AS
SELECT usesysid::integer AS userid, 'Running'::character(20) AS status, query_start::timestamp AS starttime,
       (extract(epoch FROM clock_timestamp() - query_start) * 1000000)::integer AS duration,
       usename::character(50) AS user_name, datname::character(50) AS db_name,
       left(query, 600)::character(600) AS query, pid
FROM localshift.visible_sessions
WHERE state = 'active'
UNION ALL
SELECT * FROM (
    SELECT userid::integer, 'Done'::character(20), starttime,
           (extract(epoch FROM endtime - starttime) * 1000000)::integer,
           user_name::character(50), database::character(50), left(query_text, 600)::character(600), pid
    FROM localshift.visible_history
    ORDER BY query_id DESC
    LIMIT 100
) AS done;

-- SYS_QUERY_HISTORY: finished statements (the history), then the ones running now (AWS: "It
-- contains both running and finished queries"), the statement reading the view among them, as in
-- Redshift.  A statement gets its query id as it completes (history.py), so a running one shows
-- query 0, as STV_INFLIGHT does; its text is what the engine runs (the translated statement), its
-- end time NULL and its elapsed and execution times those until the reading statement began.
CREATE OR REPLACE VIEW pg_catalog.sys_query_history AS
SELECT userid::integer AS user_id, query_id::bigint AS query_id,
       label::character(320) AS query_label,
       transaction_id::bigint AS transaction_id, pid::integer AS session_id,
       database::character(128) AS database_name, query_type::character(32) AS query_type,
       status::character(10) AS status, false AS result_cache_hit,
       starttime AS start_time, endtime AS end_time,
       (extract(epoch FROM endtime - starttime) * 1000000)::bigint AS elapsed_time,
       0::bigint AS queue_time,
       (extract(epoch FROM endtime - starttime) * 1000000)::bigint AS execution_time,
       error_message::character(512) AS error_message, rows::bigint AS returned_rows,
       NULL::bigint AS returned_bytes, left(query_text, 4000)::character(4000) AS query_text,
       '1.0.87003'::character(256) AS redshift_version, NULL::character(150) AS usage_limit,
       'primary'::varchar(32) AS compute_type, 0::bigint AS compile_time, 0::bigint AS planning_time,
       0::bigint AS lock_wait_time, 100 AS service_class_id, 'Default queue'::character(64) AS service_class_name,
       'Normal'::character(20) AS query_priority, 'false'::character(10) AS short_query_accelerated,
       NULL::character(40) AS user_query_hash, NULL::character(40) AS generic_query_hash,
       NULL::integer AS query_hash_version, NULL::bigint AS result_cache_query_id
FROM localshift.visible_history
UNION ALL
SELECT usesysid::integer, 0::bigint, 'default'::character(320), coalesce(backend_xid::text::bigint, 0), pid,
       datname::character(128), localshift.query_type(query)::character(32), 'running'::character(10), false,
       query_start AT TIME ZONE 'UTC', NULL::timestamp,
       greatest(extract(epoch FROM statement_timestamp() - query_start) * 1000000, 0)::bigint, 0::bigint,
       greatest(extract(epoch FROM statement_timestamp() - query_start) * 1000000, 0)::bigint,
       NULL::character(512), NULL::bigint, NULL::bigint, left(query, 4000)::character(4000),
       '1.0.87003'::character(256), NULL::character(150), 'primary'::varchar(32), 0::bigint, 0::bigint,
       0::bigint, 100, 'Default queue'::character(64), 'Normal'::character(20), 'false'::character(10),
       NULL::character(40), NULL::character(40), NULL::integer, NULL::bigint
FROM localshift.visible_sessions
WHERE state = 'active';

-- Tables as stored: one slice here.
CREATE OR REPLACE VIEW pg_catalog.stv_tbl_perm AS
SELECT 0 AS slice, c.oid::integer AS id, c.relname::character(72) AS name,
       localshift.row_count(c.oid) AS rows,
       CASE WHEN tl.sortkey_type IN ('compound', 'interleaved') THEN localshift.row_count(c.oid) ELSE 0 END
           AS sorted_rows,
       CASE WHEN c.relpersistence = 't' THEN 1 ELSE 0 END AS temp,
       (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())::integer AS db_id,
       0 AS insert_pristine, 0 AS delete_pristine, CASE WHEN tl.backup THEN 1 ELSE 0 END AS backup,
       localshift.diststyle_code(tl.diststyle) AS dist_style,
       ceil(pg_catalog.pg_total_relation_size(c.oid) / 1048576.0)::integer AS block_count
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN localshift.table_layout tl ON tl.table_oid = c.oid
WHERE localshift.is_user_visible_schema(n.nspname) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND localshift.current_user_is_superuser();

-- Loads (COPY from S3 is not run yet: no rows) and query plans (not recorded): their columns.
CREATE OR REPLACE VIEW pg_catalog.stl_load_errors AS
SELECT NULL::integer AS userid, NULL::integer AS slice, NULL::integer AS tbl, NULL::timestamp AS starttime,
       NULL::integer AS session, NULL::integer AS query, NULL::character(256) AS filename,
       NULL::bigint AS line_number, NULL::character(127) AS colname, NULL::character(10) AS type,
       NULL::character(10) AS col_length, NULL::integer AS position, NULL::character(1024) AS raw_line,
       NULL::character(1024) AS raw_field_value, NULL::integer AS err_code, NULL::character(100) AS err_reason,
       NULL::integer AS is_partial, NULL::bigint AS start_offset
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_load_commits AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::character(256) AS name,
       NULL::character(256) AS filename, NULL::integer AS byte_offset, NULL::integer AS lines_scanned,
       NULL::integer AS errors, NULL::timestamp AS curtime, NULL::integer AS status, NULL::integer AS file_format,
       NULL::character(1) AS is_partial, NULL::bigint AS start_offset
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svl_query_summary AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS stm, NULL::integer AS seg,
       NULL::integer AS step, NULL::bigint AS maxtime, NULL::bigint AS avgtime, NULL::bigint AS rows,
       NULL::bigint AS bytes, NULL::bigint AS rate_row, NULL::bigint AS rate_byte, NULL::text AS label,
       NULL::character(1) AS is_diskbased, NULL::bigint AS workmem, NULL::character(1) AS is_rrscan,
       NULL::character(1) AS is_delayed_scan, NULL::bigint AS rows_pre_filter
WHERE false;

GRANT SELECT ON localshift.visible_history, localshift.history_text, localshift.visible_sessions TO PUBLIC;
GRANT SELECT ON pg_catalog.stl_query, pg_catalog.stl_querytext, pg_catalog.stl_ddltext,
    pg_catalog.stl_utilitytext, pg_catalog.svl_statementtext, pg_catalog.sys_query_history, pg_catalog.sys_query_text,
    pg_catalog.stv_sessions, pg_catalog.stv_inflight, pg_catalog.stv_recents, pg_catalog.stv_tbl_perm,
    pg_catalog.stl_load_errors, pg_catalog.stl_load_commits, pg_catalog.svl_query_summary TO PUBLIC;
