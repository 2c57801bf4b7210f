-- JSON_PARSE(varbyte) and CAN_JSON_PARSE(varbyte): Redshift reads a VARBYTE's bytes as UTF-8 JSON
-- text (JSON_PARSE's argument is "serialized JSON as a VARBYTE or VARCHAR type").  A VARBYTE itself
-- makes no SUPER (27_super.sql refuses the cast).  A string literal still goes to the text
-- overloads (22_json.sql): the string category's preferred type wins for an untyped argument.
CREATE OR REPLACE FUNCTION pg_catalog.json_parse(bytea) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.json_parse(pg_catalog.convert_from($1, 'UTF8')) $$;
-- (bytes that are no UTF-8 are no JSON: false, where reading them as text fails)
CREATE OR REPLACE FUNCTION pg_catalog.can_json_parse(bytea) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog AS $$
BEGIN
    RETURN pg_catalog.can_json_parse(pg_catalog.convert_from($1, 'UTF8'));
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
    RETURN false;
END $$;
