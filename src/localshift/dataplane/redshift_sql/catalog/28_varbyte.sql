-- VARBYTE (bytea here): Redshift's conversions between binary values and strings.

-- The canonical name of a VARBYTE string format, or Redshift's error.
CREATE OR REPLACE FUNCTION localshift.varbyte_format(format text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    CASE lower(format)
        WHEN 'hex', 'binary', 'base64' THEN RETURN lower(format);
        WHEN 'utf8', 'utf-8', 'utf_8' THEN RETURN 'utf8';
        ELSE RAISE EXCEPTION 'invalid format: %', format USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Valid formats are hex, binary, utf8 and base64.';
    END CASE;
END $$;

-- FROM_HEX(string): an odd number of digits gets a leading 0.
CREATE OR REPLACE FUNCTION pg_catalog.from_hex(text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT decode(CASE WHEN length($1) % 2 = 1 THEN '0' || $1 ELSE $1 END, 'hex') $$;
CREATE OR REPLACE FUNCTION pg_catalog.to_hex(bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT encode($1, 'hex') $$;

-- FROM_VARBYTE(binary_value, format) -> VARCHAR
CREATE OR REPLACE FUNCTION pg_catalog.from_varbyte(bytea, text) RETURNS varchar
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.varbyte_format($2)
    WHEN 'hex' THEN encode($1, 'hex')
    WHEN 'utf8' THEN convert_from($1, 'UTF8')
    WHEN 'base64' THEN replace(encode($1, 'base64'), chr(10), '')
    ELSE (SELECT coalesce(string_agg(get_byte($1, i)::bit(8)::text, '' ORDER BY i), '')
          FROM generate_series(0, length($1) - 1) AS i)
END $$;

-- TO_VARBYTE(string, format) -> VARBYTE; hex and binary digits are padded on the left to whole bytes.
CREATE OR REPLACE FUNCTION pg_catalog.to_varbyte(text, text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.varbyte_format($2)
    WHEN 'hex' THEN pg_catalog.from_hex($1)
    WHEN 'utf8' THEN convert_to($1, 'UTF8')
    WHEN 'base64' THEN decode($1, 'base64')
    ELSE localshift.bits_to_varbyte($1)
END $$;

CREATE OR REPLACE FUNCTION localshift.bits_to_varbyte(bits text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    padded text := lpad(bits, ((length(bits) + 7) / 8) * 8, '0');
    result bytea := '';
BEGIN
    IF bits !~ '^[01]*$' THEN
        RAISE EXCEPTION 'invalid binary string: %', bits USING ERRCODE = 'invalid_text_representation';
    END IF;
    FOR i IN 0..length(padded) / 8 - 1 LOOP
        result := result || set_byte(decode('00', 'hex'), 0, substr(padded, i * 8 + 1, 8)::bit(8)::integer);
    END LOOP;
    RETURN result;
END $$;

-- GETBIT(binary_value, index): bits counted from the rightmost (least significant) bit of the
-- whole value; an index past its bits fails as PostgreSQL's get_bit does.
CREATE OR REPLACE FUNCTION pg_catalog.getbit(bytea, integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT get_bit($1, CASE WHEN $2 < 0 OR $2 >= length($1) * 8 THEN $2
                        ELSE (length($1) - 1 - $2 / 8) * 8 + $2 % 8 END::bigint) $$;

-- Casts Redshift has: SMALLINT, INTEGER and BIGINT to VARBYTE keep their 2, 4 or 8 bytes
-- (big-endian); VARBYTE to VARCHAR reads UTF-8.
CREATE OR REPLACE FUNCTION localshift.varbyte_from_integer(value bigint, width integer) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT decode(right(lpad(to_hex(value), 16, CASE WHEN value < 0 THEN 'f' ELSE '0' END), width * 2), 'hex') $$;
CREATE OR REPLACE FUNCTION localshift.smallint_to_varbyte(smallint) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.varbyte_from_integer($1, 2) $$;
CREATE OR REPLACE FUNCTION localshift.integer_to_varbyte(integer) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.varbyte_from_integer($1, 4) $$;
CREATE OR REPLACE FUNCTION localshift.bigint_to_varbyte(bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.varbyte_from_integer($1, 8) $$;
CREATE OR REPLACE FUNCTION localshift.varbyte_to_varchar(bytea) RETURNS varchar
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT convert_from($1, 'UTF8') $$;
DO $$
DECLARE
    cast_ record;
BEGIN
    FOR cast_ IN SELECT * FROM (VALUES ('smallint', 'bytea', 'smallint_to_varbyte'),
                                       ('integer', 'bytea', 'integer_to_varbyte'),
                                       ('bigint', 'bytea', 'bigint_to_varbyte'),
                                       ('bytea', 'varchar', 'varbyte_to_varchar'),
                                       ('bytea', 'text', 'varbyte_to_varchar')) AS c(source, target, func)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_cast WHERE castsource = cast_.source::regtype
                       AND casttarget = cast_.target::regtype) THEN
            EXECUTE format('CREATE CAST (%s AS %s) WITH FUNCTION localshift.%s(%s)',
                           cast_.source, cast_.target, cast_.func, cast_.source);
        END IF;
    END LOOP;
END $$;

-- VARBYTE operators (AWS's table): + concatenates as || does, ~ negates each bit, & and | combine
-- two values bit by bit.  Two values of different lengths fail (22026, as PostgreSQL's bit strings
-- do; what Redshift does with them is unverified).
CREATE OR REPLACE FUNCTION localshift.varbyte_concat(bytea, bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 || $2 $$;
CREATE OR REPLACE FUNCTION localshift.varbyte_bitwise(a bytea, b bytea, operator text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    result bytea := a;
BEGIN
    IF a IS NULL OR (operator <> '~' AND b IS NULL) THEN
        RETURN NULL;
    END IF;
    IF operator <> '~' AND length(a) <> length(b) THEN
        RAISE EXCEPTION 'cannot % VARBYTE values of different lengths', CASE operator WHEN '&' THEN 'AND' ELSE 'OR' END
            USING ERRCODE = '22026';
    END IF;
    FOR i IN 0 .. length(a) - 1 LOOP
        result := set_byte(result, i, CASE operator WHEN '&' THEN get_byte(a, i) & get_byte(b, i)
                                                    WHEN '|' THEN get_byte(a, i) | get_byte(b, i)
                                                    ELSE 255 - get_byte(a, i) END);
    END LOOP;
    RETURN result;
END $$;
CREATE OR REPLACE FUNCTION localshift.varbyte_and(bytea, bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.varbyte_bitwise($1, $2, '&') $$;
CREATE OR REPLACE FUNCTION localshift.varbyte_or(bytea, bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.varbyte_bitwise($1, $2, '|') $$;
CREATE OR REPLACE FUNCTION localshift.varbyte_not(bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.varbyte_bitwise($1, NULL, '~') $$;
SELECT localshift.create_operator_once('+', 'bytea', 'bytea', 'varbyte_concat');
SELECT localshift.create_operator_once('&', 'bytea', 'bytea', 'varbyte_and');
SELECT localshift.create_operator_once('|', 'bytea', 'bytea', 'varbyte_or');
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_operator WHERE oprname = '~' AND oprleft = 0 AND oprright = 'bytea'::regtype) THEN
        CREATE OPERATOR pg_catalog.~ (RIGHTARG = bytea, FUNCTION = localshift.varbyte_not);
    END IF;
END $$;
