-- A cast to SUPER (``x::SUPER``, ``CAST(x AS SUPER)``): the translator makes it a call of
-- localshift."super" (super_casts.py), so that a string becomes a SUPER string, as in Redshift
-- ('abc'::SUPER is "abc", '5'::SUPER is "5", '{"a":1}'::SUPER the string of that text; JSON_PARSE
-- parses).  PostgreSQL's cast of text to jsonb parses JSON text; changing it would change every
-- cast of text to jsonb in the engine, the catalog's own included, so the cast itself stays.
-- The value is the SUPER value it makes as an element of ARRAY(...) is (27_super.sql): a string
-- literal (read as text), a VARCHAR or a CHAR a SUPER string, a number or a boolean the SUPER
-- scalar it makes, a SUPER value itself; a date or a time fails (42804).  Named "super", the
-- function names an unaliased result column as Redshift does; a plain SQL body, it is inlined.
CREATE OR REPLACE FUNCTION localshift."super"(value anyelement) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.super_element(value, 'CAST') $$;
-- (where a string literal goes: a polymorphic argument takes no untyped literal)
CREATE OR REPLACE FUNCTION localshift."super"(value text) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.super_element(value, 'CAST') $$;

-- A cast of SUPER to VARCHAR, TEXT or CHAR (``x::varchar``, an assignment to such a column) gives a
-- string's value ('"abc"' is abc, as Redshift's dynamic typing reads a SUPER string), the text of a
-- number or a boolean (5, true), NULL for a SUPER null; an array or an object gives JSON_SERIALIZE's
-- text (docs/behaviour.md).  PostgreSQL's cast of jsonb to text is jsonb's output (the JSON,
-- quotes and all); these casts of jsonb alone leave every other cast as it was.  Where the
-- catalog needs a value's JSON text it says so (``::json::text``, JSON_SERIALIZE).
CREATE OR REPLACE FUNCTION localshift.super_text(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof(value) IN ('object', 'array') THEN localshift.json_serialize(value)
            ELSE value #>> '{}' END $$;
CREATE OR REPLACE FUNCTION localshift.super_char(value jsonb) RETURNS bpchar
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.super_text(value)::bpchar $$;
DO $$
DECLARE
    target record;
BEGIN
    FOR target IN SELECT * FROM (VALUES ('text', 'super_text'), ('character varying', 'super_text'),
                                        ('bpchar', 'super_char')) AS t(type_name, function_name)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_cast
                       WHERE castsource = 'jsonb'::regtype AND casttarget = target.type_name::regtype) THEN
            EXECUTE format('CREATE CAST (jsonb AS %s) WITH FUNCTION localshift.%I(jsonb) AS ASSIGNMENT',
                           target.type_name, target.function_name);
        END IF;
    END LOOP;
END $$;
