-- SUPER's array functions (SUPER is jsonb).  ARRAY(...) and OBJECT(...) are rewritten by
-- the translator (jsonb_build_array / jsonb_build_object).  Like SUPER's navigation (lax
-- mode), a function given something other than an array returns NULL.

-- GET_ARRAY_LENGTH(super): the number of elements, INT (AWS's current reference; older pages said BIGINT).
CREATE OR REPLACE FUNCTION pg_catalog.get_array_length(jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'array' THEN jsonb_array_length($1) END $$;

-- ARRAY_CONCAT(array1, array2)
CREATE OR REPLACE FUNCTION pg_catalog.array_concat(jsonb, jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'array' AND jsonb_typeof($2) = 'array' THEN $1 || $2 END $$;

-- ARRAY_FLATTEN(array [, ...]): the arguments' elements in one array, an element that is an
-- array replaced by its own elements (one level).
CREATE OR REPLACE FUNCTION pg_catalog.array_flatten(VARIADIC jsonb[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN bool_and(jsonb_typeof(a) = 'array') THEN
    coalesce((SELECT jsonb_agg(leaf ORDER BY i, j, k)
              FROM unnest($1) WITH ORDINALITY AS args(arg, i),
                   jsonb_array_elements(arg) WITH ORDINALITY AS elements(element, j),
                   jsonb_array_elements(CASE WHEN jsonb_typeof(element) = 'array' THEN element
                                             ELSE jsonb_build_array(element) END)
                       WITH ORDINALITY AS leaves(leaf, k)), '[]'::jsonb)
END
FROM unnest($1) AS a $$;

-- SPLIT_TO_ARRAY(string [, delimiter]): the pieces as strings; the delimiter defaults to a comma.
CREATE OR REPLACE FUNCTION pg_catalog.split_to_array(text, text DEFAULT ',') RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $1 = '' THEN '[""]'::jsonb ELSE to_jsonb(string_to_array($1, $2)) END $$;

-- SUBARRAY(array, start_position [, length]): from a zero-based position (negative: counted
-- from the end), length elements (all the rest without it); past the end, an empty array.
CREATE OR REPLACE FUNCTION pg_catalog.subarray(jsonb, integer, integer DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'array' AND $2 IS NOT NULL THEN
    coalesce((SELECT jsonb_agg(element ORDER BY i)
              FROM jsonb_array_elements($1) WITH ORDINALITY AS e(element, i),
                   (SELECT greatest(CASE WHEN $2 < 0 THEN jsonb_array_length($1) + $2 ELSE $2 END, 0) AS first) AS s
              WHERE i - 1 >= first AND ($3 IS NULL OR i - 1 < first + $3)), '[]'::jsonb)
END $$;

-- ARRAY_POSITIONS / ARRAY_POSITION / ARRAY_CONTAINS(array, value [, null_match]): zero-based
-- positions of the elements equal to value (as SUPER compares: a string equals only a string).
-- null_match (default true, Redshift's default_array_search_null_handling): NULL is an element
-- like any other; false: searching for NULL gives NULL, and so does a miss in an array holding
-- a NULL.
-- A NULL or a string literal is read as VARCHAR (the text overloads), anything else as the
-- SUPER value it would be.
CREATE OR REPLACE FUNCTION localshift.super_positions(array_ jsonb, value jsonb, null_match boolean)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN jsonb_typeof(array_) IS DISTINCT FROM 'array' THEN NULL
    WHEN value IS NULL AND NOT coalesce(null_match, true) THEN NULL
    ELSE (SELECT CASE WHEN count(*) = 0 AND NOT coalesce(null_match, true) AND array_ @> '[null]' THEN NULL
                      ELSE coalesce(jsonb_agg(i - 1 ORDER BY i), '[]'::jsonb) END
          FROM jsonb_array_elements(array_) WITH ORDINALITY AS e(element, i)
          WHERE element = coalesce(value, 'null'::jsonb))
END $$;
CREATE OR REPLACE FUNCTION localshift.super_position(positions jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN positions = '[]' THEN -1 ELSE (positions ->> 0)::integer END $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_positions(jsonb, anyelement, boolean DEFAULT true) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_positions($1, to_jsonb($2), $3) $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_positions(jsonb, text, boolean DEFAULT true) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_positions($1, to_jsonb($2), $3) $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_position(jsonb, anyelement, boolean DEFAULT true) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT localshift.super_position(localshift.super_positions($1, to_jsonb($2), $3)) $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_position(jsonb, text, boolean DEFAULT true) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT localshift.super_position(localshift.super_positions($1, to_jsonb($2), $3)) $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_contains(jsonb, anyelement, boolean DEFAULT true) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_positions($1, to_jsonb($2), $3) <> '[]' $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_contains(jsonb, text, boolean DEFAULT true) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_positions($1, to_jsonb($2), $3) <> '[]' $$;

-- A value given where SUPER is expected is the SUPER value it makes (AWS: a VARCHAR is a SUPER
-- string scalar): IS_VARCHAR('abc') is true, JSON_TYPEOF('abc') 'string', JSON_SIZE('abc') 5,
-- IS_INTEGER(5) true.  PostgreSQL would read a string literal as JSON input for the jsonb
-- parameter (22P02), so each function of one SUPER value also takes text (where an untyped
-- literal goes: PostgreSQL prefers the string overload for it) and any other type, both
-- through to_jsonb.
DO $$
DECLARE
    func record;
BEGIN
    FOR func IN SELECT n.nspname AS schema, p.proname AS name, p.prorettype::regtype AS result
                FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE p.pronargs = 1 AND p.proargtypes[0] = 'jsonb'::regtype
                  AND (n.nspname, p.proname) IN (('localshift', 'json_serialize'), ('pg_catalog', 'json_typeof'),
                      ('pg_catalog', 'json_size'), ('pg_catalog', 'get_array_length'), ('pg_catalog', 'is_array'),
                      ('pg_catalog', 'is_object'), ('pg_catalog', 'is_scalar'), ('pg_catalog', 'is_varchar'),
                      ('pg_catalog', 'is_char'), ('pg_catalog', 'is_boolean'), ('pg_catalog', 'is_number'),
                      ('pg_catalog', 'is_smallint'), ('pg_catalog', 'is_integer'), ('pg_catalog', 'is_bigint'),
                      ('pg_catalog', 'is_decimal'), ('pg_catalog', 'is_float'))
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION %1$I.%2$I(text) RETURNS %3$s LANGUAGE sql IMMUTABLE PARALLEL SAFE '
                       'AS $body$ SELECT %1$I.%2$I(to_jsonb($1)) $body$;'
                       'CREATE OR REPLACE FUNCTION %1$I.%2$I(anyelement) RETURNS %3$s LANGUAGE sql STABLE PARALLEL SAFE '
                       'AS $body$ SELECT %1$I.%2$I(to_jsonb($1)) $body$', func.schema, func.name, func.result);
    END LOOP;
END $$;

-- OBJECT_TRANSFORM(input [KEEP path, ...] [SET path, value, ...]) (the translator gathers the
-- clauses): the input's values at the KEEP paths (all of it without KEEP), then each SET value
-- at its path, objects made on the way.  A path is '"a"."b"'.  An input that is not an
-- object, or no clause at all, gives the input.
CREATE OR REPLACE FUNCTION localshift.super_path(path text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    parts text[];
BEGIN
    IF path !~ '^"([^"]|"")*"([.]"([^"]|"")*")*$' THEN
        RAISE EXCEPTION 'invalid path: %', path USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A path is double-quoted names separated by periods: ''"a"."b"''.';
    END IF;
    SELECT array_agg(replace(m[1], '""', '"') ORDER BY n) INTO parts
    FROM regexp_matches(path, '"((?:[^"]|"")*)"', 'g') WITH ORDINALITY AS r(m, n);
    RETURN parts;
END $$;

CREATE OR REPLACE FUNCTION localshift.super_set(target jsonb, path text[], value jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN cardinality(path) = 1 THEN target || jsonb_build_object(path[1], value)
            ELSE target || jsonb_build_object(path[1], localshift.super_set(
                CASE WHEN jsonb_typeof(target -> path[1]) = 'object' THEN target -> path[1] ELSE '{}' END,
                path[2:], value))
       END $$;

CREATE OR REPLACE FUNCTION localshift.object_transform(input jsonb, keep_paths text[], set_paths text[],
                                                       set_values jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    result jsonb := input;
    path text[];
BEGIN
    IF jsonb_typeof(input) IS DISTINCT FROM 'object' THEN
        RETURN input;
    END IF;
    IF keep_paths IS NOT NULL THEN
        result := '{}';
        FOR k IN 1..cardinality(keep_paths) LOOP
            path := localshift.super_path(keep_paths[k]);
            IF input #> path IS NOT NULL THEN
                result := localshift.super_set(result, path, input #> path);
            END IF;
        END LOOP;
    END IF;
    FOR k IN 1..coalesce(cardinality(set_paths), 0) LOOP
        result := localshift.super_set(result, localshift.super_path(set_paths[k]), set_values -> (k - 1));
    END LOOP;
    RETURN result;
END $$;

-- SLICE_NUM(): the slice holding the row; a table is stored in one slice here (STV_TBL_PERM's slice 0).
CREATE OR REPLACE FUNCTION pg_catalog.slice_num() RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT 0 $$;

-- PG_GET_COLS('name'): the columns of a table or view, one record each
-- (schema, relation, column, type, number), as pg_get_late_binding_view_cols.
CREATE OR REPLACE FUNCTION pg_catalog.pg_get_cols(text) RETURNS SETOF record
LANGUAGE sql STABLE STRICT AS $$
SELECT n.nspname AS view_schema, c.relname AS view_name, a.attname AS col_name,
       format_type(a.atttypid, a.atttypmod)::varchar AS col_type, a.attnum::integer AS col_num
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.oid = $1::regclass
ORDER BY a.attnum $$;
