-- The localshift schema and the tables the translator fills (docs/sql.md, internals).
CREATE SCHEMA IF NOT EXISTS localshift;
GRANT USAGE ON SCHEMA localshift TO PUBLIC;

-- Redshift DDL attributes PostgreSQL has no place for.
CREATE TABLE IF NOT EXISTS localshift.table_attributes (
    table_oid oid PRIMARY KEY,
    diststyle text,             -- AUTO | EVEN | KEY | ALL
    distkey text,               -- column name when diststyle is KEY
    sortkey text[],             -- sort key columns, in order
    sortkey_type text,          -- compound | interleaved | auto
    backup boolean,
    identity_columns jsonb
);
CREATE TABLE IF NOT EXISTS localshift.column_attributes (
    table_oid oid,
    attnum smallint,
    encoding text,
    PRIMARY KEY (table_oid, attnum)
);

-- Statements run on the cluster, written by the wire front's recorder.
CREATE TABLE IF NOT EXISTS localshift.query_history (
    query_id bigserial PRIMARY KEY,
    pid integer,
    userid integer,
    database text,
    query_text text,
    starttime timestamp,
    endtime timestamp,
    status text,
    rows bigint,
    label text
);
