-- Redshift's PRIMARY KEY and UNIQUE constraints are informational: the catalog records and
-- reports them (pg_constraint, information_schema, SHOW CONSTRAINTS, drivers' metadata calls),
-- but loads may hold duplicate keys.  The engine keeps each such constraint with its index,
-- and marks the index non-unique in pg_index (indisunique): inserts then check nothing, and
-- the planner proves nothing from the key (no join removal, no unique-join or GROUP BY
-- shortcuts), so queries over duplicate keys count every row.  REINDEX, VACUUM FULL and
-- TRUNCATE rebuild the index from pg_index: non-unique again.
--
-- Statements that build a key's index (CREATE TABLE, ALTER COLUMN ... TYPE of a key column)
-- build it unique; at their end an event trigger marks every unique key index of the
-- database's user tables non-unique again.  Two statements need a unique index they cannot
-- build over duplicate keys; the translator names what they need in a marker
-- (ddl.references_marker) and an event trigger at the statement's start lends it as unique
-- for the statement: a foreign key (PostgreSQL creates one only over a unique index of the
-- referenced columns) needs the referenced tables' keys; ALTER TABLE ADD PRIMARY KEY / UNIQUE
-- (alter.py: a plain index, then ADD ... USING INDEX, which takes only a unique one) its index.
-- Both triggers run as their owner, the internal superuser; only indexes of PRIMARY KEY and
-- UNIQUE constraints of tables outside the system's and localshift's own schemas are touched
-- (localshift's tables rely on theirs).  Updating a pg_index row invalidates the index's
-- relcache entry: the statement and every other session see the change.

-- The indexes of the PRIMARY KEY and UNIQUE constraints of user tables (of ``tables``; NULL: all).
CREATE OR REPLACE FUNCTION localshift.key_indexes(tables oid[]) RETURNS SETOF oid
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT con.conindid FROM pg_constraint con
    JOIN pg_class rel ON rel.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = rel.relnamespace
    WHERE con.contype IN ('p', 'u') AND con.conindid <> 0
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'localshift')
      AND n.nspname NOT LIKE 'pg_toast%'
      AND (tables IS NULL OR con.conrelid = ANY (tables))
$$;

CREATE OR REPLACE FUNCTION localshift.set_keys_unique(tables oid[], is_unique boolean) RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
    UPDATE pg_index SET indisunique = is_unique
    WHERE indexrelid IN (SELECT localshift.key_indexes(tables)) AND indisunique <> is_unique
$$;
REVOKE ALL ON FUNCTION localshift.key_indexes(oid[]), localshift.set_keys_unique(oid[], boolean) FROM PUBLIC;

-- Plain indexes lent as unique to the statement making them a key's: given back at its end
-- (it may not have: the marker is the caller's text).
CREATE TABLE IF NOT EXISTS localshift.lent_key_indexes (index_oid oid PRIMARY KEY);
REVOKE ALL ON localshift.lent_key_indexes FROM PUBLIC;

-- At the end of CREATE TABLE / ALTER TABLE: every key index informational again (the ones
-- this statement built, and the ones lend_keys lent it).
CREATE OR REPLACE FUNCTION localshift.make_keys_informational() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    WITH lent AS (DELETE FROM localshift.lent_key_indexes RETURNING index_oid)
    UPDATE pg_index SET indisunique = false FROM lent WHERE indexrelid = lent.index_oid;
    PERFORM localshift.set_keys_unique(NULL, false);
END $fn$;

-- At the start of CREATE TABLE / ALTER TABLE with a marker: the referenced tables' key
-- indexes, or the plain index of a table the caller owns, unique for the statement.  The
-- marker's names resolve on the caller's search path; everything else runs on pg_catalog's
-- (the function runs as its owner: no operator or function of the caller's schemas may run).
CREATE OR REPLACE FUNCTION localshift.lend_keys() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
    caller_path text := pg_catalog.current_setting('search_path');
    query text := pg_catalog.current_query();
    names text[];
    key_index text[];
    referenced oid[];
    key_table oid;
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF query IS NULL OR strpos(query, '/*localshift:references[') = 0
                        AND strpos(query, '/*localshift:key_index[') = 0 THEN
        PERFORM pg_catalog.set_config('search_path', caller_path, true);
        RETURN;
    END IF;
    names := ARRAY(SELECT jsonb_array_elements_text(marker[1]::jsonb)
                   FROM regexp_matches(query, '/[*]localshift:references([[].*?[]])[*]/', 'g') AS marker);
    key_index := ARRAY(SELECT jsonb_array_elements_text(marker[1]::jsonb)
                       FROM regexp_matches(query, '/[*]localshift:key_index([[].*?[]])[*]/') AS marker);
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
    referenced := ARRAY(SELECT pg_catalog.to_regclass(name) FROM pg_catalog.unnest(names) AS name);
    key_table := pg_catalog.to_regclass(key_index[1]);
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    PERFORM localshift.set_keys_unique(referenced, true);
    WITH lent AS (
        INSERT INTO localshift.lent_key_indexes
        SELECT i.indexrelid FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
        WHERE i.indrelid = key_table AND ic.relname = key_index[2] AND NOT i.indisunique
          AND pg_has_role(session_user, tc.relowner, 'USAGE')
          AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = i.indexrelid)
        RETURNING index_oid)
    UPDATE pg_index SET indisunique = true FROM lent WHERE indexrelid = lent.index_oid;
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $fn$;

DROP EVENT TRIGGER IF EXISTS localshift_lend_keys;
CREATE EVENT TRIGGER localshift_lend_keys ON ddl_command_start
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION localshift.lend_keys();
DROP EVENT TRIGGER IF EXISTS localshift_make_keys_informational;
CREATE EVENT TRIGGER localshift_make_keys_informational ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION localshift.make_keys_informational();

-- Tables created before keys were informational.
SELECT localshift.set_keys_unique(NULL, false);
