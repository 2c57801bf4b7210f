-- Materialized views' state (SVV_MV_INFO, STV_MV_INFO), kept from what the engine does, and their
-- refreshes (SVL_MV_REFRESH_STATUS).
--
-- A materialized view is stale once one of its base tables changed after its last refresh
-- (CREATE counts as one) in a way that refresh did not see.  Every change of a base table (INSERT,
-- UPDATE, DELETE, TRUNCATE, COPY, a refresh of a base materialized view) notes its transaction and
-- takes a number from one sequence, as does every refresh, which also keeps the snapshot its query
-- read the base tables with.  A refresh saw a change of another transaction when that transaction
-- had committed in the refresh's snapshot (so a change committed while the refresh ran leaves the
-- view stale), and a change of its own transaction when the change's statement came first.  Redshift
-- also reports a view as stale always when its query calls a mutable function (one whose result may
-- differ for the same arguments: a date or time of now, a random number): read from the view's query
-- tree.
--
-- The base tables carry a statement trigger that notes their changes (installed when a view over
-- them is created or refreshed), and the internal tables below are the internal role's.

CREATE SEQUENCE IF NOT EXISTS localshift.mv_change_numbers;
-- A view's last refresh (its number, transaction and snapshot), its base tables and relations (through
-- plain views), whether its query calls a mutable function and whether Redshift would refresh it
-- incrementally.
CREATE TABLE IF NOT EXISTS localshift.mv_refreshes (
    view_oid oid PRIMARY KEY,
    refreshed bigint NOT NULL,
    bases oid[] NOT NULL,
    mutable boolean NOT NULL,
    incremental boolean NOT NULL
);
ALTER TABLE localshift.mv_refreshes ADD COLUMN IF NOT EXISTS refreshed_by xid8,
                                    ADD COLUMN IF NOT EXISTS seen pg_snapshot;
-- Unrefreshable views (STV_MV_INFO's states 101 to 105): the names and types of the base tables' columns,
-- their names and schemas, as the last refresh read them (shape), and the change Redshift would not
-- refresh the view after (unrefreshable: the state), if one came since.
ALTER TABLE localshift.mv_refreshes ADD COLUMN IF NOT EXISTS shape jsonb,
                                    ADD COLUMN IF NOT EXISTS unrefreshable smallint;
-- Changes of base tables, appended (concurrent writers of one table never wait on each other), one per
-- transaction and table (and again after a refresh in that transaction); a refresh forgets those every
-- view over the table saw.  changed_at: when (UTC), for the autorefresh, which waits for quiet tables.
CREATE TABLE IF NOT EXISTS localshift.mv_base_changes (
    relation oid NOT NULL,
    changed bigint NOT NULL
);
ALTER TABLE localshift.mv_base_changes ADD COLUMN IF NOT EXISTS changed_by xid8,
                                       ADD COLUMN IF NOT EXISTS changed_at timestamp;
CREATE INDEX IF NOT EXISTS mv_base_changes_by_relation ON localshift.mv_base_changes (relation, changed);
CREATE INDEX IF NOT EXISTS mv_base_changes_by_transaction ON localshift.mv_base_changes (relation, changed_by);
REVOKE ALL ON localshift.mv_refreshes, localshift.mv_base_changes, localshift.mv_change_numbers FROM PUBLIC;

-- Materialized views' state transitions, for STL_MV_STATE: a TRUNCATE of a base table makes Redshift
-- recompute a view in full at its next refresh (state Recompute), which the refresh's status then says.
-- The newest rows are kept.
CREATE TABLE IF NOT EXISTS localshift.mv_state_history (
    state_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    userid oid NOT NULL,             -- the role whose statement made the transition
    starttime timestamp NOT NULL,
    xid bigint NOT NULL,
    event_desc text NOT NULL,
    base_oid oid NOT NULL,
    base_schema name NOT NULL,
    base_name name NOT NULL,
    view_oid oid NOT NULL,
    mv_schema name NOT NULL,
    mv_name name NOT NULL,
    state text NOT NULL
);
REVOKE ALL ON localshift.mv_state_history FROM PUBLIC;

-- Whether a refresh saw a change (see above).  Rows an older localshift wrote have no transactions:
-- their statements' order decides.
CREATE OR REPLACE FUNCTION localshift.mv_refresh_saw(changed bigint, changed_by xid8, refreshed bigint,
                                                    refreshed_by xid8, seen pg_snapshot) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
SELECT CASE WHEN changed_by IS NULL OR refreshed_by IS NULL OR seen IS NULL OR changed_by = refreshed_by
            THEN changed < refreshed
            ELSE pg_visible_in_snapshot(changed_by, seen) END $$;

-- A base table's change (a statement trigger's: trigger functions cannot be called otherwise), noted
-- once per transaction, and again after a refresh of a view over the table in that transaction (an
-- earlier change of another transaction does not do: a refresh may see it and not this one).
CREATE OR REPLACE FUNCTION localshift.note_mv_base_change(relation oid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT FROM localshift.mv_refreshes r WHERE relation = ANY (r.bases))
       AND NOT EXISTS (SELECT FROM localshift.mv_base_changes c
                       WHERE c.relation = note_mv_base_change.relation AND c.changed_by = pg_current_xact_id()
                         AND NOT EXISTS (SELECT FROM localshift.mv_refreshes r
                                         WHERE r.refreshed_by = c.changed_by AND r.refreshed > c.changed
                                           AND c.relation = ANY (r.bases))) THEN
        INSERT INTO localshift.mv_base_changes (relation, changed, changed_by, changed_at)
        VALUES (relation, nextval('localshift.mv_change_numbers'), pg_current_xact_id(),
                clock_timestamp() AT TIME ZONE 'UTC');
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.note_mv_base_change(oid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION localshift.mv_base_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM localshift.note_mv_base_change(TG_RELID);
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO localshift.mv_state_history (userid, starttime, xid, event_desc, base_oid, base_schema, base_name,
                                                 view_oid, mv_schema, mv_name, state)
        SELECT (SELECT oid FROM pg_roles WHERE rolname = session_user), statement_timestamp() AT TIME ZONE 'UTC',
               pg_current_xact_id()::text::bigint, 'TRUNCATE', TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME, c.oid,
               n.nspname, c.relname, 'Recompute'
        FROM localshift.mv_refreshes r
        JOIN pg_class c ON c.oid = r.view_oid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE TG_RELID = ANY (r.bases);
        DELETE FROM localshift.mv_state_history
        WHERE state_id <= (SELECT max(state_id) FROM localshift.mv_state_history) - 10000;
    END IF;
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

-- Keys of a view: sets of output columns whose values no two of its rows share, read from its query tree
-- (the top-level query's; one with a subquery in an expression is not read): the GROUP BY columns when
-- every grouping expression is an output column, every column of a SELECT DISTINCT, each column of an
-- aggregate without GROUP BY (one row).  None with a set-returning function in the select list (it
-- multiplies rows), a set operation or GROUPING SETS.  Attribute numbers, in order.
CREATE OR REPLACE FUNCTION localshift.mv_keys(view_oid oid) RETURNS SETOF smallint[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tree text := (SELECT ev_action::text FROM pg_rewrite WHERE ev_class = view_oid AND rulename = '_RETURN');
    top text;
    refs text[];
    entries smallint[];
    grouped smallint[];
BEGIN
    IF tree IS NULL OR (regexp_match(tree, ':hasTargetSRFs ([a-z]+) :hasSubLinks ([a-z]+) :hasDistinctOn ([a-z]+)'))
                       IS DISTINCT FROM ARRAY['false', 'false', 'false'] THEN
        RETURN;
    END IF;
    -- (No backslash in a literal of the body: it is read with the session's standard_conforming_strings,
    -- off in Redshift's sessions.)  Queries nested in the top-level one come in its range table (FROM subqueries, CTEs), before its
    -- select list: what follows the last select list is the top-level query's.
    top := (regexp_match(tree, '.*:targetList (.*)$'))[1];
    IF top !~ ':groupingSets <> .*:setOperations <> ' THEN
        RETURN;
    END IF;
    refs := ARRAY(SELECT g[1] FROM regexp_matches(substring(top FROM ':groupClause (.*) :groupDistinct '),
                                                  ':tleSortGroupRef ([0-9]+)', 'g') AS g);
    -- The output columns (an aggregate's arguments are entries too, without a name), and those GROUP BY names.
    SELECT array_agg(e[1]::smallint ORDER BY e[1]::integer),
           array_agg(e[1]::smallint ORDER BY e[1]::integer) FILTER (WHERE e[2] = ANY (refs))
    INTO entries, grouped
    FROM regexp_matches(substring(top FROM '^(.*) :override '),
                        E':resno ([0-9]+) :resname (?!<>)(?:[^ \\\\]|\\\\.)+ :ressortgroupref ([0-9]+) '
                        ':resorigtbl [0-9]+ :resorigcol [0-9]+ :resjunk false[}]', 'g') AS e;
    IF cardinality(refs) > 0 THEN
        IF cardinality(grouped) = cardinality(refs) THEN
            RETURN NEXT grouped;
        END IF;
    ELSIF top ~ ':distinctClause [(]' THEN
        RETURN NEXT entries;
    ELSIF tree ~ '^[(][{]QUERY( :[a-zA-Z]+ [^ ]+){5} :hasAggs true' THEN
        RETURN QUERY SELECT ARRAY[column_number] FROM unnest(entries) AS column_number;
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.mv_keys(oid) FROM PUBLIC;

-- The most bytes a view's column may take (NULL: no bound), for its key's index.
CREATE OR REPLACE FUNCTION localshift.mv_column_bytes(view_oid oid, column_number smallint) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT CASE WHEN b.typlen > 0 THEN b.typlen::integer
            WHEN b.typname IN ('varchar', 'bpchar') AND m.typmod > 4 THEN (m.typmod - 4) * 4 + 4
            WHEN b.typname = 'numeric' AND m.typmod > 4 THEN 32 END
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
CROSS JOIN LATERAL (SELECT CASE WHEN a.atttypmod >= 0 THEN a.atttypmod ELSE t.typtypmod END AS typmod) AS m
WHERE a.attrelid = view_oid AND a.attnum = column_number $$;
REVOKE ALL ON FUNCTION localshift.mv_column_bytes(oid, smallint) FROM PUBLIC;

-- The index on a view's key (see below), if it has one (for mv_refresh_statement, which users call).
CREATE OR REPLACE FUNCTION localshift.mv_key_index(view_oid oid) RETURNS oid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = view_oid AND c.relname = 'localshift_mv_key_' || view_oid AND i.indisunique AND i.indisvalid $$;

-- A unique index on a key of the view (localshift_mv_key_<view oid>), so that REFRESH runs CONCURRENTLY
-- (localshift.refresh_mv): the engine then locks the view only against other refreshes and queries read
-- its old rows while it refreshes, as in Redshift (a plain refresh locks readers out until it commits).
-- A key of its query first (see mv_keys), over columns whose values are at most 2,000 bytes together
-- (the engine's B-tree refuses rows of about 2,700), else every column of the view: a view's rows
-- seldom repeat, and while they do not the engine's CONCURRENTLY refreshes it right (it compares whole
-- rows; rows with a NULL are never equal to the index, so any number of them refresh right too).
-- Only over types with a B-tree operator class; none when the view's rows repeat now (the index is
-- tried again at each refresh).
CREATE OR REPLACE FUNCTION localshift.ensure_mv_key(view_oid oid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key smallint[];
BEGIN
    IF localshift.mv_key_index(view_oid) IS NOT NULL THEN
        RETURN;
    END IF;
    FOR key IN SELECT k FROM (SELECT k, 1 AS rank FROM localshift.mv_keys(view_oid) AS k
                              WHERE (SELECT CASE WHEN bool_and(b IS NOT NULL) THEN sum(b) END
                                     FROM (SELECT localshift.mv_column_bytes(view_oid, c) AS b
                                           FROM unnest(k) AS c) AS w) <= 2000
                              UNION ALL
                              SELECT array_agg(a.attnum ORDER BY a.attnum), 2 FROM pg_attribute a
                              WHERE a.attrelid = view_oid AND a.attnum > 0 AND NOT a.attisdropped) AS keys
               WHERE k IS NOT NULL ORDER BY rank LOOP
        BEGIN
            EXECUTE format('CREATE UNIQUE INDEX %I ON %s (%s)', 'localshift_mv_key_' || view_oid, view_oid::regclass,
                           (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                            WHERE a.attrelid = view_oid AND a.attnum = ANY (key)));
            RETURN;
        EXCEPTION WHEN undefined_object OR unique_violation OR program_limit_exceeded OR duplicate_table THEN
            NULL;  -- no operator class for a type, a relation of that name, repeated rows: the next key, if any
        END;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION localshift.ensure_mv_key(oid) FROM PUBLIC;

-- The key's index dropped, for a refresh whose new rows it would refuse (rows that repeat, a row too
-- long for it): the refresh then runs plain, and the next one makes a key again if it can.  Only by
-- whoever may refresh the view (its owner, a superuser: MAINTAIN).
CREATE OR REPLACE FUNCTION localshift.drop_mv_key(view_oid oid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key oid := localshift.mv_key_index(view_oid);
BEGIN
    IF key IS NOT NULL AND has_table_privilege(session_user, view_oid, 'MAINTAIN') THEN
        EXECUTE format('DROP INDEX %s', key::regclass);
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.drop_mv_key(oid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.drop_mv_key(oid) TO PUBLIC;

-- REFRESH MATERIALIZED VIEW [CASCADE], as the translator and the autorefresh run it (localshift.refresh_mv).
DROP FUNCTION IF EXISTS localshift.mv_refresh_statement(regclass);
CREATE OR REPLACE FUNCTION localshift.mv_refresh_statement(view_oid regclass, cascade boolean DEFAULT false)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT 'SELECT localshift.refresh_mv(' || view_oid::oid || CASE WHEN cascade THEN ', true' ELSE '' END || ')' $$;
GRANT EXECUTE ON FUNCTION localshift.mv_refresh_statement(regclass, boolean) TO PUBLIC;

-- A view's refresh: refused for a view Redshift would no longer refresh (Unrefreshable: a base table
-- changed, see mv_shape_change); CONCURRENTLY when the view has a key's index and rows (see
-- ensure_mv_key), and plain, after dropping the key's index, when the new rows repeat or are too long
-- for it; plain without a key (readers then wait for it).  As the caller (the engine checks who may
-- refresh the view).  ``cascade`` (REFRESH MATERIALIZED VIEW ... CASCADE): the materialized views it is
-- built on first, each once, those deepest down first; one that fails fails the whole.
CREATE OR REPLACE FUNCTION localshift.refresh_mv(view_oid oid, cascade boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    unrefreshable text := (SELECT u.reason FROM localshift.mv_unrefreshable_reason(view_oid) AS u);
    base oid;
BEGIN
    IF cascade THEN
        FOR base IN WITH RECURSIVE bases(relation, depth) AS (
                        SELECT b, 1 FROM localshift.mv_base_views(view_oid) AS b
                        UNION ALL
                        SELECT b, bases.depth + 1 FROM bases CROSS JOIN LATERAL localshift.mv_base_views(bases.relation) AS b
                        WHERE bases.depth < 100)
                    SELECT relation FROM bases GROUP BY relation ORDER BY max(depth) DESC, relation LOOP
            PERFORM localshift.refresh_mv(base);
        END LOOP;
    END IF;
    IF unrefreshable IS NOT NULL THEN
        RAISE EXCEPTION 'Materialized view % is unrefreshable as %.', (SELECT relname FROM pg_class WHERE oid = view_oid),
                        unrefreshable USING ERRCODE = 'XX000';
    END IF;
    IF (SELECT relispopulated FROM pg_class WHERE oid = view_oid) AND localshift.mv_key_index(view_oid) IS NOT NULL THEN
        BEGIN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %s', view_oid::regclass);
            RETURN;
        EXCEPTION WHEN cardinality_violation OR unique_violation OR program_limit_exceeded THEN
            PERFORM localshift.drop_mv_key(view_oid);  -- rows that repeat, a row too long for the index
        END;
    END IF;
    EXECUTE format('REFRESH MATERIALIZED VIEW %s', view_oid::regclass);
END $$;
GRANT EXECUTE ON FUNCTION localshift.refresh_mv(oid, boolean) TO PUBLIC;

-- Refreshes of materialized views, for SVL_MV_REFRESH_STATUS: those REFRESH MATERIALIZED VIEW ran
-- (the user's, or the internal role's for the autorefresh: dataplane/mv_autorefresh.py), and the
-- autorefreshes that failed.  Times UTC; the newest rows are kept.
CREATE TABLE IF NOT EXISTS localshift.mv_refresh_history (
    refresh_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    userid oid NOT NULL,             -- the role that refreshed
    view_oid oid NOT NULL,
    schema_name name NOT NULL,
    mv_name name NOT NULL,
    xid bigint NOT NULL,             -- 0: a refresh that failed (its transaction rolled back)
    starttime timestamp NOT NULL,
    endtime timestamp NOT NULL,
    status text NOT NULL
);
-- SYS_MV_REFRESH_HISTORY's too: the refreshing session's process, Manual (a user's REFRESH) or Auto.
ALTER TABLE localshift.mv_refresh_history ADD COLUMN IF NOT EXISTS session_id integer,
                                          ADD COLUMN IF NOT EXISTS refresh_type text;
REVOKE ALL ON localshift.mv_refresh_history FROM PUBLIC;

CREATE OR REPLACE FUNCTION localshift.note_mv_refresh_status(view_oid oid, xid bigint, starttime timestamp,
                                                             status text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
INSERT INTO localshift.mv_refresh_history (userid, view_oid, schema_name, mv_name, xid, starttime, endtime, status,
                                           session_id, refresh_type)
SELECT (SELECT oid FROM pg_roles WHERE rolname = session_user), c.oid, n.nspname, c.relname, xid, starttime,
       clock_timestamp() AT TIME ZONE 'UTC', status, pg_backend_pid(),
       CASE WHEN session_user = 'rdsdb' THEN 'Auto' ELSE 'Manual' END  -- the autorefresh's (the internal role)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = view_oid;
DELETE FROM localshift.mv_refresh_history
WHERE refresh_id <= (SELECT max(refresh_id) FROM localshift.mv_refresh_history) - 10000;
$$;
REVOKE ALL ON FUNCTION localshift.note_mv_refresh_status(oid, bigint, timestamp, text) FROM PUBLIC;

-- A user's REFRESH MATERIALIZED VIEW that failed (the translator's DO block calls it with the error and
-- the view, NULL when its name did not resolve): the error raised again, with the view's oid in its
-- table field under a marker schema.  The failed statement aborts the user's transaction, and whatever it
-- wrote with it, so the front records the failure instead (redshift_sql/session.py, which keeps the
-- marker from the client): the query history's writer writes it, in a transaction of its own, through
-- localshift.failed_mv_refreshes.
CREATE OR REPLACE FUNCTION localshift.raise_refresh_error(view_oid oid, sqlstate text, message text, detail text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF view_oid IS NULL THEN
        PERFORM localshift.raise_error(sqlstate, message, detail);
    ELSIF coalesce(detail, '') = '' THEN
        RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, SCHEMA = 'localshift_failed_refresh',
                              TABLE = view_oid::text;
    END IF;
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, DETAIL = detail,
                          SCHEMA = 'localshift_failed_refresh', TABLE = view_oid::text;
END $$;
GRANT EXECUTE ON FUNCTION localshift.raise_refresh_error(oid, text, text, text) TO PUBLIC;

-- The failed refreshes the query history's writer records (COPY into the view): Redshift's words for a
-- refresh that failed otherwise than on a change of a base table's columns (which the engine's
-- materialized views follow by themselves), xid 0 (its transaction rolled back), Manual.  Only a
-- refresh of a view its user owns (or a superuser's): REFRESH needs it, and a user calling
-- raise_refresh_error by hand cannot put rows in the history of another's view.
CREATE OR REPLACE VIEW localshift.failed_mv_refreshes AS
SELECT NULL::oid AS view_oid, NULL::integer AS session_id, NULL::name AS user_name,
       NULL::timestamp AS starttime, NULL::timestamp AS endtime WHERE false;
REVOKE ALL ON localshift.failed_mv_refreshes FROM PUBLIC;

CREATE OR REPLACE FUNCTION localshift.note_failed_mv_refresh() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO localshift.mv_refresh_history (userid, view_oid, schema_name, mv_name, xid, starttime, endtime,
                                               status, session_id, refresh_type)
    SELECT r.oid, c.oid, n.nspname, c.relname, 0, new.starttime, new.endtime,
           coalesce((localshift.mv_unrefreshable_reason(c.oid)).status, 'Refresh failed due to an internal error'),
           new.session_id, 'Manual'
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_roles r ON r.rolname = new.user_name
    WHERE c.oid = new.view_oid AND c.relkind = 'm' AND (c.relowner = r.oid OR localshift.is_superuser(r.oid));
    DELETE FROM localshift.mv_refresh_history
    WHERE refresh_id <= (SELECT max(refresh_id) FROM localshift.mv_refresh_history) - 10000;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION localshift.note_failed_mv_refresh() FROM PUBLIC;
DROP TRIGGER IF EXISTS localshift_note_failed_mv_refresh ON localshift.failed_mv_refreshes;
CREATE TRIGGER localshift_note_failed_mv_refresh INSTEAD OF INSERT ON localshift.failed_mv_refreshes
    FOR EACH ROW EXECUTE FUNCTION localshift.note_failed_mv_refresh();

-- Changes of a view's base tables that its last refresh did not see.
CREATE OR REPLACE VIEW localshift.mv_unseen_changes AS
SELECT r.view_oid, c.relation, c.changed, c.changed_at, c.changed_by
FROM localshift.mv_refreshes r
JOIN localshift.mv_base_changes c ON c.relation = ANY (r.bases)
WHERE NOT localshift.mv_refresh_saw(c.changed, c.changed_by, r.refreshed, r.refreshed_by, r.seen);
REVOKE ALL ON localshift.mv_unseen_changes FROM PUBLIC;

-- A view created or refreshed (``refresh``: by REFRESH MATERIALIZED VIEW) with the snapshot ``seen``:
-- it is fresh as of that snapshot, its base tables note their changes, a view over it has a changed
-- base (when the refresh had anything to do), and a refresh's status is recorded.
CREATE OR REPLACE FUNCTION localshift.note_mv_refreshed(refreshed_view oid, refresh boolean, seen pg_snapshot)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    base oid;
    read record;
    refreshed_now bigint := nextval('localshift.mv_change_numbers');
    news boolean;
    recompute boolean;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = refreshed_view) IS DISTINCT FROM 'm' THEN
        RETURN;
    END IF;
    read := localshift.mv_query_reads(refreshed_view);
    PERFORM localshift.ensure_mv_key(refreshed_view);
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
    -- Whether this refresh saw a change the previous one had not (a view never refreshed, or whose
    -- query calls a mutable function, always has news).
    news := read.mutable OR NOT EXISTS (SELECT FROM localshift.mv_refreshes WHERE view_oid = refreshed_view)
            OR EXISTS (SELECT FROM localshift.mv_unseen_changes u
                       WHERE u.view_oid = refreshed_view
                         AND localshift.mv_refresh_saw(u.changed, u.changed_by, refreshed_now,
                                                       pg_current_xact_id(), seen));
    -- Whether one of those changes made the view's state Recompute (a TRUNCATE: STL_MV_STATE).
    recompute := EXISTS (SELECT FROM localshift.mv_unseen_changes u
                         JOIN localshift.mv_state_history st
                           ON st.view_oid = u.view_oid AND st.base_oid = u.relation
                          AND st.xid = u.changed_by::text::bigint AND st.state = 'Recompute'
                         WHERE u.view_oid = refreshed_view
                           AND localshift.mv_refresh_saw(u.changed, u.changed_by, refreshed_now,
                                                         pg_current_xact_id(), seen));
    INSERT INTO localshift.mv_refreshes AS r (view_oid, refreshed, bases, mutable, incremental, refreshed_by, seen,
                                              shape, unrefreshable)
    VALUES (refreshed_view, refreshed_now, read.bases, read.mutable, read.incremental AND NOT read.mutable,
            pg_current_xact_id(), seen, localshift.mv_base_shape(read.bases), NULL)
    ON CONFLICT (view_oid) DO UPDATE
        SET refreshed = excluded.refreshed, bases = excluded.bases, mutable = excluded.mutable,
            incremental = excluded.incremental, refreshed_by = excluded.refreshed_by, seen = excluded.seen,
            shape = excluded.shape, unrefreshable = NULL;
    IF news THEN
        PERFORM localshift.note_mv_base_change(refreshed_view);
    END IF;
    IF refresh THEN  -- SVL_MV_REFRESH_STATUS's words
        PERFORM localshift.note_mv_refresh_status(refreshed_view, pg_current_xact_id()::text::bigint,
                                                  statement_timestamp() AT TIME ZONE 'UTC',
                                                  CASE WHEN NOT news THEN 'MV was already updated'
                                                       WHEN read.incremental AND NOT read.mutable AND NOT recompute
                                                       THEN 'Refresh successfully updated MV incrementally'
                                                       ELSE 'Refresh successfully recomputed MV from scratch' END);
    END IF;
    -- Changes every view over them saw, once no snapshot in use may miss them (a refresh of this view
    -- that waited for this one's lock, with an older snapshot, records it next).
    DELETE FROM localshift.mv_base_changes c
    WHERE c.relation = ANY (read.bases)
      AND NOT EXISTS (SELECT FROM localshift.mv_refreshes r
                      WHERE c.relation = ANY (r.bases)
                        AND NOT localshift.mv_refresh_saw(c.changed, c.changed_by, r.refreshed, r.refreshed_by,
                                                          r.seen))
      AND (c.changed_by IS NULL
           OR age((c.changed_by::text::numeric % 4294967296)::text::xid)
              > coalesce((SELECT max(age(a.backend_xmin)) FROM pg_stat_activity a), -1));
END $$;
REVOKE ALL ON FUNCTION localshift.note_mv_refreshed(oid, boolean, pg_snapshot) FROM PUBLIC;

-- CREATE and REFRESH MATERIALIZED VIEW.  STABLE: its statements read with the snapshot the command's
-- query read the base tables with (the command's own, which a volatile function would replace by a
-- newer one), so that pg_current_snapshot() is that snapshot.  It reads no table (the new view is not
-- in that snapshot): note_mv_refreshed does the rest, with snapshots of its own.
CREATE OR REPLACE FUNCTION localshift.note_mv_refresh() RETURNS event_trigger
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM localshift.note_mv_refreshed(cmd.objid, tg_tag = 'REFRESH MATERIALIZED VIEW', pg_current_snapshot())
    FROM (SELECT DISTINCT objid FROM pg_event_trigger_ddl_commands()
          WHERE classid = 'pg_class'::regclass AND objsubid = 0) AS cmd;
END $$;

DROP EVENT TRIGGER IF EXISTS localshift_note_mv_refresh;
CREATE EVENT TRIGGER localshift_note_mv_refresh ON ddl_command_end
    WHEN TAG IN ('CREATE MATERIALIZED VIEW', 'REFRESH MATERIALIZED VIEW')
    EXECUTE FUNCTION localshift.note_mv_refresh();
-- A dropped view's or base table's rows are forgotten by the sql_drop trigger (46_event_triggers.sql).

-- Every materialized view's state, for SVV_MV_INFO and STV_MV_INFO (which choose whose views to show).
-- State 1: Redshift refreshes the view incrementally, 0: in full.  Autorewrite: Redshift may answer a query from the
-- view (never when its query calls a mutable function); localshift answers from the base tables,
-- with the same results.
CREATE OR REPLACE VIEW localshift.mv_states AS
SELECT c.oid AS view_oid,
       (CASE WHEN NOT c.relispopulated OR r.mutable OR r.refreshed IS NULL
                  OR EXISTS (SELECT FROM localshift.mv_unseen_changes u WHERE u.view_oid = c.oid)
             THEN 't' ELSE 'f' END)::character(1) AS is_stale,
       coalesce(r.unrefreshable::integer, CASE WHEN r.incremental OR r.incremental IS NULL THEN 1 ELSE 0 END) AS state,
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

-- Refreshes and state transitions as users see them: regular users their own and those of their views
-- (the autorefresh's, which the internal role runs); superusers every row.
CREATE OR REPLACE VIEW localshift.visible_mv_refreshes AS
SELECT h.* FROM localshift.mv_refresh_history h
LEFT JOIN pg_catalog.pg_class c ON c.oid = h.view_oid AND c.relkind = 'm'
WHERE pg_catalog.pg_get_userbyid(h.userid) = current_user OR pg_catalog.pg_get_userbyid(c.relowner) = current_user
   OR localshift.current_user_is_superuser();

CREATE OR REPLACE VIEW localshift.visible_mv_states AS
SELECT h.* FROM localshift.mv_state_history h
LEFT JOIN pg_catalog.pg_class c ON c.oid = h.view_oid AND c.relkind = 'm'
WHERE pg_catalog.pg_get_userbyid(h.userid) = current_user OR pg_catalog.pg_get_userbyid(c.relowner) = current_user
   OR localshift.current_user_is_superuser();
GRANT SELECT ON localshift.visible_mv_refreshes, localshift.visible_mv_states TO PUBLIC;

CREATE OR REPLACE VIEW pg_catalog.svl_mv_refresh_status AS
SELECT current_database()::character(128) AS db_name, userid::bigint AS userid,
       schema_name::character(128) AS schema_name, mv_name::character(128) AS mv_name, xid,
       starttime, endtime, status
FROM localshift.visible_mv_refreshes;

-- SYS_MV_REFRESH_HISTORY: the same refreshes, with their sessions, Manual or Auto, and durations (µs).
CREATE OR REPLACE VIEW pg_catalog.sys_mv_refresh_history AS
SELECT userid::integer AS user_id, coalesce(session_id, 0) AS session_id, xid AS transaction_id,
       current_database()::character(128) AS database_name, schema_name::character(128) AS schema_name,
       view_oid::bigint AS mv_id, mv_name::character(128) AS mv_name,
       coalesce(refresh_type, CASE WHEN pg_catalog.pg_get_userbyid(userid) = 'rdsdb' THEN 'Auto' ELSE 'Manual' END)
           ::character(32) AS refresh_type,
       status, starttime AS start_time, endtime AS end_time,
       (extract(epoch FROM endtime - starttime) * 1000000)::bigint AS duration
FROM localshift.visible_mv_refreshes;

-- STL_MV_STATE: a row per state transition of a view (a TRUNCATE of a base table: Recompute).
CREATE OR REPLACE VIEW pg_catalog.stl_mv_state AS
SELECT userid::bigint AS userid, starttime, xid, event_desc::character(500) AS event_desc,
       current_database()::character(128) AS db_name, base_schema::character(128) AS base_table_schema,
       base_name::character(128) AS base_table_name, mv_schema::character(128) AS mv_schema,
       mv_name::character(128) AS mv_name, state::character(32) AS state
FROM localshift.visible_mv_states;

-- SYS_MV_STATE: the same transitions, with SYS names and the base table's database.
CREATE OR REPLACE VIEW pg_catalog.sys_mv_state AS
SELECT userid::bigint AS user_id, xid AS transaction_id, current_database()::character(128) AS database_name,
       event_desc::character(500) AS event_desc, starttime AS start_time,
       current_database()::character(128) AS base_table_database_name,
       base_schema::character(128) AS base_table_schema, base_name::character(128) AS base_table_name,
       mv_schema::character(128) AS mv_schema, mv_name::character(128) AS mv_name, state::character(32) AS state
FROM localshift.visible_mv_states;
GRANT SELECT ON pg_catalog.svl_mv_refresh_status, pg_catalog.sys_mv_refresh_history, pg_catalog.stl_mv_state,
    pg_catalog.sys_mv_state TO PUBLIC;

-- The autorefresh (dataplane/mv_autorefresh.py, as the internal role): the stale views with AUTO REFRESH
-- YES whose base tables have had no change for ``quiet`` (Redshift refreshes some time after they
-- change, when the cluster has room), and whose last autorefresh did not fail since.  Never a view
-- whose query calls a mutable function (always stale: refreshing it would never end).
CREATE OR REPLACE FUNCTION localshift.mvs_to_autorefresh(quiet interval) RETURNS SETOF oid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT u.view_oid
FROM localshift.mv_unseen_changes u
JOIN localshift.mv_refreshes r ON r.view_oid = u.view_oid AND NOT r.mutable AND r.unrefreshable IS NULL
JOIN localshift.table_attributes ta ON ta.table_oid = u.view_oid AND ta.auto_refresh
GROUP BY u.view_oid
HAVING coalesce(max(u.changed_at), '-infinity') < clock_timestamp() AT TIME ZONE 'UTC' - quiet
   AND NOT EXISTS (SELECT FROM localshift.mv_refresh_history h  -- (a user's failed REFRESH does not count)
                   WHERE h.view_oid = u.view_oid AND h.xid = 0 AND h.refresh_type IS DISTINCT FROM 'Manual'
                     AND h.starttime >= coalesce(max(u.changed_at), '-infinity'))
ORDER BY u.view_oid $$;
REVOKE ALL ON FUNCTION localshift.mvs_to_autorefresh(interval) FROM PUBLIC;

-- Changes kept only to say which views they left stale (the autorefresh runs it, as the internal role, in
-- every round).  A change every snapshot in use sees (its transaction ended before the oldest's xmin) is
-- seen by every later refresh, so what matters of it is which recorded refreshes did not see it: of the
-- changes of a table that leave the same views stale one is kept, the newest (the autorefresh waits for
-- quiet from it), and those that leave none stale go.  Bounds the changes of a table whose views are not
-- refreshed (one is noted per writing transaction).
CREATE OR REPLACE FUNCTION localshift.compact_mv_base_changes() RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
WITH settled AS (
    SELECT c.ctid AS row_id, c.relation, c.changed_at,
           array(SELECT r.view_oid FROM localshift.mv_refreshes r
                 WHERE c.relation = ANY (r.bases)
                   AND NOT localshift.mv_refresh_saw(c.changed, c.changed_by, r.refreshed, r.refreshed_by, r.seen)
                 ORDER BY 1) AS stale_views
    FROM localshift.mv_base_changes c
    WHERE c.changed_by IS NOT NULL
      AND age((c.changed_by::text::numeric % 4294967296)::text::xid)
          > coalesce((SELECT max(age(a.backend_xmin)) FROM pg_stat_activity a), -1)
), ranked AS (
    SELECT row_id, stale_views,
           row_number() OVER (PARTITION BY relation, stale_views ORDER BY changed_at DESC NULLS LAST) AS rank
    FROM settled
)
DELETE FROM localshift.mv_base_changes c USING ranked k
WHERE c.ctid = k.row_id AND (k.stale_views = '{}' OR k.rank > 1) $$;
REVOKE ALL ON FUNCTION localshift.compact_mv_base_changes() FROM PUBLIC;
