-- Redshift's string, regular-expression and hash functions.

-- LEN / TEXTLEN: characters; trailing blanks count for VARCHAR, not for CHAR.
CREATE OR REPLACE FUNCTION pg_catalog.len(text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.length($1) $$;
CREATE OR REPLACE FUNCTION pg_catalog.len(character) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.length($1) $$;
CREATE OR REPLACE FUNCTION pg_catalog.len(bytea) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.length($1) $$;
CREATE OR REPLACE FUNCTION pg_catalog.textlen(text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.length($1) $$;

-- CHARINDEX(substring, string): STRPOS with the arguments swapped.
CREATE OR REPLACE FUNCTION pg_catalog.charindex(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.strpos($2, $1) $$;

-- CONCAT(a, b) and ||: NULL when either side is NULL (PostgreSQL's concat skips NULLs).
CREATE OR REPLACE FUNCTION pg_catalog.concat(text, text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 || $2 $$;

-- 'a' + 'b': Redshift concatenates strings with + too.
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_operator WHERE oprname = '+' AND oprleft = 'text'::regtype
                   AND oprright = 'text'::regtype) THEN
        CREATE OPERATOR pg_catalog.+ (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_catalog.textcat);
    END IF;
END $$;

-- STRTOL(num_string, base): a BIGINT from a string in base 2..36 (0x is allowed in base 16).
CREATE OR REPLACE FUNCTION pg_catalog.strtol(text, integer) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    digits text := lower(btrim($1));
    negative boolean := false;
    result numeric := 0;
    digit integer;
BEGIN
    IF $2 < 2 OR $2 > 36 THEN
        RAISE EXCEPTION 'strtol: base must be between 2 and 36' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF left(digits, 1) IN ('-', '+') THEN
        negative := left(digits, 1) = '-';
        digits := substr(digits, 2);
    END IF;
    IF $2 = 16 AND left(digits, 2) = '0x' THEN
        digits := substr(digits, 3);
    END IF;
    FOR i IN 1..length(digits) LOOP
        digit := strpos('0123456789abcdefghijklmnopqrstuvwxyz', substr(digits, i, 1)) - 1;
        IF digit < 0 OR digit >= $2 THEN
            RAISE EXCEPTION 'Invalid input syntax for strtol: "%"', $1 USING ERRCODE = 'invalid_text_representation';
        END IF;
        result := result * $2 + digit;
    END LOOP;
    RETURN CASE WHEN negative THEN -result ELSE result END;
END $$;

-- Regular expressions --------------------------------------------------------------
-- Redshift's parameters are c (case-sensitive), i (insensitive), e (return the
-- first subexpression) and p (PCRE: PostgreSQL's advanced regular expressions
-- already take lookaheads and \d, and PostgreSQL's own p flag means something
-- else, so it is dropped).  REGEXP_REPLACE replaces every match.
CREATE OR REPLACE FUNCTION localshift.regexp_flags(parameters text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT translate(coalesce($1, ''), 'ep', '') $$;

-- 1 when 'e' asks for the first subexpression and the pattern has one (Redshift ignores 'e' otherwise).
CREATE OR REPLACE FUNCTION localshift.regexp_subexpr(pattern text, parameters text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN strpos(coalesce($2, ''), 'e') > 0 AND $1 ~ '(^|[^\\])\((?!\?)' THEN 1 ELSE 0 END $$;

CREATE OR REPLACE FUNCTION localshift.pg_regexp_count(text, text, integer, text) RETURNS integer
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'regexp_count';

CREATE OR REPLACE FUNCTION pg_catalog.regexp_count(string text, pattern text, start integer, flags text)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.pg_regexp_count(string, pattern, greatest(start, 1), localshift.regexp_flags(flags)) $$;

CREATE OR REPLACE FUNCTION pg_catalog.regexp_instr(string text, pattern text, start integer, "N" integer,
                                                   endoption integer, flags text)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN "N" < 1 THEN 0 ELSE
    pg_catalog.regexp_instr(string, pattern, greatest(start, 1), "N", least(abs(endoption), 1),
                            localshift.regexp_flags(flags), localshift.regexp_subexpr(pattern, flags))
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.regexp_substr(string text, pattern text, start integer, "N" integer,
                                                    flags text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN "N" < 1 THEN NULL ELSE
    pg_catalog.regexp_substr(string, pattern, greatest(start, 1), "N", localshift.regexp_flags(flags),
                             localshift.regexp_subexpr(pattern, flags))
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.regexp_replace(string text, pattern text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.regexp_replace(string, pattern, '', 1, 0, '') $$;

CREATE OR REPLACE FUNCTION pg_catalog.regexp_replace(string text, pattern text, replacement text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.regexp_replace(string, pattern, replacement, 1, 0, '') $$;

CREATE OR REPLACE FUNCTION pg_catalog.regexp_replace(string text, pattern text, replacement text, start integer)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.regexp_replace(string, pattern, replacement, greatest(start, 1), 0, '') $$;

CREATE OR REPLACE FUNCTION pg_catalog.regexp_replace(string text, pattern text, replacement text, start integer,
                                                     parameters text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.regexp_replace(string, pattern, replacement, greatest(start, 1), 0,
                                 localshift.regexp_flags(parameters)) $$;

-- Hashes ------------------------------------------------------------------------
-- FNV_HASH(value [, seed]): 64-bit FNV-1a over the value's binary form
-- (INTEGER: 4 bytes, BIGINT: 8 bytes, little-endian; strings: their UTF-8 bytes).
CREATE OR REPLACE FUNCTION localshift.fnv1a(data bytea, seed bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    two64 constant numeric := 18446744073709551616;
    h numeric := CASE WHEN seed < 0 THEN seed + two64 ELSE seed END;
    low integer;
BEGIN
    FOR i IN 0..length(data) - 1 LOOP
        low := (h % 256)::integer;
        h := h - low + (low # get_byte(data, i));
        h := (h * 1099511628211) % two64;
    END LOOP;
    RETURN (CASE WHEN h >= two64 / 2 THEN h - two64 ELSE h END)::bigint;
END $$;

CREATE OR REPLACE FUNCTION localshift.little_endian(value bigint, width integer) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT string_agg(set_byte('\x00'::bytea, 0, ((value >> (8 * i)) & 255)::integer), ''::bytea ORDER BY i)
FROM generate_series(0, width - 1) AS i $$;

-- The default seed is FNV's 64-bit offset basis.
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(integer, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.fnv1a(localshift.little_endian($1, 4), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(smallint, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.fnv1a(localshift.little_endian($1, 2), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(bigint, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.fnv1a(localshift.little_endian($1, 8), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(text, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.fnv1a(convert_to($1, 'UTF8'), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(boolean, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.fnv1a(localshift.little_endian($1::integer, 1), $2) $$;
-- Dates and timestamps: days / microseconds since 2000-01-01, Redshift's (and PostgreSQL's) epoch.
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(date, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.fnv1a(localshift.little_endian($1 - date '2000-01-01', 4), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(timestamp, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.fnv1a(localshift.little_endian(
    (extract(epoch FROM $1 - timestamp '2000-01-01') * 1000000)::bigint, 8), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(double precision, bigint DEFAULT -3750763034362895579)
RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.fnv1a(
    (SELECT string_agg(substr(float8send($1), 9 - i, 1), ''::bytea ORDER BY i) FROM generate_series(1, 8) AS i),
    $2) $$;

-- CRC32(string): CRC-32C, as 8 hexadecimal digits.
CREATE OR REPLACE FUNCTION pg_catalog.crc32(text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    data bytea := convert_to($1, 'UTF8');
    crc bigint := 4294967295;
BEGIN
    FOR i IN 0..length(data) - 1 LOOP
        crc := crc # get_byte(data, i);
        FOR bit IN 1..8 LOOP
            crc := CASE WHEN crc & 1 = 1 THEN (crc >> 1) # 2197175160 ELSE crc >> 1 END;
        END LOOP;
    END LOOP;
    RETURN lpad(to_hex(crc # 4294967295), 8, '0');
END $$;

-- SHA2(string, bits): hexadecimal digest; 0 means 256; other sizes give an empty string.
CREATE OR REPLACE FUNCTION pg_catalog.sha2(text, integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE $2
    WHEN 0 THEN encode(sha256(convert_to($1, 'UTF8')), 'hex')
    WHEN 224 THEN encode(sha224(convert_to($1, 'UTF8')), 'hex')
    WHEN 256 THEN encode(sha256(convert_to($1, 'UTF8')), 'hex')
    WHEN 384 THEN encode(sha384(convert_to($1, 'UTF8')), 'hex')
    WHEN 512 THEN encode(sha512(convert_to($1, 'UTF8')), 'hex')
    ELSE ''
END $$;
