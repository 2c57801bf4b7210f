-- Redshift's views of query steps, plans, S3 transfers, query metrics, workload management's
-- configuration and open cursors, with the columns and types of AWS's documentation.
--
-- Workload management is a new cluster's: its default parameter group configures automatic WLM
-- (wlm_json_configuration [{"auto_wlm": true}]), one queue, service class 100 'Default queue'
-- (the class STL_WLM_QUERY and SYS_QUERY_HISTORY name, 34_monitoring_views.sql), beside the
-- superuser queue (service class 5, one slot), which runs the queries of a superuser who sets
-- query_group to 'superuser'.  Automatic WLM reports its concurrency and memory as -1.
--
-- The engine does not run Redshift's steps (scans, inserts, deletes on slices), keep plans or
-- sample metrics, and COPY reads no S3: those views have their columns and no rows.

-- Queries' steps: no rows.
CREATE OR REPLACE VIEW pg_catalog.stl_scan AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS segment,
       NULL::integer AS step, NULL::timestamp AS starttime, NULL::timestamp AS endtime,
       NULL::integer AS tasknum, NULL::bigint AS rows, NULL::bigint AS bytes, NULL::bigint AS fetches,
       NULL::integer AS type, NULL::integer AS tbl, NULL::character(1) AS is_rrscan,
       NULL::character(1) AS is_delayed_scan, NULL::bigint AS rows_pre_filter,
       NULL::bigint AS rows_pre_user_filter, NULL::character(136) AS perm_table_name,
       NULL::character(1) AS is_rlf_scan, NULL::integer AS is_rlf_scan_reason, NULL::integer AS num_em_blocks,
       NULL::character(1) AS is_vectorized_scan, NULL::integer AS is_vectorized_scan_reason,
       NULL::bigint AS row_fetcher_state, NULL::bigint AS consumed_scan_ranges,
       NULL::bigint AS work_stealing_reason, NULL::character(1) AS is_probe_runtime_filter,
       NULL::character(1) AS is_rrscan_expr
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_insert AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS segment,
       NULL::integer AS step, NULL::timestamp AS starttime, NULL::timestamp AS endtime,
       NULL::integer AS tasknum, NULL::bigint AS rows, NULL::integer AS tbl,
       NULL::character(1) AS inserted_mega_value
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_delete AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS segment,
       NULL::integer AS step, NULL::timestamp AS starttime, NULL::timestamp AS endtime,
       NULL::integer AS tasknum, NULL::bigint AS rows, NULL::integer AS tbl
WHERE false;

-- Steps that send rows between slices (redistribution, broadcast): no rows.
CREATE OR REPLACE VIEW pg_catalog.stl_dist AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS segment,
       NULL::integer AS step, NULL::timestamp AS starttime, NULL::timestamp AS endtime,
       NULL::integer AS tasknum, NULL::bigint AS rows, NULL::bigint AS bytes, NULL::integer AS packets
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_bcast AS
SELECT * FROM pg_catalog.stl_dist;

-- Transactions' serialization conflicts and commits, which Redshift records per transaction id
-- and node.  The query history records statements, not transactions (its xid is 0), and the
-- engine's serialization failures do not name the table (STL_TR_CONFLICT.table_id): no rows.
CREATE OR REPLACE VIEW pg_catalog.stl_tr_conflict AS
SELECT NULL::bigint AS xact_id, NULL::bigint AS process_id, NULL::timestamp AS xact_start_ts,
       NULL::timestamp AS abort_time, NULL::bigint AS table_id
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_commit_stats AS
SELECT NULL::bigint AS xid, NULL::integer AS node, NULL::timestamp AS startqueue, NULL::timestamp AS startwork,
       NULL::timestamp AS endflush, NULL::timestamp AS endstage, NULL::timestamp AS endlocal,
       NULL::timestamp AS startglobal, NULL::timestamp AS endtime, NULL::bigint AS queuelen,
       NULL::bigint AS permblocks, NULL::bigint AS newblocks, NULL::bigint AS dirtyblocks,
       NULL::bigint AS headers, NULL::integer AS numxids, NULL::bigint AS oldestxid,
       NULL::bigint AS extwritelatency, NULL::integer AS metadatawritten, NULL::bigint AS tombstonedblocks,
       NULL::bigint AS tossedblocks, NULL::bigint AS batched_by
WHERE false;

-- Plans: no rows.
CREATE OR REPLACE VIEW pg_catalog.stl_explain AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS nodeid, NULL::integer AS parentid,
       NULL::character(400) AS plannode, NULL::character(400) AS info
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_plan_info AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS nodeid, NULL::integer AS segment,
       NULL::integer AS step, NULL::integer AS locus, NULL::integer AS plannode,
       NULL::double precision AS startupcost, NULL::double precision AS totalcost, NULL::bigint AS rows,
       NULL::bigint AS bytes
WHERE false;

-- COPY's transfers from S3: no rows.
CREATE OR REPLACE VIEW pg_catalog.stl_s3client AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::timestamp AS recordtime,
       NULL::integer AS pid, NULL::character(64) AS http_method, NULL::character(64) AS bucket,
       NULL::character(256) AS key, NULL::bigint AS transfer_size, NULL::bigint AS data_size,
       NULL::bigint AS start_time, NULL::bigint AS end_time, NULL::bigint AS transfer_time,
       NULL::bigint AS compression_time, NULL::bigint AS connect_time, NULL::bigint AS app_connect_time,
       NULL::bigint AS retries, NULL::character(32) AS request_id, NULL::character(128) AS extended_request_id,
       NULL::character(64) AS ip_address, NULL::integer AS is_partial, NULL::bigint AS start_offset
WHERE false;

-- Metrics of running queries (sampled by Redshift's executor): no rows.
CREATE OR REPLACE VIEW pg_catalog.stv_query_metrics AS
SELECT NULL::integer AS userid, NULL::integer AS service_class, NULL::integer AS query,
       NULL::timestamp AS starttime, NULL::integer AS slices, NULL::integer AS segment,
       NULL::integer AS step_type, NULL::bigint AS rows, NULL::bigint AS max_rows, NULL::bigint AS cpu_time,
       NULL::bigint AS max_cpu_time, NULL::bigint AS blocks_read, NULL::bigint AS max_blocks_read,
       NULL::bigint AS run_time, NULL::bigint AS max_run_time, NULL::bigint AS max_blocks_to_disk,
       NULL::bigint AS blocks_to_disk, NULL::integer AS step, NULL::bigint AS max_query_scan_size,
       NULL::bigint AS query_scan_size, NULL::integer AS query_priority, NULL::bigint AS query_queue_time,
       NULL::character(64) AS service_class_name
WHERE false;

-- Finished queries' metrics (those STL_QUERY lists, in the default queue, never queued): Redshift's
-- executor samples CPU, blocks, rows and run times per slice, segment and step; the engine measures none
-- of them (NULL).  STL_QUERY_METRICS has the query-level row of each (segment, step_type and step -1,
-- AWS's marks of that level), with no slice count or priority either.
CREATE OR REPLACE VIEW pg_catalog.stl_query_metrics AS
SELECT userid::integer AS userid, 100 AS service_class, query_id::integer AS query, -1 AS segment,
       -1 AS step_type, starttime, NULL::integer AS slices, NULL::bigint AS max_rows, NULL::bigint AS rows,
       NULL::bigint AS max_cpu_time, NULL::bigint AS cpu_time, NULL::integer AS max_blocks_read,
       NULL::bigint AS blocks_read, NULL::bigint AS max_run_time, NULL::bigint AS run_time,
       NULL::bigint AS max_blocks_to_disk, NULL::bigint AS blocks_to_disk, -1 AS step,
       NULL::bigint AS max_query_scan_size, NULL::bigint AS query_scan_size, NULL::integer AS query_priority,
       0::bigint AS query_queue_time, 'Default queue'::character(64) AS service_class_name
FROM localshift.visible_history
WHERE class = 'QUERY';

-- SVL_QUERY_METRICS: the query dimension of each (no segments or steps: NULL), with its execution
-- time in whole seconds; SVL_QUERY_METRICS_SUMMARY the same values, one row a query.
CREATE OR REPLACE VIEW pg_catalog.svl_query_metrics AS
SELECT userid::integer AS userid, query_id::integer AS query, 100 AS service_class,
       'query'::varchar(24) AS dimension, NULL::integer AS segment, NULL::integer AS step,
       NULL::varchar(30) AS step_label, NULL::bigint AS query_cpu_time, NULL::bigint AS query_blocks_read,
       floor(extract(epoch FROM endtime - starttime))::bigint AS query_execution_time,
       NULL::bigint AS query_cpu_usage_percent, NULL::bigint AS query_temp_blocks_to_disk,
       NULL::bigint AS segment_execution_time, NULL::numeric(38, 2) AS cpu_skew, NULL::numeric(38, 2) AS io_skew,
       NULL::bigint AS scan_row_count, NULL::bigint AS join_row_count, NULL::bigint AS nested_loop_join_row_count,
       NULL::bigint AS return_row_count, NULL::bigint AS spectrum_scan_row_count,
       NULL::bigint AS spectrum_scan_size_mb, 0::bigint AS query_queue_time,
       'Default queue'::character(64) AS service_class_name
FROM localshift.visible_history
WHERE class = 'QUERY';

CREATE OR REPLACE VIEW pg_catalog.svl_query_metrics_summary AS
SELECT userid, query, service_class, query_cpu_time, query_blocks_read, query_execution_time,
       query_cpu_usage_percent::numeric(38, 2) AS query_cpu_usage_percent, query_temp_blocks_to_disk,
       segment_execution_time, cpu_skew, io_skew, scan_row_count, join_row_count, nested_loop_join_row_count,
       return_row_count, spectrum_scan_row_count, spectrum_scan_size_mb, query_queue_time, service_class_name
FROM pg_catalog.svl_query_metrics
WHERE dimension = 'query';

-- Workload management's configuration (superusers only) --------------------------------------
CREATE OR REPLACE VIEW localshift.wlm_queues (service_class, name, slots, condition) AS
VALUES (5, 'Superuser queue', 1, '(super user) and (query group: superuser)'),
       (100, 'Default queue', -1, '(querytype: any)');

CREATE OR REPLACE VIEW pg_catalog.stv_wlm_service_class_config AS
SELECT service_class, 'FIFO'::character(32) AS queueing_strategy, slots AS num_query_tasks,
       slots AS target_num_query_tasks, 'false'::character(8) AS evictable, 0::bigint AS eviction_threshold,
       -1 AS query_working_mem, -1 AS target_query_working_mem, -1 AS min_step_mem,
       name::character(64) AS name, 0::bigint AS max_execution_time, false AS user_group_wild_card,
       false AS query_group_wild_card, 'off'::character(20) AS concurrency_scaling,
       'Normal'::character(20) AS query_priority, false AS user_role_wild_card
FROM localshift.wlm_queues
WHERE localshift.current_user_is_superuser();

CREATE OR REPLACE VIEW pg_catalog.stv_wlm_classification_config AS
SELECT row_number() OVER (ORDER BY service_class)::integer AS id, condition::character(128) AS condition,
       0 AS action_seq, 'assign'::character(64) AS action, service_class AS action_service_class
FROM localshift.wlm_queues
WHERE localshift.current_user_is_superuser();

-- The queues' state: every statement runs in the default queue at once (none queued); the
-- executed queries are those of the query history.
CREATE OR REPLACE VIEW pg_catalog.stv_wlm_service_class_state AS
SELECT q.service_class, 0 AS num_queued_queries,
       CASE WHEN q.service_class = 100
            THEN (SELECT count(*) FROM localshift.visible_sessions WHERE state = 'active') ELSE 0 END::integer
           AS num_executing_queries,
       CASE WHEN q.service_class = 100
            THEN (SELECT count(*) FROM localshift.visible_history WHERE class = 'QUERY') ELSE 0 END::integer
           AS num_serviced_queries,
       CASE WHEN q.service_class = 100
            THEN (SELECT count(*) FROM localshift.visible_history WHERE class = 'QUERY') ELSE 0 END::integer
           AS num_executed_queries,
       0 AS num_evicted_queries, 0 AS num_concurrency_scaling_queries
FROM localshift.wlm_queues q
WHERE localshift.current_user_is_superuser();

-- Open cursors (DECLARE): the engine lists a session's own (pg_cursors, without the extended
-- protocol's portals, which it lists too), not other sessions'.  Their result sets are read as
-- fetched, so their sizes are not known (NULL).
CREATE OR REPLACE VIEW pg_catalog.stv_active_cursors AS
SELECT (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)::integer AS userid,
       c.name::character(256) AS name,
       coalesce(pg_catalog.pg_current_xact_id_if_assigned()::text::bigint, 0) AS xid,
       pg_catalog.pg_backend_pid() AS pid, (c.creation_time AT TIME ZONE 'UTC')::timestamp AS starttime,
       NULL::bigint AS row_count, NULL::bigint AS byte_count, NULL::bigint AS fetched_rows
FROM pg_catalog.pg_cursors c
WHERE c.statement ~* '^[[:space:]]*declare[[:space:]]';

GRANT SELECT ON pg_catalog.stl_scan, pg_catalog.stl_insert, pg_catalog.stl_delete, pg_catalog.stl_explain,
    pg_catalog.stl_dist, pg_catalog.stl_bcast, pg_catalog.stl_tr_conflict, pg_catalog.stl_commit_stats,
    pg_catalog.stl_plan_info,
    pg_catalog.stl_s3client, pg_catalog.stv_query_metrics, pg_catalog.stl_query_metrics, pg_catalog.svl_query_metrics,
    pg_catalog.svl_query_metrics_summary,
    pg_catalog.stv_wlm_service_class_config, pg_catalog.stv_wlm_classification_config,
    pg_catalog.stv_wlm_service_class_state, pg_catalog.stv_active_cursors TO PUBLIC;
