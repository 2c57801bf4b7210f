-- localshift's own schema: what the translator targets and what the Redshift
-- views read.  Applied by install.py as the internal superuser, in every
-- database (template1 included, so CREATE DATABASE copies it).  Everything here
-- is idempotent.  No backslashes: engines run with standard_conforming_strings
-- off (Redshift's string syntax) and this file must read the same either way.

CREATE SCHEMA IF NOT EXISTS localshift;
GRANT USAGE ON SCHEMA localshift TO PUBLIC;

-- Redshift DDL attributes (DISTSTYLE, DISTKEY, SORTKEY, BACKUP, IDENTITY, ENCODE).
-- A table without a row has Redshift's defaults (the views compute them).
CREATE TABLE IF NOT EXISTS localshift.table_attributes (
    table_oid oid PRIMARY KEY,
    diststyle text,            -- AUTO | EVEN | KEY | ALL
    distkey text,              -- column name when diststyle = KEY
    sortkey text[],            -- column names, in key order
    sortkey_type text,         -- compound | interleaved | auto
    backup boolean,
    identity_columns jsonb     -- {"col": {"seed": 1, "step": 1, "generated": "always"}}
);
-- Materialized views only: AUTO REFRESH, and the CREATE statement as written (their definition in
-- PG_VIEWS and INFORMATION_SCHEMA.VIEWS, as Redshift shows it).
ALTER TABLE localshift.table_attributes ADD COLUMN IF NOT EXISTS auto_refresh boolean,
                                        ADD COLUMN IF NOT EXISTS definition text;
CREATE TABLE IF NOT EXISTS localshift.column_attributes (
    table_oid oid,
    attnum smallint,
    encoding text,             -- raw | az64 | bytedict | delta | ... | zstd
    PRIMARY KEY (table_oid, attnum)
);
GRANT SELECT ON localshift.table_attributes, localshift.column_attributes TO PUBLIC;

-- Statements run through a cluster's SQL endpoint, written by the wire front's
-- query recorder (off the hot path, in batches).  The newest rows are kept.
CREATE TABLE IF NOT EXISTS localshift.query_history (
    query_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid integer NOT NULL,            -- the engine backend that ran it
    user_name name NOT NULL,
    database_name name NOT NULL,
    query_text text NOT NULL,        -- as the client sent it (before translation)
    start_time timestamp NOT NULL,   -- UTC
    end_time timestamp NOT NULL,     -- UTC
    status text NOT NULL,            -- success | failed
    command_tag text,                -- e.g. 'INSERT 0 5'; NULL when failed
    row_count bigint,                -- rows from the command tag
    error_code text,                 -- SQLSTATE when failed
    error_message text
);
REVOKE ALL ON localshift.query_history FROM PUBLIC;
-- pg_last_query_id(): a session's newest statement.
CREATE INDEX IF NOT EXISTS query_history_by_session ON localshift.query_history (pid, query_id);

-- What the procedures of a CALL raised (RAISE INFO / NOTICE / WARNING / EXCEPTION), written by the
-- same recorder with the CALL's query id (SVL_STORED_PROC_MESSAGES, SYS_PROCEDURE_MESSAGES).
CREATE TABLE IF NOT EXISTS localshift.procedure_messages (
    query_id bigint NOT NULL,        -- the CALL's (localshift.query_history)
    pid integer NOT NULL,
    user_name name NOT NULL,
    record_time timestamp NOT NULL,  -- UTC
    log_level text NOT NULL,         -- LOG | INFO | NOTICE | WARNING | EXCEPTION
    message text NOT NULL,
    line_number integer NOT NULL
);
REVOKE ALL ON localshift.procedure_messages FROM PUBLIC;
CREATE INDEX IF NOT EXISTS procedure_messages_by_query ON localshift.procedure_messages (query_id);

-- Sessions' connections as the wire front saw them, written by the same recorder (STL_CONNECTION_LOG).
CREATE TABLE IF NOT EXISTS localshift.connection_log (
    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event text NOT NULL,             -- initiating session | authenticated | disconnecting session
    recordtime timestamp NOT NULL,   -- UTC
    remotehost text NOT NULL,
    remoteport text NOT NULL,
    pid integer NOT NULL,
    dbname name NOT NULL,
    username name NOT NULL,
    duration bigint NOT NULL,        -- microseconds connected (disconnecting session)
    sslversion text NOT NULL,        -- '' without TLS
    sslcipher text NOT NULL,
    application_name text NOT NULL
);
REVOKE ALL ON localshift.connection_log FROM PUBLIC;

-- The error a refused statement raises (errors.error_statement).  Extra
-- arguments are the original statement's parameters, so a Bind still matches.
CREATE OR REPLACE FUNCTION localshift.raise_error(sqlstate text, message text, detail text,
                                                  VARIADIC parameters text[] DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF COALESCE(detail, '') = '' THEN
        RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
    END IF;
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, DETAIL = detail;
END
$fn$;

-- ---------------------------------------------------------------------------
-- Recording DDL attributes.  The translator appends a marker comment
--   /*localshift:{"schema": ..., "name": ..., "diststyle": ..., ...}*/
-- to the DDL it rewrites; this event trigger reads it from current_query()
-- (the whole client statement, in both wire protocols).  The trigger function
-- runs as the user (it resolves names on the user's search_path); the store
-- function runs as the owner and accepts only relations the current command
-- created or altered.

-- A key column as the translator recorded it: its name, or (CREATE TABLE AS) its position, made the
-- name of the table's column at that position.
CREATE OR REPLACE FUNCTION localshift.column_at_position(rel oid, key jsonb) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT CASE WHEN jsonb_typeof(key) <> 'number' THEN key
                ELSE coalesce((SELECT to_jsonb(attname::text) FROM pg_attribute
                               WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped
                               ORDER BY attnum OFFSET (key::text)::integer - 1 LIMIT 1),
                              to_jsonb(key::text)) END
$fn$;

CREATE OR REPLACE FUNCTION localshift.store_table_attributes(rel oid, attrs jsonb, parent oid)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    col text;
    num smallint;
    keys text[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() c
                   WHERE c.classid = 'pg_class'::regclass AND c.objid = rel) THEN
        RAISE EXCEPTION 'localshift.store_table_attributes: % was not changed by this command', rel
            USING ERRCODE = '42501';
    END IF;
    IF attrs ? 'rename_column' THEN
        -- ALTER TABLE ... RENAME COLUMN: the distribution key, sort key and identity
        -- columns are recorded by name.
        UPDATE localshift.table_attributes SET
            distkey = CASE WHEN distkey = attrs->'rename_column'->>0 THEN attrs->'rename_column'->>1
                           ELSE distkey END,
            sortkey = array_replace(sortkey, attrs->'rename_column'->>0, attrs->'rename_column'->>1),
            identity_columns = CASE WHEN identity_columns ? (attrs->'rename_column'->>0)
                THEN identity_columns - (attrs->'rename_column'->>0)
                     || jsonb_build_object(attrs->'rename_column'->>1,
                                           identity_columns->(attrs->'rename_column'->>0))
                ELSE identity_columns END
        WHERE table_oid = rel;
        RETURN;
    END IF;
    IF parent IS NOT NULL THEN
        -- CREATE TABLE ... (LIKE parent): Redshift copies distribution, sort keys
        -- and encodings of the parent.
        INSERT INTO localshift.table_attributes
            SELECT rel, p.diststyle, p.distkey, p.sortkey, p.sortkey_type, p.backup
            FROM localshift.table_attributes p WHERE p.table_oid = parent
            ON CONFLICT (table_oid) DO NOTHING;
        INSERT INTO localshift.column_attributes
            SELECT rel, a.attnum, c.encoding
            FROM localshift.column_attributes c
            JOIN pg_attribute pa ON pa.attrelid = parent AND pa.attnum = c.attnum
            JOIN pg_attribute a ON a.attrelid = rel AND a.attname = pa.attname AND NOT a.attisdropped
            WHERE c.table_oid = parent
            ON CONFLICT DO NOTHING;
    END IF;
    -- CREATE TABLE AS ... DISTKEY (1) SORTKEY (1, 3): a key column named by its position in the
    -- query's select list, the table's column of that number (a position past the last one stays a
    -- number, which no column is named).
    IF jsonb_typeof(attrs->'distkey') = 'number' THEN
        attrs := jsonb_set(attrs, '{distkey}', localshift.column_at_position(rel, attrs->'distkey'));
    END IF;
    IF jsonb_typeof(attrs->'sortkey') = 'array' THEN
        attrs := jsonb_set(attrs, '{sortkey}', (
            SELECT coalesce(jsonb_agg(localshift.column_at_position(rel, e) ORDER BY o), '[]')
            FROM jsonb_array_elements(attrs->'sortkey') WITH ORDINALITY AS k(e, o)));
    END IF;
    FOR col IN SELECT jsonb_array_elements_text(COALESCE(attrs->'sortkey', '[]'))
                UNION ALL SELECT attrs->>'distkey' WHERE attrs->>'distkey' IS NOT NULL LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = col
                       AND attnum > 0 AND NOT attisdropped) THEN
            RAISE EXCEPTION 'column "%" does not exist', col USING ERRCODE = '42703';
        END IF;
    END LOOP;
    IF attrs->'sortkey' IS NOT NULL AND jsonb_typeof(attrs->'sortkey') = 'array' THEN
        keys := ARRAY(SELECT jsonb_array_elements_text(attrs->'sortkey'));
    END IF;
    INSERT INTO localshift.table_attributes AS t
        (table_oid, diststyle, distkey, sortkey, sortkey_type, backup, identity_columns, auto_refresh, definition)
    VALUES (rel, attrs->>'diststyle', attrs->>'distkey', keys, attrs->>'sortkey_type',
            (attrs->>'backup')::boolean, attrs->'identity', (attrs->>'auto_refresh')::boolean,
            attrs->>'definition')
    ON CONFLICT (table_oid) DO UPDATE SET
        diststyle = CASE WHEN attrs ? 'diststyle' THEN EXCLUDED.diststyle ELSE t.diststyle END,
        distkey = CASE WHEN attrs ? 'distkey' OR attrs ? 'diststyle' THEN EXCLUDED.distkey
                       ELSE t.distkey END,
        sortkey = CASE WHEN attrs ? 'sortkey_type' THEN EXCLUDED.sortkey ELSE t.sortkey END,
        sortkey_type = CASE WHEN attrs ? 'sortkey_type' THEN EXCLUDED.sortkey_type
                            ELSE t.sortkey_type END,
        backup = CASE WHEN attrs ? 'backup' THEN EXCLUDED.backup ELSE t.backup END,
        identity_columns = CASE WHEN attrs ? 'identity' THEN EXCLUDED.identity_columns
                                ELSE t.identity_columns END,
        auto_refresh = CASE WHEN attrs ? 'auto_refresh' THEN EXCLUDED.auto_refresh ELSE t.auto_refresh END,
        definition = CASE WHEN attrs ? 'definition' THEN EXCLUDED.definition ELSE t.definition END;
    FOR col IN SELECT jsonb_object_keys(COALESCE(attrs->'encode', '{}')) LOOP
        SELECT attnum INTO num FROM pg_attribute
            WHERE attrelid = rel AND attname = col AND attnum > 0 AND NOT attisdropped;
        IF num IS NULL THEN
            RAISE EXCEPTION 'column "%" does not exist', col USING ERRCODE = '42703';
        END IF;
        INSERT INTO localshift.column_attributes VALUES (rel, num, attrs->'encode'->>col)
            ON CONFLICT (table_oid, attnum) DO UPDATE SET encoding = EXCLUDED.encoding;
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION localshift.store_table_attributes(oid, jsonb, oid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.store_table_attributes(oid, jsonb, oid) TO PUBLIC;

-- Rows of a relation this command (re)created are stale: its oid may be one a
-- temporary table used before (temporary tables dropped at session end fire no
-- sql_drop trigger).
CREATE OR REPLACE FUNCTION localshift.forget_created_relations()
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    DELETE FROM localshift.table_attributes WHERE table_oid IN (
        SELECT objid FROM pg_event_trigger_ddl_commands()
        WHERE classid = 'pg_class'::regclass AND command_tag IN
              ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE MATERIALIZED VIEW'));
    DELETE FROM localshift.column_attributes WHERE table_oid IN (
        SELECT objid FROM pg_event_trigger_ddl_commands()
        WHERE classid = 'pg_class'::regclass AND command_tag IN
              ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE MATERIALIZED VIEW'));
END
$fn$;

-- The event triggers storing and forgetting them: 46_event_triggers.sql.
