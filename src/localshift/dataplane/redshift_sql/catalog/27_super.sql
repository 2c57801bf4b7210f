-- SUPER's array functions (SUPER is jsonb).  ARRAY(...) and OBJECT(...) are rewritten by
-- the translator (jsonb_build_array / jsonb_build_object).  Like SUPER's navigation (lax
-- mode), a function given something other than an array returns NULL.

-- GET_ARRAY_LENGTH(super): the number of elements.
CREATE OR REPLACE FUNCTION pg_catalog.get_array_length(jsonb) RETURNS bigint
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
