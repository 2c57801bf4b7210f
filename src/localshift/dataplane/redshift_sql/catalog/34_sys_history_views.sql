-- Redshift's views of statement texts, sessions, changes to users and WLM queue times, read from
-- what the wire front records: the query history (33_stl_views.sql) and the connection log
-- (34_monitoring_views.sql).  Regular users see their own rows, superusers every row; the views
-- AWS shows to superusers only (STL_USERLOG, SYS_USERLOG, SVL_QUERY_QUEUE_INFO) show nothing to others.

-- SYS_QUERY_TEXT: every statement's text (queries, DDL, utility) in 4000-character pieces.
CREATE OR REPLACE VIEW pg_catalog.sys_query_text AS
SELECT h.userid::integer AS user_id, h.query_id::bigint AS query_id, h.transaction_id::bigint AS transaction_id,
       h.pid::integer AS session_id, h.starttime AS start_time, piece.sequence,
       piece.text
FROM localshift.visible_history h
CROSS JOIN LATERAL (
    SELECT (s - 1)::integer AS sequence, substr(h.query_text, (s - 1) * 4000 + 1, 4000)::character(4000) AS text
    FROM generate_series(1, greatest(ceil(length(h.query_text) / 4000.0)::integer, 1)) AS s
) AS piece;

-- Sessions the endpoint let in, from their 'initiating session' to their 'disconnecting
-- session' in the connection log (its process's next event: the engine gives a process id again
-- only after its session ended).  Without a disconnection the session is still open.  localshift
-- has no idle session timeout (timeout 0).  How a session ended (closed by the client,
-- terminated) is not recorded.
CREATE OR REPLACE VIEW localshift.session_spans AS
SELECT e.pid, r.oid AS userid, e.username, e.dbname, e.recordtime AS starttime,
       CASE WHEN e.next_event = 'disconnecting session' THEN e.next_time END AS endtime
FROM (
    SELECT l.pid, l.username, l.dbname, l.event, l.recordtime,
           lead(l.event) OVER (PARTITION BY l.pid ORDER BY l.event_id) AS next_event,
           lead(l.recordtime) OVER (PARTITION BY l.pid ORDER BY l.event_id) AS next_time
    FROM localshift.connection_log l
    WHERE l.event IN ('initiating session', 'disconnecting session')
) AS e
LEFT JOIN pg_catalog.pg_roles r ON r.rolname = e.username
WHERE e.event = 'initiating session'
  AND (e.username = current_user OR localshift.current_user_is_superuser());

-- STL_SESSIONS: the sessions that ended (STV_SESSIONS lists the open ones).
CREATE OR REPLACE VIEW pg_catalog.stl_sessions AS
SELECT userid::integer AS userid, starttime, endtime, pid AS process, username::character(50) AS user_name,
       dbname::character(50) AS db_name, 0 AS timeout_sec, NULL::integer AS timed_out
FROM localshift.session_spans
WHERE endtime IS NOT NULL;

-- SYS_SESSION_HISTORY: open and ended sessions; AWS documents user_id as char(50).  A session
-- whose end the log lacks (the service stopped before writing it) is active only while its
-- process still runs.
CREATE OR REPLACE VIEW pg_catalog.sys_session_history AS
SELECT s.userid::text::character(50) AS user_id, s.pid AS session_id, s.dbname::character(50) AS database_name,
       (CASE WHEN s.endtime IS NULL AND EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.pid = s.pid)
             THEN 'active' ELSE 'closed' END)::character(10) AS status,
       0 AS session_timeout, s.starttime AS start_time, s.endtime AS end_time
FROM localshift.session_spans s;

-- CREATE USER, ALTER USER (RENAME TO) and DROP USER statements that succeeded, one row per
-- user they name.  The affected user's id and attributes (CREATEDB, CREATEUSER, VALID UNTIL)
-- at the time are not recorded (NULL): a user may have been renamed or dropped since.
CREATE OR REPLACE FUNCTION localshift.user_name_of(token text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN left(token, 1) = '"' THEN replace(substr(token, 2, length(token) - 2), '""', '"')
            ELSE lower(token) END $$;

CREATE OR REPLACE VIEW localshift.user_changes AS
SELECT h.pid, h.transaction_id AS xid, h.starttime AS recordtime, h.query_id,
       CASE WHEN m.verb = 'alter' AND rename.target IS NOT NULL THEN 'rename' ELSE m.verb END AS action,
       localshift.user_name_of(coalesce(rename.target, name.token)) AS username,
       CASE WHEN rename.target IS NOT NULL THEN localshift.user_name_of(name.token) ELSE '' END AS oldusername,
       name.ordinality
FROM localshift.visible_history h
CROSS JOIN LATERAL (
    SELECT lower(g[1]) AS verb, g[2] AS names, g[3] AS rest
    FROM regexp_match(h.query_text,
        $re$^\s*(create|alter|drop)\s+user\s+(?:if\s+exists\s+)?((?:"(?:[^"]|"")+"|[^\s,;"]+)(?:\s*,\s*(?:"(?:[^"]|"")+"|[^\s,;"]+))*)(.*)$$re$,
        'is') AS g
) AS m
CROSS JOIN LATERAL (
    -- DROP USER names a list; CREATE and ALTER one user.
    SELECT t[1] AS token, n AS ordinality
    FROM regexp_matches(m.names, $re$"(?:[^"]|"")+"|[^\s,;"]+$re$, 'g') WITH ORDINALITY AS x(t, n)
) AS name
LEFT JOIN LATERAL (
    SELECT (regexp_match(m.rest, $re$^\s+rename\s+to\s+("(?:[^"]|"")+"|[^\s;"]+)$re$, 'i'))[1] AS target
) AS rename ON m.verb = 'alter'
WHERE h.status = 'success' AND (m.verb = 'drop' OR name.ordinality = 1)
  AND localshift.current_user_is_superuser();

CREATE OR REPLACE VIEW pg_catalog.stl_userlog AS
SELECT NULL::integer AS userid, username::character(50) AS username, oldusername::character(50) AS oldusername,
       action::character(10) AS action, NULL::integer AS usecreatedb, NULL::integer AS usesuper,
       NULL::integer AS usecatupd, NULL::timestamp AS valuntil, pid, xid, recordtime
FROM localshift.user_changes;

CREATE OR REPLACE VIEW pg_catalog.sys_userlog AS
SELECT userid AS user_id, username AS user_name, oldusername AS original_user_name, action,
       usecreatedb AS has_create_db_privs, usesuper AS is_superuser, usecatupd AS has_update_catalog_privs,
       valuntil AS password_expiration, pid AS session_id, xid AS transaction_id, recordtime AS record_time
FROM pg_catalog.stl_userlog;

-- SVL_QUERY_QUEUE_INFO: STL_QUERY's statements in the default queue (STL_WLM_QUERY's rows), in
-- whole seconds, never queued; commits are not timed apart from their statement (0).
CREATE OR REPLACE VIEW pg_catalog.svl_query_queue_info AS
SELECT database::text AS database, query, xid, userid, left(querytxt, 100)::text AS querytxt,
       starttime AS queue_start_time, starttime AS exec_start_time, 100 AS service_class, 1 AS slots,
       0::bigint AS queue_elapsed, floor(extract(epoch FROM endtime - starttime))::bigint AS exec_elapsed,
       floor(extract(epoch FROM endtime - starttime))::bigint AS wlm_total_elapsed,
       0::bigint AS commit_queue_elapsed, 0::bigint AS commit_exec_time,
       'Default queue'::character(64) AS service_class_name
FROM pg_catalog.stl_query
WHERE localshift.current_user_is_superuser();

GRANT SELECT ON localshift.session_spans, localshift.user_changes TO PUBLIC;
GRANT SELECT ON pg_catalog.sys_query_text, pg_catalog.stl_sessions, pg_catalog.sys_session_history,
    pg_catalog.stl_userlog, pg_catalog.sys_userlog, pg_catalog.svl_query_queue_info TO PUBLIC;
