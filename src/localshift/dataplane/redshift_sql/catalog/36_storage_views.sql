-- Redshift's views of slices, disks and storage, materialized views, vacuums, and
-- of features localshift does not have (alerts, loads from S3, datashares, query
-- steps), which list nothing with Redshift's columns.  A cluster here is one node
-- with one slice (slice 0, as STV_TBL_PERM shows every table) and one disk of
-- localshift.capacity_blocks() 1 MB blocks (SVV_TABLE_INFO.pct_used's measure).

CREATE OR REPLACE VIEW pg_catalog.stv_slices AS
SELECT 0 AS node, 0 AS slice, 0 AS localslice, 'D'::character(1) AS type;

-- The 1 MB blocks the engine's databases use, every one of them (superusers only, who
-- may read every database's size).
CREATE OR REPLACE FUNCTION localshift.used_blocks() RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT ceil(sum(pg_catalog.pg_database_size(d.oid)) / 1048576.0)::integer
FROM pg_catalog.pg_database d WHERE d.datallowconn AND NOT d.datistemplate $$;

CREATE OR REPLACE VIEW pg_catalog.stv_node_storage_capacity AS
SELECT 0 AS node, localshift.used_blocks() AS used, localshift.capacity_blocks()::integer AS capacity
WHERE localshift.current_user_is_superuser();

-- STV_PARTITIONS: the one disk; reads and writes are the engine's relation I/O since its start.
CREATE OR REPLACE VIEW pg_catalog.stv_partitions AS
SELECT 0 AS owner, 0 AS host, 0 AS diskno, 0::bigint AS part_begin,
       localshift.capacity_blocks() * 1048576 AS part_end, localshift.used_blocks() AS used, 0 AS tossed,
       localshift.capacity_blocks()::integer AS capacity,
       (SELECT coalesce(sum(reads), 0) FROM pg_catalog.pg_stat_io)::bigint AS reads,
       (SELECT coalesce(sum(writes), 0) FROM pg_catalog.pg_stat_io)::bigint AS writes,
       0 AS seek_forward, 0 AS seek_back, 0 AS is_san, 0 AS failed, 0 AS mbps,
       '/dev/localshift0'::character(256) AS mount
WHERE localshift.current_user_is_superuser();

-- STV_BLOCKLIST: the 1 MB blocks of each table STV_TBL_PERM counts (block_count, the
-- engine's storage of the table), one row per block.  Redshift stores each column,
-- and the three hidden ones (INSERT_XID, DELETE_XID, ROW_ID), in blocks of its own;
-- the engine stores rows, so the blocks are given to the columns in turn.
CREATE OR REPLACE VIEW pg_catalog.stv_blocklist AS
SELECT p.slice, (b.blocknum % (c.relnatts + 3))::integer AS col, p.id AS tbl, b.blocknum,
       ceil(p.rows::numeric / nullif(p.block_count, 0))::integer AS num_values, 0 AS extended_limits,
       0::bigint AS minvalue, 0::bigint AS maxvalue, 0 AS sb_pos, 0 AS pinned, 1 AS on_disk, 0 AS modified,
       0 AS hdr_modified, CASE WHEN p.sorted_rows < p.rows THEN 1 ELSE 0 END AS unsorted, 0 AS tombstone,
       0 AS preferred_diskno, 0 AS temporary, 0 AS newblock, 0 AS num_readers, 0 AS flags
FROM pg_catalog.stv_tbl_perm p
JOIN pg_catalog.pg_class c ON c.oid = p.id
CROSS JOIN LATERAL generate_series(0, p.block_count - 1) AS b(blocknum);

-- SVV_DISKUSAGE: STV_BLOCKLIST's blocks with their table's database and name.
CREATE OR REPLACE VIEW pg_catalog.svv_diskusage AS
SELECT p.db_id, p.name, b.slice, b.col, b.tbl, b.blocknum, b.num_values, b.minvalue, b.maxvalue, b.sb_pos,
       b.pinned, b.on_disk, b.modified, b.hdr_modified, b.unsorted, b.tombstone, b.preferred_diskno,
       b.temporary, b.newblock
FROM pg_catalog.stv_blocklist b
JOIN pg_catalog.stv_tbl_perm p ON p.id = b.tbl AND p.slice = b.slice;

-- SVV_VACUUM_PROGRESS: the VACUUM a user runs now, else the last one that finished.  VACUUM runs
-- the engine's own, which reclaims deleted rows (Redshift's Delete phase) and sorts nothing.  The
-- engine's autovacuum workers (of the service's own tables too, such as the query history) are
-- not a user's VACUUM: they are left out.
CREATE OR REPLACE VIEW pg_catalog.svv_vacuum_progress AS
SELECT table_name, status, time_remaining_estimate FROM (
    SELECT c.relname::text AS table_name, CASE p.phase WHEN 'initializing' THEN 'Initialize' ELSE 'Delete' END AS status,
           NULL::text AS time_remaining_estimate, 0 AS rank
    FROM pg_catalog.pg_stat_progress_vacuum p
    JOIN pg_catalog.pg_class c ON c.oid = p.relid
    WHERE p.datname = current_database()
      AND (SELECT a.backend_type FROM pg_catalog.pg_stat_get_activity(p.pid) AS a) = 'client backend'
    UNION ALL
    SELECT * FROM (
        SELECT s.relname::text, 'Complete', NULL::text, 1
        FROM pg_catalog.pg_stat_all_tables s
        WHERE s.last_vacuum IS NOT NULL AND localshift.is_user_visible_schema(s.schemaname)
          AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
        ORDER BY s.last_vacuum DESC LIMIT 1
    ) AS last
    ORDER BY 4 LIMIT 1
) AS vacuum
WHERE localshift.current_user_is_superuser();

-- Nothing to list: vacuum statistics per sort phase, alerts of query plans, query steps,
-- loads from S3 (COPY has no S3 to read yet), datashares.
CREATE OR REPLACE VIEW pg_catalog.stl_vacuum AS
SELECT NULL::integer AS userid, NULL::bigint AS xid, NULL::integer AS table_id, NULL::character(30) AS status,
       NULL::bigint AS rows, NULL::integer AS sortedrows, NULL::integer AS blocks,
       NULL::integer AS max_merge_partitions, NULL::timestamp AS eventtime, NULL::bigint AS reclaimable_rows,
       NULL::bigint AS reclaimable_space_mb, NULL::bigint AS cutoff_xid, NULL::integer AS is_recluster
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_vacuum_summary AS
SELECT NULL::text AS table_name, NULL::bigint AS xid, NULL::bigint AS sort_partitions,
       NULL::bigint AS merge_increments, NULL::bigint AS elapsed_time, NULL::bigint AS row_delta,
       NULL::bigint AS sortedrow_delta, NULL::integer AS block_delta, NULL::integer AS max_merge_partitions
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_alert_event_log AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS segment,
       NULL::integer AS step, NULL::integer AS pid, NULL::bigint AS xid, NULL::character(1024) AS event,
       NULL::character(1024) AS solution, NULL::timestamp AS event_time
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svl_query_report AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS segment,
       NULL::integer AS step, NULL::timestamp AS start_time, NULL::timestamp AS end_time,
       NULL::bigint AS elapsed_time, NULL::bigint AS rows, NULL::bigint AS bytes, NULL::text AS label,
       NULL::character(1) AS is_diskbased, NULL::bigint AS workmem, NULL::character(1) AS is_rrscan,
       NULL::character(1) AS is_delayed_scan, NULL::bigint AS rows_pre_filter
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_load_history AS
SELECT NULL::integer AS user_id, NULL::bigint AS query_id, NULL::bigint AS transaction_id,
       NULL::integer AS session_id, NULL::text AS database_name, NULL::text AS status, NULL::text AS table_name,
       NULL::timestamp AS start_time, NULL::timestamp AS end_time, NULL::bigint AS duration,
       NULL::text AS data_source, NULL::text AS file_format, NULL::bigint AS loaded_rows,
       NULL::bigint AS loaded_bytes, NULL::integer AS source_file_count, NULL::bigint AS source_file_bytes,
       NULL::integer AS file_count_scanned, NULL::bigint AS file_bytes_scanned, NULL::bigint AS error_count,
       NULL::bigint AS copy_job_id
WHERE false;

-- SYS_UNLOAD_HISTORY: UNLOADs that began unloading, which none does here (S3 is not reached:
-- copy_unload.py), so no rows, Redshift's columns.
CREATE OR REPLACE VIEW pg_catalog.sys_unload_history AS
SELECT NULL::integer AS user_id, NULL::bigint AS query_id, NULL::bigint AS transaction_id,
       NULL::integer AS session_id, NULL::text AS database_name, NULL::text AS status,
       NULL::timestamp AS start_time, NULL::timestamp AS end_time, NULL::bigint AS duration,
       NULL::text AS file_format, NULL::text AS compression_type, NULL::text AS unloaded_location,
       NULL::bigint AS unloaded_rows, NULL::bigint AS unloaded_files_count, NULL::bigint AS unloaded_files_size,
       NULL::text AS error_message
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_datashares AS
SELECT NULL::varchar(128) AS share_name, NULL::integer AS share_id, NULL::integer AS share_owner,
       NULL::varchar(128) AS source_database, NULL::varchar(128) AS consumer_database,
       NULL::varchar(8) AS share_type, NULL::timestamp AS createdate, NULL::boolean AS is_publicaccessible,
       NULL::varchar(256) AS share_acl, NULL::varchar(16) AS producer_account,
       NULL::varchar(64) AS producer_namespace, NULL::varchar(64) AS managed_by
WHERE false;

-- Schema quotas are accepted, not kept (CREATE SCHEMA ... QUOTA): no schema has one to show.
CREATE OR REPLACE VIEW pg_catalog.svv_schema_quota_state AS
SELECT NULL::integer AS schema_id, NULL::character(128) AS schema_name, NULL::integer AS schema_owner,
       NULL::integer AS quota, NULL::integer AS disk_usage, NULL::double precision AS disk_usage_pct
WHERE false;

GRANT SELECT ON pg_catalog.stv_slices, pg_catalog.stv_node_storage_capacity, pg_catalog.stv_partitions,
    pg_catalog.stv_blocklist, pg_catalog.svv_diskusage,
    pg_catalog.svv_vacuum_progress, pg_catalog.stl_vacuum, pg_catalog.svv_vacuum_summary,
    pg_catalog.stl_alert_event_log, pg_catalog.svl_query_report, pg_catalog.sys_load_history,
    pg_catalog.sys_unload_history,
    pg_catalog.svv_datashares, pg_catalog.svv_schema_quota_state TO PUBLIC;
