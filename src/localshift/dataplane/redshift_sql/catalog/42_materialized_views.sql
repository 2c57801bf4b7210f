-- Materialized views' state (SVV_MV_INFO, STV_MV_INFO), kept from what the engine does.
--
-- A materialized view is stale once one of its base tables changed after its last refresh
-- (CREATE counts as one): every change of a base table (INSERT, UPDATE, DELETE, TRUNCATE, COPY,
-- a refresh of a base materialized view) takes a number from one sequence, as does every refresh,
-- and a view is stale while a base's change is numbered past its refresh.  The numbers are the
-- statements' (not their commits'): a change committed after a concurrent refresh began, which
-- that refresh did not see, leaves the view showing fresh.  Redshift also reports a view as stale
-- always when its query calls a mutable function (one whose result may differ for the same
-- arguments: a date or time of now, a random number): read from the view's query tree.
--
-- The base tables carry a statement trigger that notes their changes (installed when a view over
-- them is created or refreshed), and the internal tables below are the internal role's.

CREATE SEQUENCE IF NOT EXISTS localshift.mv_change_numbers;
-- A view's last refresh, its base tables and relations (through plain views), whether its query
-- calls a mutable function and whether Redshift would refresh it incrementally.
CREATE TABLE IF NOT EXISTS localshift.mv_refreshes (
    view_oid oid PRIMARY KEY,
    refreshed bigint NOT NULL,
    bases oid[] NOT NULL,
    mutable boolean NOT NULL,
    incremental boolean NOT NULL
);
-- Changes of base tables, appended (concurrent writers of one table never wait on each other), and
-- only while some view over the table is not already stale; a refresh forgets those it covers.
CREATE TABLE IF NOT EXISTS localshift.mv_base_changes (
    relation oid NOT NULL,
    changed bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS mv_base_changes_by_relation ON localshift.mv_base_changes (relation, changed);
REVOKE ALL ON localshift.mv_refreshes, localshift.mv_base_changes, localshift.mv_change_numbers FROM PUBLIC;

-- A base table's change (a statement trigger's: trigger functions cannot be called otherwise).
CREATE OR REPLACE FUNCTION localshift.note_mv_base_change(relation oid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM localshift.mv_refreshes r
               WHERE relation = ANY (r.bases)
                 AND NOT EXISTS (SELECT FROM localshift.mv_base_changes c
                                 WHERE c.relation = note_mv_base_change.relation AND c.changed > r.refreshed)) THEN
        INSERT INTO localshift.mv_base_changes VALUES (relation, nextval('localshift.mv_change_numbers'));
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.note_mv_base_change(oid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION localshift.mv_base_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM localshift.note_mv_base_change(TG_RELID);
    RETURN NULL;
END $$;
-- Nobody else may attach it to a table (CREATE TRIGGER needs EXECUTE on the function).
REVOKE ALL ON FUNCTION localshift.mv_base_changed() FROM PUBLIC;

-- The relations a view's query reads, through plain views; whether one of the queries on the way
-- calls a function that is not immutable (or reads CURRENT_DATE and its kind); and whether they use
-- only what AWS documents Redshift refreshes incrementally: SELECT, FROM, [INNER] JOIN, WHERE,
-- GROUP BY, HAVING, the aggregates SUM, MIN, MAX, AVG and COUNT (not DISTINCT), immutable functions.
-- Outer joins, set operations, window functions, subqueries, DISTINCT, ORDER BY, LIMIT and other
-- aggregates make it recompute the view in full.  Read from the engine's query trees.
CREATE OR REPLACE FUNCTION localshift.mv_query_reads(view_oid oid, OUT bases oid[], OUT mutable boolean,
                                                     OUT incremental boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
WITH RECURSIVE reads(relation) AS (
    SELECT view_oid
    UNION
    SELECT d.refobjid
    FROM reads
    JOIN pg_rewrite rw ON rw.ev_class = reads.relation AND rw.rulename = '_RETURN'
    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> reads.relation
    WHERE reads.relation = view_oid OR (SELECT relkind FROM pg_class WHERE oid = reads.relation) = 'v'
)
SELECT coalesce(array_agg(DISTINCT r.relation) FILTER (WHERE c.relkind IN ('r', 'p', 'm') AND r.relation <> view_oid),
                '{}'),
       coalesce(bool_or(rw.ev_action::text ~ '[{]SQLVALUEFUNCTION ' OR EXISTS (
           SELECT FROM regexp_matches(rw.ev_action::text, ':(?:func|opfunc)id ([0-9]+)', 'g') AS f(id)
           JOIN pg_proc p ON p.oid = f.id[1]::oid WHERE p.provolatile <> 'i')), false),
       NOT coalesce(bool_or(rw.ev_action::text ~ ('(:hasWindowFuncs true|:hasSubLinks true|:setOperations [{]'
                                                   '|:distinctClause [(]|:sortClause [(]|:limitCount [{]'
                                                   '|:aggdistinct [(]|[{]JOINEXPR :jointype [123] )') OR EXISTS (
           SELECT FROM regexp_matches(rw.ev_action::text, ':aggfnoid ([0-9]+)', 'g') AS a(id)
           JOIN pg_proc p ON p.oid = a.id[1]::oid WHERE p.proname NOT IN ('sum', 'min', 'max', 'avg', 'count'))), false)
FROM reads r
JOIN pg_class c ON c.oid = r.relation
LEFT JOIN pg_rewrite rw ON rw.ev_class = r.relation AND rw.rulename = '_RETURN' AND c.relkind IN ('m', 'v')
$$;
REVOKE ALL ON FUNCTION localshift.mv_query_reads(oid) FROM PUBLIC;

-- CREATE and REFRESH MATERIALIZED VIEW: the view is fresh, its base tables note their changes, and
-- a view over it has a changed base.
CREATE OR REPLACE FUNCTION localshift.note_mv_refresh() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    refreshed_view oid;
    base oid;
    read record;
BEGIN
    FOR refreshed_view IN
        SELECT DISTINCT cmd.objid FROM pg_event_trigger_ddl_commands() AS cmd
        JOIN pg_class c ON c.oid = cmd.objid
        WHERE cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0 AND c.relkind = 'm'
    LOOP
        read := localshift.mv_query_reads(refreshed_view);
        FOREACH base IN ARRAY read.bases LOOP
            -- (a catalog table of the system's takes no trigger: its changes are not noted)
            IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = base AND tgname = 'localshift_mv_base_change')
                    AND (SELECT c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema',
                                                                             'localshift')
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = base) THEN
                EXECUTE format('CREATE TRIGGER localshift_mv_base_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                               'ON %s FOR EACH STATEMENT EXECUTE FUNCTION localshift.mv_base_changed()',
                               base::regclass);
            END IF;
        END LOOP;
        INSERT INTO localshift.mv_refreshes AS r (view_oid, refreshed, bases, mutable, incremental)
        VALUES (refreshed_view, nextval('localshift.mv_change_numbers'), read.bases, read.mutable,
                read.incremental AND NOT read.mutable)
        ON CONFLICT (view_oid) DO UPDATE
            SET refreshed = excluded.refreshed, bases = excluded.bases, mutable = excluded.mutable,
                incremental = excluded.incremental;
        PERFORM localshift.note_mv_base_change(refreshed_view);
        -- Changes every view over them has seen.
        DELETE FROM localshift.mv_base_changes c
        WHERE c.relation = ANY (read.bases)
          AND c.changed < coalesce((SELECT min(r.refreshed) FROM localshift.mv_refreshes r
                                    WHERE c.relation = ANY (r.bases)), c.changed + 1);
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION localshift.forget_dropped_mvs() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM localshift.mv_refreshes WHERE view_oid IN (
        SELECT objid FROM pg_event_trigger_dropped_objects() WHERE classid = 'pg_class'::regclass AND objsubid = 0);
    DELETE FROM localshift.mv_base_changes WHERE relation IN (
        SELECT objid FROM pg_event_trigger_dropped_objects() WHERE classid = 'pg_class'::regclass AND objsubid = 0);
END $$;

DROP EVENT TRIGGER IF EXISTS localshift_note_mv_refresh;
CREATE EVENT TRIGGER localshift_note_mv_refresh ON ddl_command_end
    WHEN TAG IN ('CREATE MATERIALIZED VIEW', 'REFRESH MATERIALIZED VIEW')
    EXECUTE FUNCTION localshift.note_mv_refresh();
DROP EVENT TRIGGER IF EXISTS localshift_forget_dropped_mvs;
CREATE EVENT TRIGGER localshift_forget_dropped_mvs ON sql_drop
    WHEN TAG IN ('DROP MATERIALIZED VIEW', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION localshift.forget_dropped_mvs();

-- Every materialized view's state, for SVV_MV_INFO and STV_MV_INFO (which choose whose views to show).
-- State 1: Redshift refreshes the view incrementally, 0: in full.  Autorewrite: Redshift may answer a query from the
-- view (never when its query calls a mutable function); localshift answers from the base tables,
-- with the same results.
CREATE OR REPLACE VIEW localshift.mv_states AS
SELECT c.oid AS view_oid,
       (CASE WHEN NOT c.relispopulated OR r.mutable OR r.refreshed IS NULL
                  OR EXISTS (SELECT FROM localshift.mv_base_changes ch
                             WHERE ch.relation = ANY (r.bases) AND ch.changed > r.refreshed)
             THEN 't' ELSE 'f' END)::character(1) AS is_stale,
       (CASE WHEN r.incremental OR r.incremental IS NULL THEN 1 ELSE 0 END) AS state,
       (CASE WHEN ta.auto_refresh THEN 't' ELSE 'f' END)::character(1) AS autorefresh,
       (CASE WHEN r.mutable THEN 'f' ELSE 't' END)::character(1) AS autorewrite
FROM pg_catalog.pg_class c
LEFT JOIN localshift.table_attributes ta ON ta.table_oid = c.oid
LEFT JOIN localshift.mv_refreshes r ON r.view_oid = c.oid
WHERE c.relkind = 'm';
REVOKE ALL ON localshift.mv_states FROM PUBLIC;

-- SVV_MV_INFO: regular users see their own views; superusers every view.
CREATE OR REPLACE VIEW pg_catalog.svv_mv_info AS
SELECT current_database()::character(128) AS database_name, n.nspname::character(128) AS schema_name,
       pg_catalog.pg_get_userbyid(c.relowner)::character(128) AS user_name, c.relname::character(128) AS name,
       s.is_stale, s.state, s.autorefresh, s.autorewrite
FROM localshift.mv_states s
JOIN pg_catalog.pg_class c ON c.oid = s.view_oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE localshift.is_user_visible_schema(n.nspname)
  AND (pg_catalog.pg_get_userbyid(c.relowner) = current_user OR localshift.current_user_is_superuser());

-- STV_MV_INFO: the same in STV_MV_INFO's shape; regular users see the views of the schemas they may use.
CREATE OR REPLACE VIEW pg_catalog.stv_mv_info AS
SELECT current_database()::character(128) AS db_name, n.nspname::character(128) AS schema,
       c.relname::character(128) AS name, 0::bigint AS updated_upto_xid, s.is_stale,
       pg_catalog.pg_get_userbyid(c.relowner)::character(128) AS owner_user_name, s.state, s.autorefresh,
       s.autorewrite
FROM localshift.mv_states s
JOIN pg_catalog.pg_class c ON c.oid = s.view_oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE localshift.is_user_visible_schema(n.nspname)
  AND (pg_catalog.has_schema_privilege(n.oid, 'USAGE') OR localshift.current_user_is_superuser());

GRANT SELECT ON pg_catalog.svv_mv_info, pg_catalog.stv_mv_info TO PUBLIC;
