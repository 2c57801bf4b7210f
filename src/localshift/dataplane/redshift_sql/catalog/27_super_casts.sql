-- A cast to SUPER (``x::SUPER``, ``CAST(x AS SUPER)``): the translator makes it a call of
-- localshift."super" (super_casts.py), so that a string becomes a SUPER string, as in Redshift
-- ('abc'::SUPER is "abc", '5'::SUPER is "5", '{"a":1}'::SUPER the string of that text; JSON_PARSE
-- parses).  PostgreSQL's cast of text to jsonb parses JSON text; changing it would change every
-- cast of text to jsonb in the engine, the catalog's own included, so the cast itself stays.
-- A string literal, a VARCHAR and a CHAR go to the text overload; a number or a boolean is the
-- SUPER scalar it makes, a SUPER value itself.  Named "super", the function names an unaliased
-- result column as Redshift does.  Plain SQL bodies: the planner inlines them.
CREATE OR REPLACE FUNCTION localshift."super"(text) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.to_jsonb($1) $$;
CREATE OR REPLACE FUNCTION localshift."super"(jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 $$;
DO $$
DECLARE
    source text;
BEGIN
    FOREACH source IN ARRAY ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'boolean']
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift."super"(%s) RETURNS jsonb '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$ SELECT pg_catalog.to_jsonb($1) $body$',
                       source);
    END LOOP;
END $$;
-- Any other type: what casts to jsonb (json) does; a type Redshift makes no SUPER of (a date, a
-- time, VARBYTE) fails with 42846, naming it as PostgreSQL's cast would but with SUPER.
CREATE OR REPLACE FUNCTION localshift."super"(value anyelement) RETURNS jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog AS $$
BEGIN
    RETURN value::jsonb;
EXCEPTION WHEN cannot_coerce THEN
    RAISE EXCEPTION 'cannot cast type % to super', pg_typeof(value) USING ERRCODE = 'cannot_coerce';
END $$;
