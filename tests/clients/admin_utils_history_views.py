"""AWS's amazon-redshift-utils admin views and scripts that read what localshift keeps no record of
(transactions' commits and conflicts, distribution steps, alerts) beside the query history, run by
tests/clients/test_admin_utils.py: each constant is the statement of github.com/awslabs/amazon-redshift-utils,
src/AdminViews/<name>.sql (or src/AdminScripts), commit f208c11, as the toolkit writes it, without its
header comment."""

# src/AdminViews/v_query_type_duration_summary.sql
V_QUERY_TYPE_DURATION_SUMMARY = r"""
CREATE OR REPLACE VIEW admin.v_query_type_duration_summary
AS
SELECT  database, query_type, query_hour
        /* Overall query count and average duration */
       ,COUNT(*)            query_total
       ,AVG(query_duration) avg_duration
        /* Central tendency (truncated mean 25-75%) average query duration */
       ,AVG(CASE WHEN icosile BETWEEN 6 AND 15 THEN query_duration ELSE NULL END) central_duration
        /* Rough 50th percentile (45-55%) average query duration */
       ,AVG(CASE WHEN icosile IN (10,11) THEN query_duration ELSE NULL END) "50th_percentile_dur"
        /* Rough 95th percentile (top 5%) average query duration */
       ,AVG(CASE WHEN icosile = 20 THEN query_duration ELSE NULL END) "95th_percentile_dur"
FROM /* Calculate the icosile (1/20th) for each query by type and hour */
     (SELECT database, query_type, query_duration, query_hour
            ,NTILE(20) OVER (PARTITION BY database, query_type ORDER BY query_duration) icosile
      FROM /* Classify each query and calculate the duration 
              NOTE: The order of the search is important. */
           (SELECT  CASE  WHEN "userid" = 1                                             THEN 'SYSTEM'
                          WHEN REGEXP_INSTR("querytxt",'(padb_|pg_|catalog_history)'  ) THEN 'SYSTEM'
                          WHEN REGEXP_INSTR("querytxt",'[uU][nN][dD][oO][iI][nN][gG] ') THEN 'ROLLBACK'
                          WHEN REGEXP_INSTR("querytxt",'[cC][uU][rR][sS][oO][rR] '    ) THEN 'CURSOR'
                          WHEN REGEXP_INSTR("querytxt",'[fF][eE][tT][cC][hH] '        ) THEN 'CURSOR'
                          WHEN REGEXP_INSTR("querytxt",'[dD][eE][lL][eE][tT][eE] '    ) THEN 'DELETE'
                          WHEN REGEXP_INSTR("querytxt",'[cC][oO][pP][yY] '            ) THEN 'COPY'
                          WHEN REGEXP_INSTR("querytxt",'[uU][pP][dD][aA][tT][eE] '    ) THEN 'UPDATE'
                          WHEN REGEXP_INSTR("querytxt",'[iI][nN][sS][eE][rR][tT] '    ) THEN 'INSERT'
                          WHEN REGEXP_INSTR("querytxt",'[sS][eE][lL][eE][cC][tT] '    ) THEN 'SELECT'
                    ELSE 'OTHER' END query_type
                   ,DATEPART(hour, starttime) AS                    query_hour
                   ,DATEDIFF(milliseconds , starttime , endtime)    query_duration
                  ,database
              FROM stl_query
           ) a
      ) b
GROUP BY 1,2,3
ORDER BY 1,2,3
;
"""

# src/AdminViews/v_get_tbl_reads_and_writes.sql
V_GET_TBL_READS_AND_WRITES = r"""
CREATE OR REPLACE VIEW admin.v_get_tbl_reads_and_writes
AS
WITH v_operations AS 
  ( SELECT query, tbl, 'R' AS operation FROM stl_scan WHERE type=2 GROUP BY query, tbl
      UNION
    SELECT query, tbl, 'W' AS operation FROM stl_delete GROUP BY query, tbl
      UNION
    SELECT query, tbl, 'W' AS operation FROM stl_insert GROUP BY query, tbl
      UNION
    SELECT sq.query AS query, stc.table_id AS tbl, 'A' AS operation FROM stl_query sq LEFT JOIN stl_tr_conflict stc on sq.xid = stc.xact_id  where aborted=1 GROUP BY query, tbl
  ),
v_end_of_transaction AS
  ( SELECT xid, MAX(tx_action) AS tx_action, MAX(endtime) as endtime FROM
    (  SELECT xid, 'R' AS tx_action, endtime FROM stl_utilitytext WHERE text ILIKE '%rollback%' OR text ILIKE '%aborted%'
         UNION ALL
       SELECT xid, 'C' AS tx_action, endtime FROM stl_utilitytext WHERE text ILIKE '%commit%' OR text ILIKE '%end%'
         UNION ALL
       SELECT xid, 'C' AS tx_action, endtime from stl_commit_stats WHERE node=-1
    ) GROUP BY xid
  )
SELECT
  xid
  ,query
  ,tbl
  ,operation
  ,statement_starttime
  ,statement_endtime
  ,transaction_endtime
  ,transaction_action
FROM (
  SELECT
    sq.xid as xid
    ,sq.query as query
    ,vo.tbl as tbl
    ,vo.operation as operation
    ,sq.starttime as statement_starttime
    ,sq.endtime as statement_endtime
    ,ve.endtime as transaction_endtime
    ,ve.tx_action as transaction_action
  FROM stl_query sq
       LEFT JOIN v_operations vo ON sq.query=vo.query
       LEFT JOIN v_end_of_transaction ve ON sq.xid=ve.xid
  UNION ALL
    SELECT
     xid as xid
     ,null as query
     ,null as tbl
     ,'C' as operation
     ,startqueue as statement_starttime
     ,endtime as statement_endtime
     ,endtime as transaction_endtime
     ,'C' as transaction_action
    FROM stl_commit_stats where node=-1
) order by statement_starttime;
"""

# src/AdminViews/v_object_dependency.sql
V_OBJECT_DEPENDENCY = r"""
CREATE OR REPLACE VIEW admin.v_object_dependency
AS
SELECT 'view' AS dependency_type, *, NULL AS constraint_name FROM admin.v_view_dependency
UNION
SELECT 'fkey constraint' AS dependency_type, * FROM admin.v_constraint_dependency
;
"""

# src/AdminScripts/table_alerts.sql
TABLE_ALERTS = r"""
select trim(pgn.nspname) as Schema, trim(s.perm_table_name) as table , tot_rows as table_rows, (sum(abs(datediff(seconds, coalesce(b.starttime,d.starttime,s.starttime), coalesce(b.endtime,d.endtime,s.endtime))))/60)::numeric(24,0) as minutes, 
       sum(coalesce(b.rows,d.rows,s.rows)) as scanned_rows, trim(split_part(l.event,':',1)) as event,  substring(trim(l.solution),1,60) as solution , max(l.query) as sample_query, count(*) as count
from stl_alert_event_log as l 
left join stl_scan as s on s.query = l.query and s.slice = l.slice and s.segment = l.segment
left join stl_dist as d on d.query = l.query and d.slice = l.slice and d.segment = l.segment 
left join stl_bcast as b on b.query = l.query and b.slice = l.slice and b.segment = l.segment
left join ( select id, sum(rows) as tot_rows from stv_Tbl_perm group by id) as t on s.tbl = t.id 
left join pg_class as pgc on pgc.oid = s.tbl left join pg_namespace as pgn on pgn.oid = pgc.relnamespace
where l.userid >1  and  l.event_time >=  dateadd(day, -7, getdate()) AND s.perm_table_name NOT LIKE 'volt_tt%' AND s.perm_table_name NOT LIKE 'Internal Worktable'
group by  1,2,3, 6,7 order by 4 desc,8 desc;
"""
