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
    ELSE $1::text
END $$;

-- JSON_TYPEOF(super): array, boolean, number, object, string or null.
CREATE OR REPLACE FUNCTION pg_catalog.json_typeof(jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) $$;

-- JSON_SIZE(super): bytes of the serialized value.
CREATE OR REPLACE FUNCTION pg_catalog.json_size(jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT octet_length(localshift.json_serialize($1)) $$;

-- SUPER type checks.
CREATE OR REPLACE FUNCTION pg_catalog.is_array(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) = 'array' $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_object(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) = 'object' $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_scalar(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) NOT IN ('array', 'object') $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_varchar(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) = 'string' $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_boolean(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) = 'boolean' $$;
CREATE OR REPLACE FUNCTION pg_catalog.is_number(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT jsonb_typeof($1) = 'number' $$;
