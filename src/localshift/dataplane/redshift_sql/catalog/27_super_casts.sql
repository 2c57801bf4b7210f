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
