-- Stand-in for the translator's 00_localshift.sql / 10_translation.sql (same
-- definitions, docs/sql.md "internals"): the localshift schema, the tables the
-- translator and the wire front fill, and the default encodings.  Removed when
-- the translator's files are merged.
CREATE SCHEMA IF NOT EXISTS localshift;
GRANT USAGE ON SCHEMA localshift TO PUBLIC;

CREATE TABLE IF NOT EXISTS localshift.table_attributes (
    table_oid oid PRIMARY KEY,
    diststyle text,            -- AUTO | EVEN | KEY | ALL
    distkey text,              -- column name when diststyle = KEY
    sortkey text[],            -- column names, in key order
    sortkey_type text,         -- compound | interleaved | auto
    backup boolean,
    identity_columns jsonb
);
CREATE TABLE IF NOT EXISTS localshift.column_attributes (
    table_oid oid,
    attnum smallint,
    encoding text,             -- raw | az64 | bytedict | delta | ... | zstd
    PRIMARY KEY (table_oid, attnum)
);
GRANT SELECT ON localshift.table_attributes, localshift.column_attributes TO PUBLIC;

CREATE TABLE IF NOT EXISTS localshift.query_history (
    query_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid integer NOT NULL,
    user_name name NOT NULL,
    database_name name NOT NULL,
    query_text text NOT NULL,
    start_time timestamp NOT NULL,
    end_time timestamp NOT NULL,
    status text NOT NULL,            -- success | failed
    command_tag text,
    row_count bigint,
    error_code text,
    error_message text
);
REVOKE ALL ON localshift.query_history FROM PUBLIC;

CREATE OR REPLACE FUNCTION localshift.default_encoding(type_oid oid, is_sortkey boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE
        WHEN is_sortkey THEN 'raw'
        WHEN type_oid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
                          'date'::regtype, 'time'::regtype, 'timetz'::regtype,
                          'timestamp'::regtype, 'timestamptz'::regtype) THEN 'az64'
        WHEN type_oid IN ('bpchar'::regtype, 'varchar'::regtype, 'text'::regtype,
                          'bytea'::regtype, 'name'::regtype) THEN 'lzo'
        ELSE 'raw'
    END
$fn$;
