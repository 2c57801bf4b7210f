-- Redshift's views of what localshift does not do or record, with AWS's columns and no rows:
-- loads and unloads through S3 (COPY and UNLOAD to s3:// fail before reading or writing: there
-- is no S3 yet, so no load errors, loaded or unloaded files), the steps of query plans (the
-- engine runs PostgreSQL plans, not Redshift's segments and steps), Spectrum's scans of S3,
-- spatial simplification of oversized geometries (no GEOMETRY loads), Redshift ML models,
-- row-level security and masking policies and datashares (CREATE RLS POLICY, CREATE MASKING POLICY and
-- CREATE DATASHARE are refused).
-- A provisioned cluster has no Serverless usage, and no Advisor recommends table changes.

CREATE OR REPLACE VIEW pg_catalog.stl_loaderror_detail AS
SELECT NULL::integer AS userid, NULL::integer AS slice, NULL::integer AS session, NULL::integer AS query,
       NULL::character(256) AS filename, NULL::bigint AS line_number, NULL::integer AS field,
       NULL::character(1024) AS colname, NULL::character(1024) AS value, NULL::integer AS is_null,
       NULL::character(10) AS type, NULL::character(10) AS col_length
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_load_error_detail AS
SELECT NULL::integer AS user_id, NULL::bigint AS query_id, NULL::bigint AS transaction_id,
       NULL::integer AS session_id, NULL::character(64) AS database_name, NULL::integer AS table_id,
       NULL::timestamp AS start_time, NULL::character(256) AS file_name, NULL::bigint AS line_number,
       NULL::character(127) AS column_name, NULL::character(10) AS column_type, NULL::character(10) AS column_length,
       NULL::integer AS position, NULL::integer AS error_code, NULL::character(512) AS error_message
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_load_detail AS
SELECT NULL::integer AS user_id, NULL::integer AS query_id, NULL::character(256) AS file_name,
       NULL::integer AS bytes_scanned, NULL::integer AS lines_scanned, NULL::timestamp AS record_time,
       NULL::integer AS splits_scanned, NULL::timestamp AS start_time, NULL::timestamp AS end_time,
       NULL::character(256) AS file_etag, NULL::timestamp AS file_last_modified
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_file_scan AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::character(90) AS name,
       NULL::bigint AS lines, NULL::bigint AS bytes, NULL::bigint AS loadtime, NULL::timestamp AS curtime,
       NULL::integer AS is_partial, NULL::bigint AS start_offset
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_unload_detail AS
SELECT NULL::integer AS user_id, NULL::integer AS query_id, NULL::integer AS session_id,
       NULL::bigint AS transaction_id, NULL::character(1280) AS file_name, NULL::timestamp AS start_time,
       NULL::timestamp AS end_time, NULL::bigint AS line_count, NULL::bigint AS transfer_size,
       NULL::character(10) AS file_format
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.stl_unload_log AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::integer AS slice, NULL::integer AS pid,
       NULL::character(1280) AS path, NULL::timestamp AS start_time, NULL::timestamp AS end_time,
       NULL::bigint AS line_count, NULL::bigint AS transfer_size, NULL::character(10) AS file_format
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_query_detail AS
SELECT NULL::integer AS user_id, NULL::bigint AS query_id, NULL::integer AS child_query_sequence,
       NULL::integer AS stream_id, NULL::integer AS segment_id, NULL::integer AS step_id, NULL::text AS step_name,
       NULL::integer AS table_id, NULL::character(136) AS table_name, NULL::character(1) AS is_rrscan,
       NULL::timestamp AS start_time, NULL::timestamp AS end_time, NULL::bigint AS duration, NULL::text AS alert,
       NULL::bigint AS input_bytes, NULL::bigint AS input_rows, NULL::bigint AS output_bytes,
       NULL::bigint AS output_rows, NULL::bigint AS blocks_read, NULL::bigint AS blocks_write,
       NULL::bigint AS local_read_io, NULL::bigint AS remote_read_io, NULL::bigint AS spilled_block_local_disk,
       NULL::bigint AS spilled_block_remote_disk, NULL::text AS step_attribute, NULL::character(32) AS source,
       NULL::character(32) AS metrics_level
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svl_s3query_summary AS
SELECT NULL::integer AS userid, NULL::integer AS query, NULL::bigint AS xid, NULL::integer AS pid,
       NULL::integer AS segment, NULL::integer AS step, NULL::timestamp AS starttime, NULL::timestamp AS endtime,
       NULL::integer AS elapsed, NULL::integer AS aborted, NULL::character(136) AS external_table_name,
       NULL::character(16) AS file_format, NULL::character(1) AS is_partitioned, NULL::character(1) AS is_rrscan,
       NULL::character(1) AS is_nested, NULL::bigint AS s3_scanned_rows, NULL::bigint AS s3_scanned_bytes,
       NULL::bigint AS s3query_returned_rows, NULL::bigint AS s3query_returned_bytes, NULL::integer AS files,
       NULL::integer AS files_max, NULL::integer AS files_avg, NULL::integer AS splits, NULL::integer AS splits_max,
       NULL::integer AS splits_avg, NULL::bigint AS total_split_size, NULL::bigint AS max_split_size,
       NULL::bigint AS avg_split_size, NULL::bigint AS total_retries, NULL::integer AS max_retries,
       NULL::integer AS max_request_duration, NULL::double precision AS avg_request_duration,
       NULL::integer AS max_request_parallelism, NULL::double precision AS avg_request_parallelism,
       NULL::bigint AS total_slowdown_count, NULL::integer AS max_slowdown_count
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_spatial_simplify AS
SELECT NULL::bigint AS query_id, NULL::bigint AS line_number, NULL::double precision AS maximum_tolerance,
       NULL::integer AS initial_size, NULL::character(1) AS simplified, NULL::integer AS final_size,
       NULL::double precision AS final_tolerance
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_ml_model_info AS
SELECT NULL::character(128) AS schema_name, NULL::character(128) AS model_name,
       NULL::character(128) AS model_state
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_serverless_usage AS
SELECT NULL::timestamp AS start_time, NULL::timestamp AS end_time, NULL::double precision AS compute_seconds,
       NULL::double precision AS compute_capacity, NULL::integer AS data_storage,
       NULL::integer AS cross_region_transferred_data, NULL::integer AS charged_seconds
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_alter_table_recommendations AS
SELECT NULL::character(30) AS type, NULL::character(128) AS database, NULL::integer AS table_id,
       NULL::integer AS group_id, NULL::character(1024) AS ddl, NULL::character(1) AS auto_eligible
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_rls_policy AS
SELECT NULL::text AS poldb, NULL::text AS polname, NULL::text AS polalias, NULL::text AS polatts,
       NULL::text AS polqual, NULL::boolean AS polenabled, NULL::text AS polmodifiedby,
       NULL::timestamp AS polmodifiedtime
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_rls_attached_policy AS
SELECT NULL::text AS relschema, NULL::text AS relname, NULL::text AS relkind, NULL::text AS polname,
       NULL::text AS grantor, NULL::text AS grantee, NULL::text AS granteekind, NULL::boolean AS is_pol_on,
       NULL::boolean AS is_rls_on, NULL::character(3) AS rls_conjunction_type
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_rls_applied_policy AS
SELECT NULL::text AS username, NULL::integer AS query, NULL::bigint AS xid, NULL::integer AS pid,
       NULL::timestamp AS recordtime, NULL::character(1) AS command, NULL::text AS datname, NULL::text AS relschema,
       NULL::text AS relname, NULL::text AS polname, NULL::character(1) AS poldefault
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_masking_policy AS
SELECT NULL::text AS policy_database, NULL::text AS policy_name, NULL::text AS input_columns,
       NULL::text AS policy_expression, NULL::text AS policy_modified_by, NULL::timestamp AS policy_modified_time
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_attached_masking_policy AS
SELECT NULL::text AS policy_name, NULL::text AS schema_name, NULL::text AS table_name, NULL::text AS table_type,
       NULL::text AS grantor, NULL::text AS grantee, NULL::text AS grantee_type, NULL::integer AS priority,
       NULL::text AS input_columns, NULL::text AS output_columns, NULL::boolean AS is_masking_datashare_on
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svv_datashare_objects AS
SELECT NULL::varchar(8) AS share_type, NULL::varchar(128) AS share_name, NULL::varchar(64) AS object_type,
       NULL::varchar(512) AS object_name, NULL::varchar(16) AS producer_account,
       NULL::varchar(64) AS producer_namespace, NULL::boolean AS include_new
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.svl_datashare_usage_producer AS
SELECT NULL::integer AS share_id, NULL::varchar(128) AS share_name, NULL::varchar(50) AS request_id,
       NULL::varchar(25) AS request_type, NULL::varchar(64) AS object_type, NULL::integer AS object_oid,
       NULL::varchar(128) AS object_name, NULL::varchar(16) AS consumer_account,
       NULL::varchar(64) AS consumer_namespace, NULL::varchar(50) AS consumer_transaction_uid,
       NULL::timestamp AS recordtime, NULL::integer AS status, NULL::varchar(512) AS error,
       NULL::character(64) AS consumer_region
WHERE false;

CREATE OR REPLACE VIEW pg_catalog.sys_datashare_usage_producer AS
SELECT share_id, share_name, request_id, request_type, object_type, object_oid, object_name, consumer_account,
       consumer_namespace, consumer_transaction_uid, recordtime AS record_time, status, error AS error_message,
       consumer_region
FROM pg_catalog.svl_datashare_usage_producer;

GRANT SELECT ON pg_catalog.svv_rls_policy, pg_catalog.svv_rls_attached_policy, pg_catalog.svv_rls_applied_policy,
    pg_catalog.svv_masking_policy, pg_catalog.svv_attached_masking_policy,
    pg_catalog.svv_datashare_objects, pg_catalog.svl_datashare_usage_producer,
    pg_catalog.sys_datashare_usage_producer TO PUBLIC;
GRANT SELECT ON pg_catalog.stl_loaderror_detail, pg_catalog.sys_load_detail, pg_catalog.stl_file_scan,
    pg_catalog.svv_alter_table_recommendations, pg_catalog.sys_load_error_detail,
    pg_catalog.sys_unload_detail, pg_catalog.stl_unload_log, pg_catalog.sys_query_detail,
    pg_catalog.svl_s3query_summary, pg_catalog.sys_spatial_simplify, pg_catalog.svv_ml_model_info,
    pg_catalog.sys_serverless_usage TO PUBLIC;
