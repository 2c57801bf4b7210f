-- Materialized views Redshift no longer refreshes (Unrefreshable: STV_MV_INFO's states 101 to 105) once a
-- base table changes in a way its incremental refresh cannot follow: a column dropped or retyped (one the
-- view does not read too), a column, the table or its schema renamed.  A view's last refresh keeps the shape
-- of its base tables (localshift.mv_refreshes.shape, 42_materialized_views.sql); after every ALTER TABLE,
-- ALTER MATERIALIZED VIEW and ALTER SCHEMA the views over what changed are compared with it, and one that
-- differs is Unrefreshable until dropped (localshift.refresh_mv refuses it, the autorefresh leaves it).

-- The shape of base tables (see mv_refreshes.shape): by table oid, its schema, name and columns (by
-- number: name, type, type modifier).
CREATE OR REPLACE FUNCTION localshift.mv_base_shape(bases oid[]) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce(jsonb_object_agg(c.oid::text, jsonb_build_object(
           'schema', n.nspname, 'name', c.relname,
           'columns', (SELECT coalesce(jsonb_object_agg(a.attnum::text, jsonb_build_array(a.attname, a.atttypid,
                                                                                            a.atttypmod)), '{}')
                       FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))), '{}')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = ANY (bases) $$;
REVOKE ALL ON FUNCTION localshift.mv_base_shape(oid[]) FROM PUBLIC;

-- What Redshift makes a view Unrefreshable for, as STV_MV_INFO numbers it: 101 a column of a base
-- table dropped, 102 one's type changed, 103 a base table renamed, 104 a column renamed, 105 a base
-- table's schema renamed (columns the view does not read too), compared with the shape its last refresh
-- read; the lowest number, and its table.  (A dropped base table drops the view: DROP ... CASCADE.)
CREATE OR REPLACE FUNCTION localshift.mv_shape_change(shape jsonb, OUT code smallint, OUT base oid)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT change.code, change.base FROM (
    SELECT (CASE WHEN a.attnum IS NULL OR a.attisdropped THEN 101
                 WHEN a.atttypid::text <> col.value ->> 1 OR a.atttypmod::text <> col.value ->> 2 THEN 102
                 WHEN a.attname <> col.value ->> 0 THEN 104 END)::smallint AS code, t.key::oid AS base
    FROM jsonb_each(shape) AS t
    JOIN pg_class c ON c.oid = t.key::oid
    CROSS JOIN jsonb_each(t.value -> 'columns') AS col
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = col.key::smallint
    UNION ALL
    SELECT (CASE WHEN n.nspname <> t.value ->> 'schema' THEN 105
                 WHEN c.relname <> t.value ->> 'name' THEN 103 END)::smallint, c.oid
    FROM jsonb_each(shape) AS t
    JOIN pg_class c ON c.oid = t.key::oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
) AS change
WHERE change.code IS NOT NULL
ORDER BY change.code LIMIT 1 $$;
REVOKE ALL ON FUNCTION localshift.mv_shape_change(jsonb) FROM PUBLIC;

-- Redshift's words for an Unrefreshable state: STL_MV_STATE's event, SVL_MV_REFRESH_STATUS's status of a
-- refresh refused, and the refusal's reason.
CREATE OR REPLACE FUNCTION localshift.mv_unrefreshable_words(code smallint, OUT event text, OUT status text,
                                                             OUT reason text)
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT w.event, w.status, w.reason FROM (VALUES
    (101, 'Column was dropped', 'Refresh failed. Base table column was dropped', 'a column was dropped for a base table'),
    (102, 'Column type was changed', 'Refresh failed. Base table column type was changed',
     'a column type was changed for a base table'),
    (103, 'Table was renamed', 'Refresh failed. Base table was renamed', 'a base table was renamed'),
    (104, 'Column was renamed', 'Refresh failed. Base table column was renamed', 'a column was renamed for a base table'),
    (105, 'Schema name was changed', 'Refresh failed. Schema name of a base table was changed',
     'a schema name was changed for a base table')) AS w(code, event, status, reason)
WHERE w.code = mv_unrefreshable_words.code $$;

-- Whether a view is Unrefreshable (code NULL: no), with the words above; for localshift.refresh_mv and
-- the failed refreshes' record.
CREATE OR REPLACE FUNCTION localshift.mv_unrefreshable_reason(view_oid oid, OUT code smallint, OUT status text,
                                                              OUT reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT r.unrefreshable, w.status, w.reason
FROM localshift.mv_refreshes r CROSS JOIN LATERAL localshift.mv_unrefreshable_words(r.unrefreshable) AS w
WHERE r.view_oid = mv_unrefreshable_reason.view_oid $$;
REVOKE ALL ON FUNCTION localshift.mv_unrefreshable_reason(oid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.mv_unrefreshable_reason(oid) TO PUBLIC;

-- After an ALTER TABLE, ALTER MATERIALIZED VIEW or ALTER SCHEMA: the views it made Unrefreshable, with
-- their transition (STL_MV_STATE).  The engine's views follow renames and a dropped column they do not
-- read (and refuse to lose one they read); Redshift's stop refreshing.
CREATE OR REPLACE FUNCTION localshift.note_mv_base_altered() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    altered record;
BEGIN
    FOR altered IN SELECT r.view_oid, change.code, change.base
                FROM localshift.mv_refreshes r CROSS JOIN LATERAL localshift.mv_shape_change(r.shape) AS change
                WHERE r.unrefreshable IS NULL AND r.shape IS NOT NULL AND change.code IS NOT NULL
                  AND (tg_tag = 'ALTER SCHEMA'  -- else only the views over the tables altered
                       OR r.bases && ARRAY(SELECT objid FROM pg_event_trigger_ddl_commands()
                                           WHERE classid = 'pg_class'::regclass)) LOOP
        UPDATE localshift.mv_refreshes SET unrefreshable = altered.code WHERE view_oid = altered.view_oid;
        INSERT INTO localshift.mv_state_history (userid, starttime, xid, event_desc, base_oid, base_schema, base_name,
                                                 view_oid, mv_schema, mv_name, state)
        SELECT (SELECT oid FROM pg_roles WHERE rolname = session_user), statement_timestamp() AT TIME ZONE 'UTC',
               pg_current_xact_id()::text::bigint, (localshift.mv_unrefreshable_words(altered.code)).event, b.oid,
               bn.nspname, b.relname, c.oid, n.nspname, c.relname, 'Unrefreshable'
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
             pg_class b JOIN pg_namespace bn ON bn.oid = b.relnamespace
        WHERE c.oid = altered.view_oid AND b.oid = altered.base;
    END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS localshift_note_mv_base_altered;
CREATE EVENT TRIGGER localshift_note_mv_base_altered ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'ALTER MATERIALIZED VIEW', 'ALTER SCHEMA')
    EXECUTE FUNCTION localshift.note_mv_base_altered();
