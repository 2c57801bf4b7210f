-- CREATE OPERATOR has no OR REPLACE: an operator of pg_catalog made once, over a function of ours.
CREATE OR REPLACE FUNCTION localshift.create_operator_once(name text, left_type regtype, right_type regtype,
                                                           func text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_operator WHERE oprname = name AND oprleft = left_type AND oprright = right_type) THEN
        EXECUTE format('CREATE OPERATOR pg_catalog.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = localshift.%s)',
                       name, left_type, right_type, func);
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.create_operator_once(text, regtype, regtype, text) FROM PUBLIC;

-- Comparisons Redshift allows between types PostgreSQL keeps apart: a date, a
-- timestamp or a number matched against a string pattern (saletime LIKE
-- '2008-09%') is matched as its text.  (Blanket implicit casts to text, as
-- PostgreSQL 8.0 had, would make "'a' || 1.5" ambiguous: only these operators
-- are added.)
DO $$
DECLARE
    source regtype;
    operator record;
BEGIN
    FOREACH source IN ARRAY ARRAY['date', 'timestamp', 'timestamptz', 'smallint', 'integer', 'bigint',
                                  'numeric']::regtype[] LOOP
        FOR operator IN SELECT * FROM (VALUES ('~~', 'text_like', 'LIKE'), ('!~~', 'text_not_like', 'NOT LIKE'),
                                              ('~~*', 'text_ilike', 'ILIKE'),
                                              ('!~~*', 'text_not_ilike', 'NOT ILIKE')) AS o(name, func, keyword)
        LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%s(%s, text) RETURNS boolean LANGUAGE sql '
                           'STABLE STRICT PARALLEL SAFE AS $body$ SELECT $1::text %s $2 $body$',
                           operator.func, source, operator.keyword);
            PERFORM localshift.create_operator_once(operator.name, source, 'text', operator.func);
        END LOOP;
    END LOOP;
END $$;

-- A string compared with an OID (SPLIT_PART(key, '_', 5) = c.oid, as AWS's admin views write
-- it): Redshift, as PostgreSQL 8.0, reads the OID as its text, so the two compare as strings.
CREATE OR REPLACE FUNCTION localshift.text_eq_oid(text, oid) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 OPERATOR(pg_catalog.=) $2::pg_catalog.text $$;
CREATE OR REPLACE FUNCTION localshift.oid_eq_text(oid, text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::pg_catalog.text OPERATOR(pg_catalog.=) $2 $$;
SELECT localshift.create_operator_once('=', 'text', 'oid', 'text_eq_oid');
SELECT localshift.create_operator_once('=', 'oid', 'text', 'oid_eq_text');

-- PostgreSQL arrays under brackets: the translator reads ``x[n]`` as PartiQL navigation into a
-- SUPER value (``x -> n``), as it cannot know x's type.  Redshift has no array columns, so on a
-- PostgreSQL array ``x[n]`` keeps PostgreSQL's meaning (subscripts from 1) through these
-- operators; a slice ``x[m:n]`` the translator leaves alone.
CREATE OR REPLACE FUNCTION localshift.array_element(anyarray, integer) RETURNS anyelement
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1[$2] $$;
CREATE OR REPLACE FUNCTION localshift.array_element_text(anyarray, integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1[$2]::text $$;
DO $$
DECLARE operator record;
BEGIN
    FOR operator IN SELECT * FROM (VALUES ('->', 'array_element'), ('->>', 'array_element_text')) AS o(name, func)
    LOOP
        PERFORM localshift.create_operator_once(operator.name, 'anyarray', 'integer', operator.func);
    END LOOP;
END $$;

-- An element of a PostgreSQL array compared with a literal (``tags[2] = 'x'``): the translator
-- compares navigation with a literal as SUPER compares (``(tags -> 2) = to_jsonb('x'::text)``),
-- so a scalar element meets a jsonb there.  It is compared as the SUPER value it would be
-- (to_jsonb(element)): a string equals only a string, a number only a number.  One operator per
-- element type, so that an integer is not read as a float.
DO $$
DECLARE
    source regtype;
    operator record;
BEGIN
    FOREACH source IN ARRAY ARRAY['text', 'smallint', 'integer', 'bigint', 'numeric', 'real',
                                  'double precision', 'boolean']::regtype[] LOOP
        FOR operator IN SELECT * FROM (VALUES ('=', 'eq'), ('<>', 'ne'), ('<', 'lt'), ('>', 'gt'), ('<=', 'le'),
                                              ('>=', 'ge')) AS o(name, suffix)
        LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.scalar_super_%s(%s, jsonb) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$ SELECT to_jsonb($1) %s $2 $body$',
                           operator.suffix, source, operator.name);
            PERFORM localshift.create_operator_once(operator.name, source, 'jsonb',
                                                    'scalar_super_' || operator.suffix);
        END LOOP;
    END LOOP;
END $$;

-- SUPER's binary +: numbers add, strings concatenate, anything else gives NULL; the result is
-- SUPER (``data.age + 5``, ``data.first + ' ' + data.last``).  Only +: PostgreSQL's jsonb - integer
-- already deletes an array element, so SUPER's other arithmetic is not emulated.
CREATE OR REPLACE FUNCTION localshift.super_plus(jsonb, jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE
    WHEN jsonb_typeof($1) = 'number' AND jsonb_typeof($2) = 'number'
        THEN to_jsonb(($1 #>> '{}')::numeric + ($2 #>> '{}')::numeric)
    WHEN jsonb_typeof($1) = 'string' AND jsonb_typeof($2) = 'string'
        THEN to_jsonb(($1 #>> '{}') || ($2 #>> '{}'))
END $$;
-- The other operand as the SUPER value it makes: numbers, and strings (a literal is VARCHAR).
DO $$
DECLARE
    other regtype;
BEGIN
    FOREACH other IN ARRAY ARRAY['numeric', 'double precision', 'text']::regtype[] LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.super_plus(jsonb, %1$s) RETURNS jsonb LANGUAGE sql '
                       'IMMUTABLE STRICT PARALLEL SAFE AS $body$ SELECT localshift.super_plus($1, to_jsonb($2)) $body$;'
                       'CREATE OR REPLACE FUNCTION localshift.super_plus(%1$s, jsonb) RETURNS jsonb LANGUAGE sql '
                       'IMMUTABLE STRICT PARALLEL SAFE AS $body$ SELECT localshift.super_plus(to_jsonb($1), $2) $body$',
                       other);
        PERFORM localshift.create_operator_once('+', 'jsonb', other, 'super_plus');
        PERFORM localshift.create_operator_once('+', other, 'jsonb', 'super_plus');
    END LOOP;
END $$;
-- SUPER + SUPER (and SUPER + any other type) through jsonb + anyelement, not jsonb + jsonb:
-- PostgreSQL reads an untyped literal beside a jsonb as a jsonb when a jsonb + jsonb operator
-- exists, so ``data + 'x'`` parsed 'x' as JSON (22P02); without it the literal goes to
-- jsonb + text, a VARCHAR as Redshift reads it.  Databases installed before had jsonb + jsonb: it
-- goes, unless a view uses it (then it stays, and so does the literal's old reading there).
CREATE OR REPLACE FUNCTION localshift.super_plus(jsonb, anyelement) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.super_plus($1, to_jsonb($2)) $$;
DO $$
BEGIN
    DROP OPERATOR IF EXISTS pg_catalog.+ (jsonb, jsonb);
EXCEPTION WHEN dependent_objects_still_exist THEN
    NULL;
END $$;
SELECT localshift.create_operator_once('+', 'jsonb', 'anyelement', 'super_plus');
