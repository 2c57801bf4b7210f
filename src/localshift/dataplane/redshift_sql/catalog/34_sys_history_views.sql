-- Redshift's views of changes to users and WLM queue times, read from what the wire front records
-- in the query history (33_stl_views.sql; statement texts and sessions: 33_stl_views.sql and
-- 34_monitoring_views.sql).  Regular users see their own rows, superusers every row; the views
-- AWS shows to superusers only (STL_USERLOG, SYS_USERLOG, SVL_QUERY_QUEUE_INFO) show nothing to others.

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

GRANT SELECT ON localshift.user_changes TO PUBLIC;
GRANT SELECT ON pg_catalog.stl_userlog, pg_catalog.sys_userlog, pg_catalog.svl_query_queue_info TO PUBLIC;
