-- A string literal put into a SUPER column (``INSERT INTO t (s) VALUES ('abc')``, ``UPDATE t SET s =
-- '{"a":1}'``) is a SUPER string in Redshift ("Using JSON_PARSE to insert data into SUPER columns":
-- without JSON_PARSE, "Amazon Redshift treats the value as a single string"); the engine reads an
-- untyped literal with the column type's input function, jsonb's parsing JSON text ('abc' failed).
-- The translator does not know a column's type: it types each bare string literal of an INSERT's
-- VALUES rows and of an UPDATE's SET items as localshift.string_literal (string_literals.py), a type
-- stored as TEXT is (TEXT's own C input and output functions) with an assignment cast to every type
-- of pg_catalog (and array of one): to jsonb the SUPER string of the text, to the others through the type's input
-- function (WITH INOUT), as the untyped literal was read, so '5' into an INTEGER, '2024-01-01' into
-- a DATE, 'abc' into a VARCHAR(2) (its error) are what they were.  Assignment casts play no part in
-- choosing functions or operators.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_type WHERE typname = 'string_literal' AND typnamespace = 'localshift'::regnamespace) THEN
        CREATE TYPE localshift.string_literal;
        CREATE FUNCTION localshift.string_literal_in(cstring) RETURNS localshift.string_literal
        LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textin';
        CREATE FUNCTION localshift.string_literal_out(localshift.string_literal) RETURNS cstring
        LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textout';
        CREATE TYPE localshift.string_literal (INPUT = localshift.string_literal_in,
                                               OUTPUT = localshift.string_literal_out, LIKE = text);
    END IF;
END $$;
CREATE OR REPLACE FUNCTION localshift.string_literal_super(localshift.string_literal) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.to_jsonb($1::pg_catalog.text) $$;
DO $$
DECLARE
    target regtype;
BEGIN
    FOR target IN SELECT t.oid FROM pg_type t
                  WHERE t.typtype = 'b' AND t.typisdefined AND t.typnamespace = 'pg_catalog'::regnamespace
                    AND t.oid <> 'jsonb'::regtype AND t.typname NOT IN ('unknown', 'cstring')
                    -- (arrays of base types only: a view's row type is dropped with the view)
                    AND NOT EXISTS (SELECT FROM pg_type e WHERE e.oid = t.typelem AND e.typtype <> 'b')
                    AND NOT EXISTS (SELECT FROM pg_cast c WHERE c.castsource = 'localshift.string_literal'::regtype
                                                             AND c.casttarget = t.oid) LOOP
        EXECUTE format('CREATE CAST (localshift.string_literal AS %s) WITH INOUT AS ASSIGNMENT', target);
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_cast WHERE castsource = 'localshift.string_literal'::regtype
                                         AND casttarget = 'jsonb'::regtype) THEN
        CREATE CAST (localshift.string_literal AS jsonb) WITH FUNCTION localshift.string_literal_super(localshift.string_literal)
        AS ASSIGNMENT;
    END IF;
END $$;
