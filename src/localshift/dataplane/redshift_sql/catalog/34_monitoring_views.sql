-- Redshift's views of locks, open transactions and workload management, from
-- the engine's locks and sessions (pg_locks, pg_stat_activity) and the query
-- history (33_stl_views.sql).  As there, regular users see their own rows and
-- Redshift superusers every row; sessions of the internal superuser are not listed.
-- Running statements are given their query id as they complete: in-flight
-- rows show query 0, as STV_INFLIGHT does.  Workload management is one queue,
-- the one SYS_QUERY_HISTORY names (service class 100, 'Default queue'), without waits.

-- Locks held or awaited by the visible sessions: on relations of this database
-- (not the system catalogs', nor localshift's) and on transactions (a session's
-- own transaction id, or its virtual one while it has none: a transaction that
-- has written nothing yet).  Relation locks in Redshift's three modes: AccessShareLock (reads),
-- AccessExclusiveLock (DDL, LOCK) and ShareRowExclusiveLock (writes: the engine's other modes).
CREATE OR REPLACE VIEW localshift.visible_locks AS
SELECT a.pid, a.usesysid, a.usename, a.datname, a.xact_start, a.query_start,
       coalesce(a.backend_xid::text::bigint, 0) AS xid, l.locktype, l.relation,
       CASE WHEN l.locktype <> 'relation' OR l.mode IN ('AccessShareLock', 'AccessExclusiveLock') THEN l.mode
            WHEN l.mode = 'RowShareLock' THEN 'AccessShareLock'
            ELSE 'ShareRowExclusiveLock' END AS mode,
       l.granted
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE a.backend_type = 'client backend' AND a.usename <> 'rdsdb'
  AND (a.usename = current_user OR localshift.current_user_is_superuser())
  AND ((l.locktype = 'relation'
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
        AND EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.oid = l.relation AND c.relkind IN ('r', 'p', 'm', 'v')
                      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'localshift', 'pg_toast')))
       OR (l.locktype = 'transactionid' AND l.transactionid = a.backend_xid)
       OR (l.locktype = 'virtualxid' AND a.backend_xid IS NULL AND l.mode = 'ExclusiveLock'
           AND l.virtualxid = l.virtualtransaction));

-- SVV_TRANSACTIONS: open transactions and the locks they hold or wait for.
CREATE OR REPLACE VIEW pg_catalog.svv_transactions AS
SELECT usename::text AS txn_owner, datname::text AS txn_db, xid, pid,
       xact_start::timestamp AS txn_start, mode::text AS lock_mode,
       CASE WHEN locktype = 'relation' THEN 'relation' ELSE 'transactionid' END AS lockable_object_type,
       relation::integer AS relation, granted
FROM localshift.visible_locks
WHERE xact_start IS NOT NULL;

-- STV_LOCKS: tables being updated (locks stronger than a read's AccessShareLock);
-- superusers only.  The last commit and update of a table are not kept (NULL); the
-- last update is the holder's statement start.
CREATE OR REPLACE VIEW pg_catalog.stv_locks AS
SELECT relation::bigint AS table_id, NULL::timestamp AS last_commit, query_start::timestamp AS last_update,
       xid AS lock_owner, pid::bigint AS lock_owner_pid, xact_start::timestamp AS lock_owner_start_ts,
       NULL::timestamp AS lock_owner_end_ts,
       (CASE WHEN granted THEN 'Holding write lock' ELSE 'Waiting for write lock' END)::character(22)
           AS lock_status
FROM localshift.visible_locks
WHERE locktype = 'relation' AND mode <> 'AccessShareLock' AND localshift.current_user_is_superuser();

-- Running statements: WLM's view of them (the task is the session's pid), and their text in
-- 200-character pieces.
CREATE OR REPLACE VIEW pg_catalog.stv_wlm_query_state AS
SELECT coalesce(backend_xid::text::bigint, 0)::integer AS xid, pid AS task, 0 AS query, 100 AS service_class,
       1 AS slot_count, query_start::timestamp AS wlm_start_time, 'Running'::character(16) AS state,
       0::bigint AS queue_time,
       (extract(epoch FROM clock_timestamp() - query_start) * 1000000)::bigint AS exec_time,
       'Normal'::character(20) AS query_priority
FROM localshift.visible_sessions
WHERE state = 'active';

CREATE OR REPLACE VIEW pg_catalog.svv_query_inflight AS
SELECT s.usesysid::integer AS userid, 0 AS slice, 0 AS query, s.pid, s.query_start::timestamp AS starttime,
       0 AS suspended, piece.text, piece.sequence
FROM localshift.visible_sessions s
CROSS JOIN LATERAL (
    SELECT substr(s.query, (p - 1) * 200 + 1, 200)::character(200) AS text, (p - 1)::integer AS sequence
    FROM generate_series(1, greatest(ceil(length(s.query) / 200.0)::integer, 1)) AS p
) AS piece
WHERE s.state = 'active';

-- Finished statements, from the query history -------------------------------------
-- STL_WLM_QUERY: the queries WLM ran (what STL_QUERY lists), never queued.
CREATE OR REPLACE VIEW pg_catalog.stl_wlm_query AS
SELECT userid::integer AS userid, transaction_id::integer AS xid, query_id::integer AS task,
       query_id::integer AS query, 100 AS service_class, 1 AS slot_count,
       starttime AS service_class_start_time, starttime AS queue_start_time, starttime AS queue_end_time,
       0::bigint AS total_queue_time, starttime AS exec_start_time, endtime AS exec_end_time,
       (extract(epoch FROM endtime - starttime) * 1000000)::bigint AS total_exec_time,
       endtime AS service_class_end_time, 'Completed'::character(16) AS final_state, 0::bigint AS est_peak_mem,
       'Normal'::character(20) AS query_priority, 'Default queue'::character(64) AS service_class_name
FROM localshift.visible_history
WHERE class = 'QUERY';

-- SVL_QLOG: STL_QUERY's rows with their elapsed time and the text's first 60 characters.
CREATE OR REPLACE VIEW pg_catalog.svl_qlog AS
SELECT userid::integer AS userid, query_id::integer AS query, transaction_id AS xid, pid,
       starttime, endtime, (extract(epoch FROM endtime - starttime) * 1000000)::bigint AS elapsed,
       CASE WHEN status = 'success' THEN 0 ELSE 1 END AS aborted, label::character(320) AS label,
       left(query_text, 60)::character(60) AS substring, NULL::integer AS source_query,
       'Ran on the main cluster'::text AS concurrency_scaling_status_txt, NULL::integer AS from_sp_call
FROM localshift.visible_history
WHERE class = 'QUERY';

-- SVL_STORED_PROC_CALL: CALL statements.  Calls nested in a procedure are not statements of
-- the endpoint (from_sp_call is NULL); the caller is the session's user.
CREATE OR REPLACE VIEW pg_catalog.svl_stored_proc_call AS
SELECT userid::integer AS userid, userid::integer AS session_userid, query_id::integer AS query,
       label::character(320) AS label, transaction_id AS xid, pid, database::character(32) AS database,
       left(query_text, 4000)::character(4000) AS querytxt, starttime, endtime,
       CASE WHEN status = 'success' THEN 0 ELSE 1 END AS aborted, NULL::integer AS from_sp_call
FROM localshift.visible_history
WHERE query_text ~* '^[[:space:]]*call[[:space:]]';

-- SVL_STORED_PROC_MESSAGES / SYS_PROCEDURE_MESSAGES: what the procedures of a CALL of the endpoint
-- raised, seen as the CALL is (a user's own; a superuser's every one).  Transaction ids are not
-- recorded (0), as in the rest of the history.
CREATE OR REPLACE VIEW pg_catalog.svl_stored_proc_messages AS
SELECT h.userid::integer AS userid, h.userid::integer AS session_userid, h.pid, h.transaction_id AS xid,
       h.query_id::integer AS query, m.record_time AS recordtime,
       CASE m.log_level WHEN 'LOG' THEN 20 WHEN 'INFO' THEN 30 WHEN 'NOTICE' THEN 40 WHEN 'WARNING' THEN 50
                        ELSE 60 END AS loglevel,
       m.log_level::character(10) AS loglevel_text, m.message::character(1024) AS message,
       m.line_number AS linenum, left(h.query_text, 500)::character(500) AS querytext,
       h.label::character(320) AS label, CASE WHEN h.status = 'success' THEN 0 ELSE 1 END AS aborted,
       h.transaction_id AS message_xid
FROM localshift.procedure_messages m
JOIN localshift.visible_history h ON h.query_id = m.query_id;

CREATE OR REPLACE VIEW pg_catalog.sys_procedure_messages AS
SELECT xid AS transaction_id, query AS query_id, recordtime AS record_time, loglevel_text AS log_level,
       message, linenum AS line_number
FROM pg_catalog.svl_stored_proc_messages;

-- STL_ERROR records the engine's internal errors, not SQL errors (those are in
-- SYS_QUERY_HISTORY.error_message and STL_QUERY.aborted): localshift has none to record.
CREATE OR REPLACE VIEW pg_catalog.stl_error AS
SELECT NULL::integer AS userid, NULL::character(12) AS process, NULL::timestamp AS recordtime,
       NULL::integer AS pid, NULL::integer AS errcode, NULL::character(90) AS file, NULL::integer AS linenum,
       NULL::character(100) AS context, NULL::character(512) AS error
WHERE false;

-- Connections the wire front let in and their ends (localshift.connection_log); superusers
-- only.  Logins are by password; refused logins are not logged.  A duration past integer's range
-- (about 35 minutes) shows as its largest value.
CREATE OR REPLACE VIEW pg_catalog.stl_connection_log AS
SELECT event::character(50) AS event, recordtime, remotehost::character(45) AS remotehost,
       remoteport::character(32) AS remoteport, pid, dbname::character(50) AS dbname,
       username::character(50) AS username, 'password'::character(32) AS authmethod,
       least(duration, 2147483647)::integer AS duration, sslversion::character(50) AS sslversion,
       sslcipher::character(128) AS sslcipher, NULL::integer AS mtu, ''::character(64) AS sslcompression,
       ''::character(64) AS sslexpansion, ''::character(36) AS iamauthguid,
       application_name::character(250) AS application_name, ''::character(64) AS os_version,
       ''::character(64) AS driver_version, ''::character(32) AS plugin_name, 0 AS protocol_version,
       ''::character(36) AS sessionid, ''::character(128) AS compression
FROM localshift.connection_log
WHERE localshift.current_user_is_superuser();

CREATE OR REPLACE VIEW pg_catalog.sys_connection_log AS
SELECT event, recordtime AS record_time, remotehost AS remote_host, remoteport AS remote_port, pid AS session_id,
       dbname AS database_name, username AS user_name, authmethod AS auth_method, duration,
       sslversion AS ssl_version, sslcipher AS ssl_cipher, mtu, sslcompression AS ssl_compression,
       sslexpansion AS ssl_expansion, iamauthguid AS iam_auth_guid, application_name, driver_version, os_version,
       plugin_name, protocol_version
FROM pg_catalog.stl_connection_log;

-- Sessions from the connection log: each 'initiating session' with the first 'disconnecting
-- session' of its backend after it (none while it is open).  Superusers see every session, others
-- their own.  STL_SESSIONS lists those that ended (STV_SESSIONS the open ones), ended by the client
-- (timed_out 2: localshift has no idle timeout); SYS_SESSION_HISTORY both, status active or closed.
CREATE OR REPLACE VIEW localshift.session_history AS
SELECT s.pid, r.oid AS userid, s.username, s.dbname, s.recordtime AS starttime, d.recordtime AS endtime
FROM localshift.connection_log s
LEFT JOIN pg_catalog.pg_roles r ON r.rolname = s.username
LEFT JOIN LATERAL (SELECT e.recordtime FROM localshift.connection_log e
                   WHERE e.event = 'disconnecting session' AND e.pid = s.pid AND e.event_id > s.event_id
                   ORDER BY e.event_id LIMIT 1) AS d ON true
WHERE s.event = 'initiating session' AND (s.username = current_user OR localshift.current_user_is_superuser());

CREATE OR REPLACE VIEW pg_catalog.stl_sessions AS
SELECT userid::integer AS userid, starttime, endtime, pid AS process, username::character(50) AS user_name,
       dbname::character(50) AS db_name, 0 AS timeout_sec, 2 AS timed_out
FROM localshift.session_history
WHERE endtime IS NOT NULL;

CREATE OR REPLACE VIEW pg_catalog.sys_session_history AS
SELECT userid::character(50) AS user_id, pid AS session_id, dbname::character(50) AS database_name,
       -- (a session whose end the log lacks, the service having stopped first, is closed once its
       -- process is gone)
       (CASE WHEN endtime IS NULL AND EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.pid = h.pid)
             THEN 'active' ELSE 'closed' END)::character(10) AS status,
       0 AS session_timeout, starttime AS start_time, endtime AS end_time
FROM localshift.session_history h;

GRANT SELECT ON localshift.visible_locks TO PUBLIC;
GRANT SELECT ON pg_catalog.svv_transactions, pg_catalog.stv_locks, pg_catalog.stv_wlm_query_state,
    pg_catalog.svv_query_inflight, pg_catalog.stl_wlm_query, pg_catalog.svl_qlog,
    pg_catalog.svl_stored_proc_call, pg_catalog.svl_stored_proc_messages, pg_catalog.sys_procedure_messages,
    pg_catalog.stl_error, pg_catalog.stl_connection_log,
    pg_catalog.sys_connection_log, pg_catalog.stl_sessions, pg_catalog.sys_session_history TO PUBLIC;
