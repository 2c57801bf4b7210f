"""AWS's amazon-redshift-utils admin views and scripts that read the query history, workload
management, locks, cursors and loads, run by tests/clients/test_admin_utils.py: each constant is
the statement of github.com/awslabs/amazon-redshift-utils, src/AdminViews/<name>.sql (or
src/AdminScripts), commit f208c11, as the toolkit writes it, without its header comment."""

# src/AdminViews/v_wlm_queue_state.sql
V_WLM_QUEUE_STATE = r"""
CREATE OR REPLACE VIEW admin.v_wlm_queue_state
AS
SELECT 
    config.service_class
    , (config.service_class-5) AS queue
    , trim (config.name) AS name
    , trim (class.condition) AS condition
    , config.num_query_tasks AS slots
    , config.query_working_mem AS mem
    , config.max_execution_time AS max_time
    , config.user_group_wild_card AS "user_*"
    , config.query_group_wild_card AS "query_*"
    , state.num_queued_queries queued
    , state.num_executing_queries executing
    , state.num_executed_queries executed
FROM
    STV_WLM_CLASSIFICATION_CONFIG class,
    STV_WLM_SERVICE_CLASS_CONFIG config,
    STV_WLM_SERVICE_CLASS_STATE state
WHERE
    class.action_service_class = config.service_class 
    AND class.action_service_class = state.service_class 
ORDER BY config.service_class;
"""

# src/AdminViews/v_check_wlm_query_trend_hourly.sql
V_CHECK_WLM_QUERY_TREND_HOURLY = r"""
CREATE OR REPLACE VIEW admin.v_check_wlm_query_trend_hourly
AS
SELECT date_trunc('hour',a.service_class_start_time) AS hour,
       a.service_class,
       b.condition AS service_class_condition,
       COUNT(a.query) AS query_count,
       SUM(a.total_queue_time) AS total_queue_time_sum,
       SUM(a.total_exec_time) AS total_exec_time_sum,
       (NVL(SUM(a.total_queue_time)::FLOAT,0)/ nullif(SUM(a.total_exec_time)::FLOAT,0))*100 AS percent_wlm_queue_time
FROM stl_wlm_query a
  join stv_wlm_classification_config b ON a.service_class = b.action_service_class
GROUP BY date_trunc('hour',a.service_class_start_time),
         a.service_class,
         b.condition
ORDER BY date_trunc('hour',a.service_class_start_time) DESC,
         a.service_class DESC;
"""

# src/AdminViews/v_generate_cursor_query.sql
V_GENERATE_CURSOR_QUERY = r"""
CREATE OR REPLACE VIEW admin.v_generate_cursor_query
AS
SELECT
  cur.xid
  , cur.pid
  , cur.userid                                                      AS user_id
  , usr.usename                                                     AS username
  , min(cur.starttime)                                              AS start_time
  , DATEDIFF(second, min(cur.starttime), getdate())                 AS run_time
  , min(cur.byte_count)                                             AS bytes_in_result_set
  , round(min(cur.byte_count) / pow(1024, 2), 2)                    AS mb_in_result_set
  , round(min(cur.byte_count) / pow(1024, 3), 2)                    AS gb_in_result_set
  , min(cur.row_count)                                              AS row_count
  , min(cur.row_count - cur.fetched_rows)                           AS remaining_rows_to_fetch
  , min(cur.fetched_rows)                                           AS fetched_rows
  , listagg(util_text.text)
    WITHIN GROUP (ORDER BY util_text.starttime, util_text.sequence) AS query
FROM STV_ACTIVE_CURSORS cur
  JOIN STL_UTILITYTEXT util_text
    ON cur.pid = util_text.pid 
        AND cur.xid = util_text.xid 
        AND util_text.text != 'begin;'
  JOIN PG_USER usr
    ON usr.usesysid = cur.userid
GROUP BY cur.userid, cur.xid, cur.pid, usr.usename;
"""

# src/AdminViews/v_check_transaction_locks.sql
V_CHECK_TRANSACTION_LOCKS = r"""
CREATE OR REPLACE VIEW admin.v_check_transaction_locks
AS
SELECT sysdate AS system_ts,
TRIM(n.nspname) schemaname,
TRIM(c.relname) tablename,
TRIM(l.database) databasename,
l.transaction ,
l.pid,
a.usename,
l.mode,
l.granted
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_class c ON c.oid = l.relation
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_stat_activity a ON a.procpid = l.pid
;
"""

# src/AdminViews/v_my_last_copy_errors.sql
V_MY_LAST_COPY_ERRORS = r"""

create or replace view admin.v_my_last_copy_errors as 
select query, 
       starttime,
       filename, 
       line_number,
       err_reason,
       colname,
       type column_type,
       col_length,
       raw_field_value
from stl_load_errors le
where le.query = pg_last_copy_id();
"""

# src/AdminViews/v_vacuum_summary.sql
V_VACUUM_SUMMARY = r"""

CREATE OR REPLACE VIEW admin.v_vacuum_summary as SELECT a.userid
       ,a.xid
       ,d.datname::varchar AS database_name
       ,a.table_id
       ,c.name::varchar AS tablename
       ,a.status::varchar AS vac_start_status
       ,CASE WHEN a.status ilike 'skipped%' THEN null::TEXT
             WHEN f.xid IS NOT NULL THEN 'Running'::TEXT
             WHEN g.aborted = 1 THEN 'Aborted'::TEXT
             WHEN b.status IS NULL and a.status not ilike '%[VacuumBG]%' THEN 'Failed'::TEXT
             ELSE b.status::TEXT
        END::TEXT AS vac_end_status
       ,a.eventtime AS vac_start_time
       ,CASE WHEN g.aborted = 1 THEN g.endtime 
             ELSE b.eventtime 
        END AS vac_end_time
       ,CASE WHEN f.xid IS NOT NULL THEN datediff(s,vac_start_time,getdate())
             WHEN b.eventtime IS NOT NULL THEN datediff(s,vac_start_time,vac_end_time)
             ELSE NULL
        END AS vac_duration_secs
       ,a."rows" AS vac_start_rows
       ,b."rows" AS vac_end_rows
       ,a."rows" - b."rows" AS vac_deleted_rows
       ,a.sortedrows AS vac_start_sorted_rows
       ,b.sortedrows AS vac_end_sorted_rows
       ,a."blocks" AS vac_start_blocks
       ,b."blocks" AS vac_end_blocks
       ,(b."blocks" - a."blocks") AS vac_block_diff
       ,NVL(e.empty_blk_cnt,0) AS empty_blk_cnt
       ,CASE WHEN a.status ilike '%[VacuumBG]%' THEN true ELSE false END is_auto_vacuum
       ,a.is_recluster
       ,g.aborted
       FROM 
       (SELECT * FROM stl_vacuum WHERE status not ilike '%Finished%') a 
       LEFT JOIN stl_vacuum b on (a.xid,a.table_id) = (b.xid,b.table_id) and a.eventtime < b.eventtime 
       LEFT JOIN (SELECT id,name,db_id FROM stv_tbl_perm WHERE slice = 0) c ON a.table_id = c.id
       LEFT JOIN pg_database d ON c.db_id::oid = d.oid
       LEFT JOIN (SELECT tbl,COUNT(*) AS empty_blk_cnt FROM stv_blocklist WHERE num_values = 0 GROUP BY tbl) e ON a.table_id = e.tbl 
       LEFT JOIN (SELECT xid FROM svv_transactions WHERE lockable_object_type = 'transactionid') f on a.xid=f.xid
       LEFT JOIN (select xid,max(endtime) as endtime,max(aborted) as aborted from stl_query group by 1) g on a.xid = g.xid
ORDER BY a.xid;
"""

# src/AdminViews/v_generate_database_ddl.sql
V_GENERATE_DATABASE_DDL = r"""
CREATE OR REPLACE VIEW admin.v_generate_database_ddl
AS
SELECT
  datname as datname,
  'CREATE DATABASE ' + QUOTE_IDENT(datname) + ' WITH CONNECTION LIMIT ' + datconnlimit + ';' AS ddl
FROM pg_catalog.pg_database_info
WHERE datdba >= 100
ORDER BY datname
;
"""

# src/AdminViews/v_get_tbl_scan_frequency.sql
V_GET_TBL_SCAN_FREQUENCY = r"""
CREATE OR REPLACE VIEW admin.v_get_tbl_scan_frequency
AS
SELECT 
	database, 
	schema AS schemaname, 
	table_id, 
	"table" AS tablename, 
	size, 
	sortkey1, 
	NVL(s.num_qs,0) num_qs
FROM svv_table_info t
LEFT JOIN (SELECT
   tbl, perm_table_name,
   COUNT(DISTINCT query) num_qs
FROM
   stl_scan s
WHERE 
   s.userid > 1
   AND s.perm_table_name NOT IN ('Internal Worktable','S3')
GROUP BY 
   tbl, perm_table_name) s ON s.tbl = t.table_id
AND t."schema" !~ '^information_schema|catalog_history|pg_'
ORDER BY 7 desc;
"""

# src/AdminViews/v_extended_table_info.sql
V_EXTENDED_TABLE_INFO = r"""

CREATE OR REPLACE VIEW admin.v_extended_table_info AS
WITH tbl_ids AS
(
  SELECT DISTINCT oid
  FROM pg_class c
  WHERE relowner > 1
  AND   relkind = 'r'
),
scan_alerts AS
(
  SELECT s.tbl AS TABLE,
         Nvl(SUM(CASE WHEN TRIM(SPLIT_PART(l.event,':',1)) = 'Very selective query filter' THEN 1 ELSE 0 END),0) AS selective_scans,
         Nvl(SUM(CASE WHEN TRIM(SPLIT_PART(l.event,':',1)) = 'Scanned a large number of deleted rows' THEN 1 ELSE 0 END),0) AS delrows_scans
  FROM stl_alert_event_log AS l
    JOIN stl_scan AS s
      ON s.query = l.query
     AND s.slice = l.slice
     AND s.segment = l.segment
     AND s.step = l.step
  WHERE l.userid > 1
  AND   s.slice = 0
  AND   s.tbl IN (SELECT oid FROM tbl_ids)
  AND   l.event_time >= Dateadd (DAY,-7,CURRENT_DATE)
  AND   TRIM(SPLIT_PART(l.event,':',1)) IN ('Very selective query filter','Scanned a large number of deleted rows')
  GROUP BY 1
),
tbl_scans AS
(
  SELECT tbl,
         MAX(endtime) last_scan,
         Nvl(COUNT(DISTINCT query || LPAD(segment,3,'0')),0) num_scans
  FROM stl_scan s
  WHERE s.userid > 1
  AND   s.tbl IN (SELECT oid FROM tbl_ids)
  GROUP BY tbl
),
rr_scans AS
(
SELECT tbl,
NVL(SUM(CASE WHEN is_rrscan='t' THEN 1 ELSE 0 END),0) rr_scans,
NVL(SUM(CASE WHEN p.info like 'Filter:%' and p.nodeid > 0 THEN 1 ELSE 0 END),0) filtered_scans,
Nvl(COUNT(DISTINCT s.query || LPAD(s.segment,3,'0')),0) num_scans
  FROM stl_scan s
  JOIN stl_plan_info i on (s.userid=i.userid and s.query=i.query and s.segment=i.segment and s.step=i.step)
  JOIN stl_explain p on ( i.userid=p.userid and i.query=p.query and i.nodeid=p.nodeid  )
  WHERE s.userid > 1
  AND s.type = 2
  AND s.slice = 0
  AND   s.tbl IN (SELECT oid FROM tbl_ids)
  GROUP BY tbl
),
pcon AS
(
  SELECT conrelid,
         CASE
           WHEN SUM(
             CASE
               WHEN contype = 'p' THEN 1
               ELSE 0
             END 
           ) > 0 THEN 'Y'
           ELSE NULL
         END pk,
         CASE
           WHEN SUM(
             CASE
               WHEN contype = 'f' THEN 1
               ELSE 0
             END 
           ) > 0 THEN 'Y'
           ELSE NULL
         END fk
  FROM pg_constraint
  WHERE conrelid > 0
  AND   conrelid IN (SELECT oid FROM tbl_ids)
  GROUP BY conrelid
),
colenc AS
(
  SELECT attrelid,
         SUM(CASE WHEN a.attencodingtype IN (0,128) THEN 0 ELSE 1 END) AS encoded_cols,
         COUNT(*) AS cols
  FROM pg_attribute a
  WHERE a.attrelid IN (SELECT oid FROM tbl_ids)
  AND   a.attnum > 0
  GROUP BY a.attrelid
),
stp AS
(
  SELECT id,
         SUM(ROWS) sum_r,
         SUM(sorted_rows) sum_sr,
         MIN(ROWS) min_r,
         MAX(ROWS) max_r,
         Nvl(COUNT(DISTINCT slice),0) pop_slices
  FROM stv_tbl_perm
  WHERE id IN (SELECT oid FROM tbl_ids)
  AND   slice < 6400
  GROUP BY id
),
cluster_info AS
(
  SELECT COUNT(DISTINCT node) node_count FROM stv_slices where type = 'D'
)
SELECT ti.database,
       ti.table_id,
       ti.SCHEMA || '.' || ti."table" AS tablename,
       colenc.encoded_cols || '/' || colenc.cols AS "columns",
       pcon.pk,
       pcon.fk,
       ti.max_varchar,
       CASE
         WHEN ti.diststyle NOT IN ('EVEN','ALL', 'AUTO(EVEN)', 'AUTO(ALL)') THEN ti.diststyle || ': ' || ti.skew_rows
         ELSE ti.diststyle
       END AS diststyle,
      CASE
         WHEN ti.sortkey1 IS NOT NULL AND ti.sortkey1_enc IS NOT NULL THEN ti.sortkey1 || '(' || nvl (skew_sortkey1,0) || ')'
         WHEN ti.sortkey1 IS NOT NULL THEN ti.sortkey1
         ELSE NULL
       END AS "sortkey",
       ti.size || '/' || CASE
         WHEN stp.sum_r = stp.sum_sr OR stp.sum_sr = 0 THEN
           CASE
             WHEN "diststyle" in ('EVEN', 'AUTO(EVEN)')  THEN (stp.pop_slices*(colenc.cols + 3))
             WHEN SUBSTRING("diststyle",1,3) = 'KEY' THEN (stp.pop_slices*(colenc.cols + 3))
             WHEN "diststyle" in ('AUTO(ALL)', 'ALL')  THEN (cluster_info.node_count*(colenc.cols + 3))
           END 
         ELSE
           CASE
             WHEN "diststyle" in ('EVEN', 'AUTO(EVEN)')  THEN (stp.pop_slices*(colenc.cols + 3)*2)
             WHEN SUBSTRING("diststyle",1,3) = 'KEY' THEN (stp.pop_slices*(colenc.cols + 3)*2)
             WHEN "diststyle" in ('AUTO(ALL)', 'ALL') THEN (cluster_info.node_count*(colenc.cols + 3)*2)
           END 
         END|| ' (' || ti.pct_used || ')' AS size,
         ti.tbl_rows,
         ti.unsorted,
         ti.stats_off,
         Nvl(tbl_scans.num_scans,0) || ':' || Nvl(rr_scans.rr_scans,0) || ':' || Nvl(rr_scans.filtered_scans,0) || ':' || Nvl(scan_alerts.selective_scans,0) || ':' || Nvl(scan_alerts.delrows_scans,0) AS "scans:rr:filt:sel:del",tbl_scans.last_scan 
FROM svv_table_info ti 
LEFT JOIN colenc ON colenc.attrelid = ti.table_id 
LEFT JOIN stp ON stp.id = ti.table_id 
LEFT JOIN tbl_scans ON tbl_scans.tbl = ti.table_id 
LEFT JOIN rr_scans ON rr_scans.tbl = ti.table_id
LEFT JOIN pcon ON pcon.conrelid = ti.table_id 
LEFT JOIN scan_alerts ON scan_alerts.table = ti.table_id 
CROSS JOIN cluster_info 
WHERE ti.SCHEMA !~ '^information_schema|catalog_history|pg_'
ORDER BY ti.pct_used DESC;
"""

# src/AdminScripts/running_queues.sql
RUNNING_QUEUES = r"""
select trim(u.usename) as user, s.pid, q.xid,q.query,q.service_class as "q", q.slot_count as slt, date_trunc('second',q.wlm_start_time) as start,decode(trim(q.state), 'Running','Run','QueuedWaiting','Queue','Returning','Return',trim(q.state)) as state, 
q.queue_Time/1000000 as q_sec, q.exec_time/1000000 as exe_sec, m.cpu_time/1000000 cpu_sec, m.blocks_read read_mb, decode(m.blocks_to_disk,-1,null,m.blocks_to_disk) spill_mb , m2.rows as ret_rows, m3.rows as NL_rows,
substring(replace(nvl(qrytext_cur.text,trim(translate(s.text,chr(10)||chr(13)||chr(9) ,''))),'\\n',' '),1,90) as sql,
trim(decode(event&1,1,'SK ','') || decode(event&2,2,'Del ','') || decode(event&4,4,'NL ','') ||  decode(event&8,8,'Dist ','') || decode(event&16,16,'Bcast ','') || decode(event&32,32,'Stats ','')) as Alert
from  stv_wlm_query_state q 
left outer join stl_querytext s on (s.query=q.query and sequence = 0)
left outer join stv_query_metrics m on ( q.query = m.query and m.segment=-1 and m.step=-1 )
left outer join stv_query_metrics m2 on ( q.query = m2.query and m2.step_type = 38 )
left outer join ( select query, sum(rows) as rows from stv_query_metrics m3 where step_type = 15 group by 1) as m3 on ( q.query = m3.query )
left outer join pg_user u on ( s.userid = u.usesysid )
LEFT OUTER JOIN (SELECT ut.xid,'CURSOR ' || TRIM( substring ( TEXT from strpos(upper(TEXT),'SELECT') )) as TEXT
                   FROM stl_utilitytext ut
                   WHERE sequence = 0
                   AND upper(TEXT) like 'DECLARE%'
                   GROUP BY text, ut.xid) qrytext_cur ON (q.xid = qrytext_cur.xid)
left outer join ( select query,sum(decode(trim(split_part(event,':',1)),'Very selective query filter',1,'Scanned a large number of deleted rows',2,'Nested Loop Join in the query plan',4,'Distributed a large number of rows across the network',8,'Broadcasted a large number of rows across the network',16,'Missing query planner statistics',32,0)) as event from STL_ALERT_EVENT_LOG 
     where event_time >=  dateadd(hour, -8, current_Date) group by query  ) as alrt on alrt.query = q.query
order by q.service_class,q.exec_time desc, q.wlm_start_time;
"""
