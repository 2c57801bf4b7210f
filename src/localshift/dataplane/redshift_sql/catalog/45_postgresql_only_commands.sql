-- Redshift has no triggers, rules, sequences, indexes, user-defined types, domains, operators,
-- casts or aggregates, no extensions, foreign data, publications, policies of PostgreSQL's kind,
-- text search or statistics objects ("Unsupported PostgreSQL features"; its SQL commands have no
-- CREATE or ALTER of these).  Redshift answers such a statement with 0A000
-- SQL command "<the statement>" not supported.
-- ("... not supported on Redshift tables." for CREATE INDEX).  The engine refuses them here,
-- for every role but the internal superuser, so that a DO block, a procedure's EXECUTE or a
-- function body cannot run what the translator would refuse: a user's trigger or rule is code
-- that runs as whoever writes the table, the internal role included.  DROP of these objects is
-- left to PostgreSQL: it only removes what an older localshift let a user create.
--
-- The functions run as the caller (never SECURITY DEFINER: current_user must be the caller's).

-- The command tags refused (PostgreSQL's tags that fire event triggers and Redshift has no
-- statement for).
CREATE OR REPLACE FUNCTION localshift.postgresql_only_commands() RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT ARRAY[
    'CREATE ACCESS METHOD', 'CREATE AGGREGATE', 'ALTER AGGREGATE', 'CREATE CAST',
    'CREATE COLLATION', 'ALTER COLLATION', 'CREATE CONVERSION', 'ALTER CONVERSION',
    'CREATE DOMAIN', 'ALTER DOMAIN', 'CREATE EXTENSION', 'ALTER EXTENSION',
    'CREATE FOREIGN DATA WRAPPER', 'ALTER FOREIGN DATA WRAPPER', 'CREATE FOREIGN TABLE',
    'ALTER FOREIGN TABLE', 'IMPORT FOREIGN SCHEMA', 'CREATE LANGUAGE', 'ALTER LANGUAGE',
    'ALTER LARGE OBJECT', 'CREATE OPERATOR', 'ALTER OPERATOR', 'CREATE OPERATOR CLASS',
    'ALTER OPERATOR CLASS', 'CREATE OPERATOR FAMILY', 'ALTER OPERATOR FAMILY',
    'CREATE POLICY', 'ALTER POLICY', 'CREATE PUBLICATION', 'ALTER PUBLICATION', 'ALTER ROUTINE',
    'CREATE RULE', 'ALTER RULE', 'CREATE SEQUENCE', 'ALTER SEQUENCE', 'CREATE SERVER',
    'ALTER SERVER', 'CREATE STATISTICS', 'ALTER STATISTICS', 'CREATE SUBSCRIPTION',
    'ALTER SUBSCRIPTION', 'CREATE TEXT SEARCH CONFIGURATION', 'ALTER TEXT SEARCH CONFIGURATION',
    'CREATE TEXT SEARCH DICTIONARY', 'ALTER TEXT SEARCH DICTIONARY', 'CREATE TEXT SEARCH PARSER',
    'ALTER TEXT SEARCH PARSER', 'CREATE TEXT SEARCH TEMPLATE', 'ALTER TEXT SEARCH TEMPLATE',
    'CREATE TRANSFORM', 'CREATE TRIGGER', 'ALTER TRIGGER', 'CREATE TYPE', 'ALTER TYPE',
    'CREATE USER MAPPING', 'ALTER USER MAPPING', 'REINDEX', 'SECURITY LABEL']
$$;

CREATE OR REPLACE FUNCTION localshift.refuse_postgresql_only_command(suffix text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'SQL command "%" not supported%', btrim(current_query(), E' \t\r\n'), suffix
        USING ERRCODE = '0A000';
END $$;

-- Whether the session's current role is the internal superuser (its set-up, restores and
-- catalog functions create what they need).
CREATE OR REPLACE FUNCTION localshift.runs_as_internal_role() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
$$;

-- At the start of a refused command (the event trigger's WHEN TAG lists them).
CREATE OR REPLACE FUNCTION localshift.refuse_postgresql_only_commands() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT localshift.runs_as_internal_role() THEN
        PERFORM localshift.refuse_postgresql_only_command('.');
    END IF;
END $$;

-- Table features Redshift has not ("Unsupported PostgreSQL features": table partitioning,
-- CHECK and exclusion constraints, inheritance, generated columns), looked for on a table a CREATE TABLE, ALTER
-- TABLE or CREATE SCHEMA made or changed: the PostgreSQL syntax they need (CHECK, EXCLUDE,
-- PARTITION BY / OF, ATTACH / DETACH PARTITION, INHERITS, INHERIT, GENERATED ALWAYS AS (...),
-- LIKE ... INCLUDING CONSTRAINTS | GENERATED) left them there.  Redshift's parser comes from PostgreSQL 8.0: syntax PostgreSQL
-- added later (partitioning, EXCLUDE, ALTER TABLE INHERIT) is a syntax error at its keyword
-- there; what 8.0 had, Redshift refuses with 0A000 (a CHECK: "ALTER/CREATE TABLE column CHECK
-- constraint is not supported", as clients report it, for a table's CHECK too).  A table an
-- older localshift let have one of these is refused any ALTER TABLE but the one dropping it.
CREATE OR REPLACE FUNCTION localshift.refuse_postgresql_only_table_features(relid oid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    feature text;
    keyword text;
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'c')
            THEN 'check'
        WHEN c.relkind = 'p' OR c.relispartition THEN 'partition|attach|detach'
        WHEN EXISTS (SELECT FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'x')
            THEN 'exclude'
        WHEN EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)
            THEN 'inherits'
        -- a generated column (GENERATED ALWAYS AS (expr) STORED / VIRTUAL): Redshift knows
        -- GENERATED only as GENERATED BY DEFAULT AS IDENTITY (an identity, attidentity here)
        WHEN EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                     AND NOT a.attisdropped AND a.attgenerated <> '')
            THEN 'always'
    END INTO feature
    FROM pg_class c WHERE c.oid = relid AND c.relkind IN ('r', 'p');
    IF feature IS NULL THEN
        RETURN;
    ELSIF feature = 'check' THEN
        RAISE EXCEPTION 'ALTER/CREATE TABLE column CHECK constraint is not supported'
            USING ERRCODE = '0A000';
    ELSIF feature = 'inherits' AND current_query() ~* E'\\minherits\\M' THEN
        RAISE EXCEPTION 'CREATE TABLE INHERITS is not supported' USING ERRCODE = '0A000';
    END IF;
    -- The keyword as the statement spells it (ALTER TABLE INHERIT's is INHERIT).  E'' strings:
    -- the body's literals are read with the session's standard_conforming_strings, off in Redshift.
    keyword := coalesce((regexp_match(current_query(),
                                      E'\\m(' || replace(feature, 'inherits', 'inherit') || E')\\M', 'i'))[1],
                        split_part(feature, '|', 1));
    RAISE EXCEPTION 'syntax error at or near "%"', keyword USING ERRCODE = '42601';
END $$;

-- At the end of CREATE TABLE, ALTER TABLE, CREATE INDEX, ALTER INDEX and CREATE SCHEMA: their
-- subcommands, then the tables' features, are refused by the event trigger of ddl_command_end
-- (46_event_triggers.sql).

DROP EVENT TRIGGER IF EXISTS localshift_refuse_postgresql_only_commands;
DO $$
BEGIN
    EXECUTE format('CREATE EVENT TRIGGER localshift_refuse_postgresql_only_commands ON ddl_command_start '
                   'WHEN TAG IN (%s) EXECUTE FUNCTION localshift.refuse_postgresql_only_commands()',
                   (SELECT string_agg(quote_literal(tag), ', ')
                    FROM unnest(localshift.postgresql_only_commands()) AS tag));
END $$;
