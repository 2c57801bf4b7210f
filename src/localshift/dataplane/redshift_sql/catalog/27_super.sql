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

-- The set functions (ARRAY_DISTINCT, ARRAY_UNION, ARRAY_INTERSECTION, ARRAY_EXCEPT, ARRAYS_OVERLAP)
-- compare elements as SUPER does (a string equals only a string) and treat NULL as an element
-- like any other.  AWS promises no order of their results: here an element keeps the place of
-- its first occurrence in the first array.  An argument that is not an array gives NULL.
CREATE OR REPLACE FUNCTION pg_catalog.array_distinct(jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'array' THEN
    coalesce((SELECT jsonb_agg(element ORDER BY first)
              FROM (SELECT element, min(i) AS first FROM jsonb_array_elements($1) WITH ORDINALITY AS e(element, i)
                    GROUP BY element) AS d), '[]'::jsonb)
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_union(jsonb, jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($2) = 'array' THEN pg_catalog.array_distinct(pg_catalog.array_concat($1, $2)) END $$;
CREATE OR REPLACE FUNCTION pg_catalog.arrays_overlap(jsonb, jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'array' AND jsonb_typeof($2) = 'array' THEN
    EXISTS (SELECT FROM jsonb_array_elements($1) AS a(element) JOIN jsonb_array_elements($2) AS b(element)
            ON a.element = b.element)
END $$;
-- Multiset semantics (distinct false, the default): the k-th occurrence of an element of the first
-- array is kept when the second array has at least k of it (INTERSECTION), or fewer (EXCEPT).  Set
-- semantics (distinct true): each element once, when the second array has it (or not).
CREATE OR REPLACE FUNCTION localshift.super_array_compare(array1 jsonb, array2 jsonb, distinct_ boolean,
                                                          keep_common boolean) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof(array1) = 'array' AND jsonb_typeof(array2) = 'array' THEN
    coalesce((SELECT jsonb_agg(element ORDER BY i)
              FROM (SELECT element, i, row_number() OVER (PARTITION BY element ORDER BY i) AS occurrence,
                           (SELECT count(*) FROM jsonb_array_elements(array2) AS b(other)
                            WHERE other = element) AS others
                    FROM jsonb_array_elements(array1) WITH ORDINALITY AS a(element, i)) AS counted
              WHERE CASE WHEN coalesce(distinct_, false) THEN occurrence = 1 AND (others > 0) = keep_common
                         WHEN keep_common THEN occurrence <= others
                         ELSE occurrence > others END), '[]'::jsonb)
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_intersection(jsonb, jsonb, boolean DEFAULT false) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_array_compare($1, $2, $3, true) $$;
CREATE OR REPLACE FUNCTION pg_catalog.array_except(jsonb, jsonb, boolean DEFAULT false) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_array_compare($1, $2, $3, false) $$;

-- ARRAY_SORT(array [, sort_ascending [, nulls_first]]): booleans, then numbers, strings, arrays,
-- objects (AWS's order of types), each in its natural order; NULLs last ascending and first
-- descending unless nulls_first says where.
CREATE OR REPLACE FUNCTION pg_catalog.array_sort(jsonb, boolean DEFAULT true, boolean DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'array' THEN
    coalesce((SELECT jsonb_agg(element ORDER BY
                  (jsonb_typeof(element) = 'null') <> coalesce($3, NOT coalesce($2, true)),
                  CASE WHEN coalesce($2, true) THEN rank END, CASE WHEN NOT coalesce($2, true) THEN rank END DESC,
                  CASE WHEN coalesce($2, true) THEN flag END, CASE WHEN NOT coalesce($2, true) THEN flag END DESC,
                  CASE WHEN coalesce($2, true) THEN number END, CASE WHEN NOT coalesce($2, true) THEN number END DESC,
                  CASE WHEN coalesce($2, true) THEN string END COLLATE "C",
                  CASE WHEN NOT coalesce($2, true) THEN string END COLLATE "C" DESC,
                  CASE WHEN coalesce($2, true) THEN element END, CASE WHEN NOT coalesce($2, true) THEN element END DESC)
              FROM (SELECT element,
                           array_position(ARRAY['boolean', 'number', 'string', 'array', 'object'],
                                          jsonb_typeof(element)) AS rank,
                           CASE jsonb_typeof(element) WHEN 'boolean' THEN (element #>> '{}')::boolean END AS flag,
                           CASE jsonb_typeof(element) WHEN 'number' THEN (element #>> '{}')::numeric END AS number,
                           CASE jsonb_typeof(element) WHEN 'string' THEN element #>> '{}' END AS string
                    FROM jsonb_array_elements($1) AS e(element)) AS keyed), '[]'::jsonb)
END $$;

-- LOWER_ATTRIBUTE_NAMES / UPPER_ATTRIBUTE_NAMES(super): every attribute name of every object in
-- the value, nested ones too, in lower (upper) case, non-ASCII letters included (pg_c_utf8's
-- Unicode case mapping; the engine's default collation maps ASCII only); values and scalars
-- unchanged.  Two names that become one fail, as in Redshift.
CREATE OR REPLACE FUNCTION localshift.super_rename_attributes(value jsonb, upper_case boolean) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    result jsonb;
    duplicated boolean;
BEGIN
    CASE jsonb_typeof(value)
        WHEN 'object' THEN
            SELECT jsonb_object_agg(name, localshift.super_rename_attributes(v, upper_case)),
                   count(DISTINCT name) < count(*)
            INTO result, duplicated
            FROM (SELECT CASE WHEN upper_case THEN upper(key COLLATE pg_c_utf8) ELSE lower(key COLLATE pg_c_utf8) END AS name, v
                  FROM jsonb_each(value) AS e(key, v)) AS renamed;
            IF duplicated THEN
                RAISE EXCEPTION 'Invalid input' USING ERRCODE = 'internal_error',
                    DETAIL = 'SUPER value has duplicate attributes after case conversion.';
            END IF;
            RETURN coalesce(result, '{}'::jsonb);
        WHEN 'array' THEN
            RETURN (SELECT coalesce(jsonb_agg(localshift.super_rename_attributes(element, upper_case) ORDER BY i),
                                    '[]'::jsonb)
                    FROM jsonb_array_elements(value) WITH ORDINALITY AS e(element, i));
        ELSE
            RETURN value;
    END CASE;
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.lower_attribute_names(jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.super_rename_attributes($1, false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.upper_attribute_names(jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.super_rename_attributes($1, true) $$;

-- GET_NUMBER_ATTRIBUTES(super): the attributes of an object's first level, INT; NULL for anything
-- else (as GET_ARRAY_LENGTH of a non-array).
CREATE OR REPLACE FUNCTION pg_catalog.get_number_attributes(jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'object' THEN (SELECT count(*)::integer FROM jsonb_object_keys($1)) END $$;

-- DECIMAL_PRECISION / DECIMAL_SCALE(super): the digits of a SUPER number, all of them and those
-- after the point (3.14159: 6 and 5); NULL for anything else.
CREATE OR REPLACE FUNCTION pg_catalog.decimal_scale(jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT scale(localshift.super_number($1)) $$;
CREATE OR REPLACE FUNCTION pg_catalog.decimal_precision(jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT greatest(length(ltrim(replace(abs(n)::text, '.', ''), '0')), scale(n), 1)
FROM (SELECT localshift.super_number($1) AS n) AS v WHERE n IS NOT NULL $$;

-- JSON_SERIALIZE_TO_VARBYTE(super): JSON_SERIALIZE's text as UTF-8 bytes.
CREATE OR REPLACE FUNCTION pg_catalog.json_serialize_to_varbyte(jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT convert_to(localshift.json_serialize($1), 'UTF8') $$;

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
                      ('pg_catalog', 'is_decimal'), ('pg_catalog', 'is_float'), ('pg_catalog', 'decimal_scale'),
                      ('pg_catalog', 'decimal_precision'), ('pg_catalog', 'json_serialize_to_varbyte'),
                      ('pg_catalog', 'lower_attribute_names'), ('pg_catalog', 'upper_attribute_names'),
                      ('pg_catalog', 'array_distinct'), ('pg_catalog', 'get_number_attributes'))
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

-- A number or a boolean stored in a SUPER column (INSERT INTO t VALUES (3.14159)) or cast to SUPER
-- (5::SUPER) is the SUPER scalar it makes, as in Redshift: casts PostgreSQL lacks.  So is a VARCHAR
-- (or a TEXT: a computed string) stored in one (INSERT INTO t SELECT v, UPDATE t SET s = lower(v)): a
-- SUPER string, as Redshift stores it (its text is not parsed: JSON_PARSE does that).  With these
-- casts an explicit ``text::jsonb`` makes a string too: the catalog's own reading of JSON text is
-- ``::json::jsonb``.
DO $$
DECLARE
    source text;
BEGIN
    FOREACH source IN ARRAY ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'boolean',
                                  'text', 'character varying']
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.super_of(%1$s) RETURNS jsonb '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$ SELECT to_jsonb($1) $body$', source);
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_cast
                       WHERE castsource = source::regtype AND casttarget = 'jsonb'::regtype) THEN
            EXECUTE format('CREATE CAST (%1$s AS jsonb) WITH FUNCTION localshift.super_of(%1$s) AS ASSIGNMENT', source);
        END IF;
    END LOOP;
END $$;

-- ARRAY(...) and OBJECT(...) (the translator's rewrites, super_functions.py): each value is the
-- SUPER value it makes, but Redshift makes no SUPER of a date or time ("OBJECT could not convert
-- type date to super"), where to_jsonb would write its text, nor of a VARBYTE (it casts VARBYTE
-- to and from CHAR, VARCHAR, SMALLINT, INTEGER and BIGINT only; JSON_PARSE reads one as JSON
-- text).  The identity functions named "array" and "object" give the result column Redshift's name.
CREATE OR REPLACE FUNCTION localshift.super_element(value anyelement, constructor text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.to_jsonb(value) $$;
-- (where a string literal or a NULL goes: without it they would be read as dates and times)
CREATE OR REPLACE FUNCTION localshift.super_element(value text, constructor text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.to_jsonb(value) $$;
DO $$
DECLARE
    source record;
BEGIN
    FOR source IN SELECT * FROM (VALUES ('date', 'date'), ('time', 'time'), ('time with time zone', 'time with time zone'),
                                        ('timestamp', 'timestamp'), ('timestamp with time zone', 'timestamp with time zone'),
                                        ('bytea', 'varbyte')) AS s(engine_type, redshift_name)
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.super_element(value %1$s, constructor text) RETURNS jsonb '
                       'LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $body$ BEGIN '
                       'RAISE EXCEPTION ''%% could not convert type %2$s to super'', constructor '
                       'USING ERRCODE = ''datatype_mismatch''; END $body$', source.engine_type, source.redshift_name);
    END LOOP;
END $$;
CREATE OR REPLACE FUNCTION localshift."array"(jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION localshift."object"(jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 $$;
