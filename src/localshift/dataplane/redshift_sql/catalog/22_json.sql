-- Redshift's JSON functions on VARCHAR, and the SUPER functions (SUPER is jsonb).

-- The JSON value of a string, or Redshift's error; NULL when asked to swallow invalid JSON.
CREATE OR REPLACE FUNCTION localshift.json_or_error(document text, null_if_invalid boolean) RETURNS json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF document IS NULL THEN
        RETURN NULL;
    END IF;
    IF document IS JSON THEN
        RETURN document::json;
    END IF;
    IF null_if_invalid THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'JSON parsing error' USING ERRCODE = 'invalid_text_representation',
        DETAIL = format('Invalid JSON: %s', left(document, 200));
END $$;

-- JSON_EXTRACT_PATH_TEXT(json_string, path_elem [, ...] [, null_if_invalid])
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_path_text(text, VARIADIC text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.json_extract_path_text(localshift.json_or_error($1, false), VARIADIC $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_path_text(text, text, boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.json_extract_path_text(localshift.json_or_error($1, $3), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_path_text(text, text, text, boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.json_extract_path_text(localshift.json_or_error($1, $4), $2, $3) $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_path_text(text, text, text, text, boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.json_extract_path_text(localshift.json_or_error($1, $5), $2, $3, $4) $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_path_text(text, text, text, text, text, boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.json_extract_path_text(localshift.json_or_error($1, $6), $2, $3, $4, $5) $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_path_text(text, text, text, text, text, text, boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.json_extract_path_text(localshift.json_or_error($1, $7), $2, $3, $4, $5, $6) $$;

-- JSON_EXTRACT_ARRAY_ELEMENT_TEXT(json_string, pos [, null_if_invalid]): zero-based;
-- a negative or out-of-range position gives an empty string.
CREATE OR REPLACE FUNCTION pg_catalog.json_extract_array_element_text(text, integer, boolean DEFAULT false)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN doc IS NULL THEN NULL
            WHEN json_typeof(doc) <> 'array' THEN NULL
            WHEN $2 < 0 OR $2 >= json_array_length(doc) THEN ''
            ELSE doc ->> $2
       END
FROM (SELECT localshift.json_or_error($1, $3) AS doc) AS parsed $$;

-- JSON_ARRAY_LENGTH(json_array [, null_if_invalid])
CREATE OR REPLACE FUNCTION pg_catalog.json_array_length(text, boolean DEFAULT false) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.json_array_length(localshift.json_or_error($1, $2)) $$;

-- IS_VALID_JSON accepts objects only; IS_VALID_JSON_ARRAY arrays only.
CREATE OR REPLACE FUNCTION pg_catalog.is_valid_json(text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 IS JSON OBJECT $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_valid_json_array(text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 IS JSON ARRAY $$;

-- SUPER ----------------------------------------------------------------------------
-- JSON_PARSE(string) -> SUPER; CAN_JSON_PARSE(string) -> boolean.
CREATE OR REPLACE FUNCTION pg_catalog.json_parse(text) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.json_or_error($1, false)::jsonb $$;
CREATE OR REPLACE FUNCTION pg_catalog.can_json_parse(text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 IS JSON $$;

-- JSON_SERIALIZE(super) -> VARCHAR, compact as Redshift writes it: {"a":1,"b":[1,2]}.
-- PostgreSQL parses JSON_SERIALIZE(...) as its own SQL/JSON construct: this one
-- lives in localshift, where the translator sends the calls.
CREATE OR REPLACE FUNCTION localshift.json_serialize(jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE jsonb_typeof($1)
    WHEN 'object' THEN '{' || coalesce((SELECT string_agg(to_json(key)::text || ':' || localshift.json_serialize(value),
                                                        ',' ORDER BY ordinality)
                                        FROM jsonb_each($1) WITH ORDINALITY), '') || '}'
    WHEN 'array' THEN '[' || coalesce((SELECT string_agg(localshift.json_serialize(value), ',' ORDER BY ordinality)
                                       FROM jsonb_array_elements($1) WITH ORDINALITY), '') || ']'
    ELSE $1::json::text  -- its JSON (a cast to text gives a string's value: 27_super_casts.sql)
END $$;

-- JSON_TYPEOF(super): array, boolean, number, object, string or null.
CREATE OR REPLACE FUNCTION pg_catalog.json_typeof(jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) $$;

-- JSON_SIZE(super): bytes of the serialized value.
CREATE OR REPLACE FUNCTION pg_catalog.json_size(jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT octet_length(localshift.json_serialize($1)) $$;

-- SUPER type checks: false for every value not of the type, JSON null and NULL included
-- (AWS: "returns false for any other values, including null").  jsonb keeps a number's
-- digits and scale but not whether it was a DECIMAL or a float: every number is a DECIMAL
-- here, none a float.
CREATE OR REPLACE FUNCTION localshift.super_number(jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN jsonb_typeof($1) = 'number' THEN ($1 #>> '{}')::numeric END $$;
CREATE OR REPLACE FUNCTION localshift.super_integer_in(jsonb, numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(scale(n) = 0 AND n >= -$2 AND n < $2, false) FROM (SELECT localshift.super_number($1) AS n) AS v $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_array(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(jsonb_typeof($1) = 'array', false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_object(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(jsonb_typeof($1) = 'object', false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_scalar(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(jsonb_typeof($1) IN ('string', 'number', 'boolean'), false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_varchar(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(jsonb_typeof($1) = 'string', false) $$;
-- IS_CHAR: a string of ASCII characters only (CHAR holds nothing else).
CREATE OR REPLACE FUNCTION pg_catalog.is_char(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(jsonb_typeof($1) = 'string' AND octet_length($1 #>> '{}') = char_length($1 #>> '{}'), false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_boolean(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(jsonb_typeof($1) = 'boolean', false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_number(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(jsonb_typeof($1) = 'number', false) $$;
-- Numbers of scale 0 in the 16-, 32- and 64-bit ranges.
CREATE OR REPLACE FUNCTION pg_catalog.is_smallint(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_integer_in($1, 32768) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_integer(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_integer_in($1, 2147483648) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_bigint(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift.super_integer_in($1, 9223372036854775808) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_decimal(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(jsonb_typeof($1) = 'number', false) $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_float(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT false $$;
