-- Redshift's PRIMARY KEY and UNIQUE constraints are informational: the catalog records and
-- reports them (pg_constraint, information_schema, SHOW CONSTRAINTS, drivers' metadata calls),
-- but loads may hold duplicate keys.  The engine keeps each such constraint with its index,
-- and marks the index non-unique in pg_index (indisunique): inserts then check nothing, and
-- the planner proves nothing from the key (no join removal, no unique-join or GROUP BY
-- shortcuts), so queries over duplicate keys count every row.  REINDEX, VACUUM FULL and
-- TRUNCATE rebuild the index from pg_index: non-unique again.
--
-- Statements that build a key's index (CREATE TABLE, ALTER COLUMN ... TYPE of a key column)
-- build it unique; at their end an event trigger marks the key indexes of the tables they
-- created or altered non-unique again.  Two statements need a unique index they cannot
-- build over duplicate keys; the translator names what they need in a marker
-- (ddl.lending_marker) and an event trigger at the statement's start lends it as unique
-- for the statement: a foreign key (PostgreSQL creates one only over a unique index of the
-- referenced columns) needs the referenced tables' keys; ALTER TABLE ADD PRIMARY KEY / UNIQUE
-- (alter.py: a plain index, then ADD ... USING INDEX, which takes only a unique one) its index.
-- Both triggers run as their owner, the internal superuser.  Updating a pg_index row
-- invalidates the index's relcache entry: the statement and every other session see the change.

-- Keys of the system's and localshift's own tables stay unique (localshift's writes rely on theirs).
CREATE OR REPLACE FUNCTION localshift.is_user_table(rel oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT n.nspname NOT IN ('pg_catalog', 'information_schema', 'localshift') AND n.nspname NOT LIKE 'pg_toast%'
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel
$$;

-- The PRIMARY KEY and UNIQUE constraints of ``tables`` informational (their indexes non-unique).
CREATE OR REPLACE FUNCTION localshift.make_keys_informational(tables oid[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
    UPDATE pg_index i SET indisunique = false FROM pg_constraint con
    WHERE con.conrelid = ANY (tables) AND con.contype IN ('p', 'u') AND i.indexrelid = con.conindid
      AND i.indisunique AND localshift.is_user_table(con.conrelid)
$$;
REVOKE ALL ON FUNCTION localshift.make_keys_informational(oid[]) FROM PUBLIC;

-- Indexes lent as unique to the statement running: given back at its end.  Redshift superusers
-- may write here (pg_write_all_data): only user tables' indexes are given back.
CREATE TABLE IF NOT EXISTS localshift.lent_key_indexes (index_oid oid PRIMARY KEY);
REVOKE ALL ON localshift.lent_key_indexes FROM PUBLIC;

-- At the end of CREATE TABLE / ALTER TABLE, localshift.note_creation (40_events.sql) gives back the
-- indexes lent to the statement and makes the keys of the tables it created or altered (whose indexes
-- it may have built) informational.

-- At the start of CREATE TABLE / ALTER TABLE with a marker: the key indexes of referenced tables
-- the caller may reference (the REFERENCES privilege a foreign key needs), or the plain index of
-- a table the caller owns, unique for the statement.  The marker is found in the statement's text,
-- where a user's string literal can hold one too ('/*localshift:references["t"]*/'): what it names
-- is checked as the caller's, never trusted.  The marker's names resolve on the caller's search
-- path; everything else runs on pg_catalog's (the function runs as its owner: no operator or
-- function of the caller's schemas may run).
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
    names := ARRAY(SELECT jsonb_array_elements_text(marker[1]::json::jsonb)
                   FROM regexp_matches(query, '/[*]localshift:references([[].*?[]])[*]/', 'g') AS marker);
    key_index := ARRAY(SELECT jsonb_array_elements_text(marker[1]::json::jsonb)
                       FROM regexp_matches(query, '/[*]localshift:key_index([[].*?[]])[*]/') AS marker);
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
    referenced := ARRAY(SELECT pg_catalog.to_regclass(name) FROM pg_catalog.unnest(names) AS name);
    key_table := pg_catalog.to_regclass(key_index[1]);
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    WITH lent AS (
        INSERT INTO localshift.lent_key_indexes
        SELECT con.conindid FROM pg_constraint con JOIN pg_index i ON i.indexrelid = con.conindid
        WHERE con.conrelid = ANY (referenced) AND con.contype IN ('p', 'u') AND NOT i.indisunique
          AND localshift.is_user_table(con.conrelid)
          AND has_table_privilege(session_user, con.conrelid, 'REFERENCES')
        UNION
        SELECT i.indexrelid FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
        WHERE i.indrelid = key_table AND ic.relname = key_index[2] AND NOT i.indisunique
          AND pg_has_role(session_user, tc.relowner, 'USAGE')
          AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = i.indexrelid)
        ON CONFLICT DO NOTHING
        RETURNING index_oid)
    UPDATE pg_index SET indisunique = true FROM lent WHERE indexrelid = lent.index_oid;
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $fn$;

DROP EVENT TRIGGER IF EXISTS localshift_lend_keys;
CREATE EVENT TRIGGER localshift_lend_keys ON ddl_command_start
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION localshift.lend_keys();

-- Tables created before keys were informational.
SELECT localshift.make_keys_informational(ARRAY(SELECT conrelid FROM pg_catalog.pg_constraint
                                                WHERE contype IN ('p', 'u')));
