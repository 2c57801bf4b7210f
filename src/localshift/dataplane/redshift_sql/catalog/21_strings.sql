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

-- NVL2(expr, not_null_value, null_value); a NULL or string first argument reads as text.
CREATE OR REPLACE FUNCTION pg_catalog.nvl2(anyelement, anycompatible, anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $1 IS NOT NULL THEN $2 ELSE $3 END $$;
CREATE OR REPLACE FUNCTION pg_catalog.nvl2(text, anycompatible, anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $1 IS NOT NULL THEN $2 ELSE $3 END $$;

-- REPLICATE: REPEAT's synonym.
CREATE OR REPLACE FUNCTION pg_catalog.replicate(text, integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.repeat($1, $2) $$;

-- CHARINDEX(substring, string): STRPOS with the arguments swapped.
CREATE OR REPLACE FUNCTION pg_catalog.charindex(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.strpos($2, $1) $$;

-- OCTETINDEX(substring, string): CHARINDEX counted in bytes (UTF-8), 0 when not found.
CREATE OR REPLACE FUNCTION pg_catalog.octetindex(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN pg_catalog.strpos($2, $1) = 0 THEN 0
            ELSE pg_catalog.octet_length(pg_catalog.left($2, pg_catalog.strpos($2, $1) - 1)) + 1 END $$;

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
-- Redshift's REGEXP_COUNT / _INSTR / _SUBSTR / _REPLACE take parameters c
-- (case-sensitive), i (insensitive), e (return the first subexpression) and
-- p (PCRE: PostgreSQL's advanced regular expressions already take lookaheads
-- and \d, and PostgreSQL's own p flag means something else, so it is
-- dropped); REGEXP_REPLACE replaces every match.  PostgreSQL's built-ins of
-- these names cannot be replaced (the server calls built-ins by OID, whatever
-- pg_proc says), so Redshift's versions live in schema localshift and the
-- translator qualifies calls to them.
CREATE OR REPLACE FUNCTION localshift.regexp_flags(parameters text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT translate(coalesce($1, ''), 'ep', '') $$;

-- 1 when 'e' asks for the first subexpression and the pattern has one (Redshift ignores 'e' otherwise).
CREATE OR REPLACE FUNCTION localshift.regexp_subexpr(pattern text, parameters text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN strpos(coalesce($2, ''), 'e') > 0 AND $1 ~ E'(^|[^\\\\])\\((?!\\?)' THEN 1 ELSE 0 END $$;

-- REGEXP_COUNT(source, pattern [, position [, parameters]])
CREATE OR REPLACE FUNCTION localshift.regexp_count(text, text, integer DEFAULT 1, text DEFAULT 'c')
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.regexp_count($1, $2, greatest($3, 1), localshift.regexp_flags($4)) $$;

-- REGEXP_INSTR(source, pattern [, position [, occurrence [, option [, parameters]]]]):
-- 0 when there is no such occurrence.
CREATE OR REPLACE FUNCTION localshift.regexp_instr(text, text, integer DEFAULT 1, integer DEFAULT 1,
                                                   integer DEFAULT 0, text DEFAULT 'c')
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $4 < 1 THEN 0 ELSE
    pg_catalog.regexp_instr($1, $2, greatest($3, 1), $4, least(abs($5), 1), localshift.regexp_flags($6),
                            localshift.regexp_subexpr($2, $6))
END $$;

-- REGEXP_SUBSTR(source, pattern [, position [, occurrence [, parameters]]]): NULL when there is no match.
CREATE OR REPLACE FUNCTION localshift.regexp_substr(text, text, integer DEFAULT 1, integer DEFAULT 1,
                                                    text DEFAULT 'c')
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $4 < 1 THEN NULL ELSE
    pg_catalog.regexp_substr($1, $2, greatest($3, 1), $4, localshift.regexp_flags($5),
                             localshift.regexp_subexpr($2, $5))
END $$;

-- REGEXP_REPLACE(source, pattern [, replace_string [, position [, parameters]]])
CREATE OR REPLACE FUNCTION localshift.regexp_replace(text, text, text DEFAULT '', integer DEFAULT 1,
                                                     text DEFAULT 'c')
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.regexp_replace($1, $2, $3, greatest($4, 1), 0, localshift.regexp_flags($5)) $$;

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
SELECT string_agg(set_byte(decode('00', 'hex'), 0, ((value >> (8 * i)) & 255)::integer), ''::bytea ORDER BY i)
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

-- SHA1(string) / FUNC_SHA1(string): the SHA-1 digest of the UTF-8 bytes, 40 hexadecimal digits
-- (the engine has no SHA-1 of its own: FIPS 180-4, words held in bigints).
CREATE OR REPLACE FUNCTION localshift.sha1(data bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    mask constant bigint := 4294967295;
    h bigint[] := ARRAY[1732584193, 4023233417, 2562383102, 271733878, 3285377520];
    padded bytea := data || decode('80', 'hex');
    w bigint[];
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
    base integer;
BEGIN
    padded := padded || decode(repeat('00', (120 - length(padded) % 64) % 64), 'hex')
              || int8send(length(data)::bigint * 8);
    FOR block IN 0..length(padded) / 64 - 1 LOOP
        base := block * 64;
        FOR i IN 1..16 LOOP
            w[i] := (get_byte(padded, base + 4 * i - 4)::bigint << 24) | (get_byte(padded, base + 4 * i - 3) << 16)
                    | (get_byte(padded, base + 4 * i - 2) << 8) | get_byte(padded, base + 4 * i - 1);
        END LOOP;
        FOR i IN 17..80 LOOP
            t := w[i - 3] # w[i - 8] # w[i - 14] # w[i - 16];
            w[i] := ((t << 1) | (t >> 31)) & mask;
        END LOOP;
        a := h[1]; b := h[2]; c := h[3]; d := h[4]; e := h[5];
        FOR i IN 1..80 LOOP
            IF i <= 20 THEN
                f := (b & c) | ((~b) & mask & d); k := 1518500249;
            ELSIF i <= 40 THEN
                f := b # c # d; k := 1859775393;
            ELSIF i <= 60 THEN
                f := (b & c) | (b & d) | (c & d); k := 2400959708;
            ELSE
                f := b # c # d; k := 3395469782;
            END IF;
            t := ((((a << 5) | (a >> 27)) & mask) + f + e + k + w[i]) & mask;
            e := d; d := c; c := ((b << 30) | (b >> 2)) & mask; b := a; a := t;
        END LOOP;
        h := ARRAY[(h[1] + a) & mask, (h[2] + b) & mask, (h[3] + c) & mask, (h[4] + d) & mask,
                   (h[5] + e) & mask];
    END LOOP;
    RETURN (SELECT string_agg(lpad(to_hex(x), 8, '0'), '') FROM unnest(h) AS x);
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.sha1(text) RETURNS varchar(40)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.sha1(convert_to($1, 'UTF8')) $$;
CREATE OR REPLACE FUNCTION pg_catalog.func_sha1(text) RETURNS varchar(40)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.sha1(convert_to($1, 'UTF8')) $$;

-- CHECKSUM(expression): an INTEGER.  A DECIMAL's unscaled digits (109.20 gives 10920, as in
-- Redshift's example), an integer itself, wrapped to 32 bits; a string's 32-bit FNV-1a hash
-- (Redshift does not say how it checksums strings).
CREATE OR REPLACE FUNCTION localshift.wrap_int32(numeric) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT (CASE WHEN r >= 2147483648 THEN r - 4294967296 ELSE r END)::integer
FROM (SELECT mod(mod($1, 4294967296) + 4294967296, 4294967296) AS r) AS wrapped $$;
CREATE OR REPLACE FUNCTION pg_catalog.checksum(numeric) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.wrap_int32(trunc($1 * 10::numeric ^ scale($1))) $$;
CREATE OR REPLACE FUNCTION pg_catalog.checksum(bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.wrap_int32($1) $$;
CREATE OR REPLACE FUNCTION pg_catalog.checksum(integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION pg_catalog.checksum(smallint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::integer $$;
CREATE OR REPLACE FUNCTION pg_catalog.checksum(text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    data bytea := convert_to($1, 'UTF8');
    h bigint := 2166136261;
BEGIN
    FOR i IN 0..length(data) - 1 LOOP
        h := ((h # get_byte(data, i)) * 16777619) & 4294967295;
    END LOOP;
    RETURN localshift.wrap_int32(h);
END $$;
-- A date or time value converts implicitly to VARCHAR in Redshift (its implicit conversions:
-- DATE, TIME, TIMETZ, TIMESTAMP and TIMESTAMPTZ to VARCHAR; BOOLEAN to none), so it is
-- checksummed as its text.
DO $$
DECLARE
    source text;
BEGIN
    FOREACH source IN ARRAY ARRAY['date', 'time', 'time with time zone', 'timestamp',
                                  'timestamp with time zone'] LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.checksum(%s) RETURNS integer LANGUAGE sql '
                       'STABLE STRICT PARALLEL SAFE AS $body$ SELECT pg_catalog.checksum($1::text) $body$',
                       source);
    END LOOP;
END $$;

-- String functions (and MD5, CRC32) take numbers, dates and timestamps too, read as their text
-- (REPEAT(catid, 3), REVERSE(salesid), SUBSTRING(listtime, 6, 2)): Redshift
-- converts them implicitly.  A string argument still picks the text version.
DO $$
DECLARE
    f record;
    args text;
BEGIN
    FOR f IN SELECT * FROM (VALUES
        ('len', '', 'integer'), ('length', '', 'integer'), ('reverse', '', 'text'), ('upper', '', 'text'),
        ('lower', '', 'text'), ('initcap', '', 'text'), ('btrim', '', 'text'), ('ltrim', '', 'text'),
        ('rtrim', '', 'text'), ('repeat', ', integer', 'text'), ('replicate', ', integer', 'text'), ('left', ', integer', 'text'),
        ('right', ', integer', 'text'), ('lpad', ', integer', 'text'), ('rpad', ', integer', 'text'),
        ('lpad', ', integer, text', 'text'), ('rpad', ', integer, text', 'text'),
        ('substring', ', integer', 'text'), ('substring', ', integer, integer', 'text'),
        ('substr', ', integer', 'text'), ('substr', ', integer, integer', 'text'),
        ('replace', ', text, text', 'text'), ('translate', ', text, text', 'text'),
        ('split_part', ', text, integer', 'text'), ('strpos', ', text', 'integer'),
        ('btrim', ', text', 'text'), ('ltrim', ', text', 'text'), ('rtrim', ', text', 'text'),
        ('md5', '', 'text'), ('crc32', '', 'text')
    ) AS s(name, extra, result) LOOP
        -- One more argument per comma in the extra argument types.
        args := (SELECT string_agg(format('$%s', n), ', ')
                 FROM generate_series(2, 1 + length(f.extra) - length(replace(f.extra, ',', ''))) AS n);
        EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.%I(anynonarray%s) RETURNS %s LANGUAGE sql '
                       'STABLE STRICT PARALLEL SAFE AS $body$ SELECT pg_catalog.%I($1::text%s) $body$',
                       f.name, f.extra, f.result, f.name, coalesce(', ' || args, ''));
    END LOOP;
END $$;

-- POSITION(substring IN x) and CHARINDEX(substring, x) of a number or a date (PostgreSQL's
-- parser makes POSITION(s IN x) the call position(x, s)).
CREATE OR REPLACE FUNCTION pg_catalog.position(anynonarray, text) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.position($1::text, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.charindex(text, anynonarray) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.strpos($2::text, $1) $$;

-- BPCHARCMP(a, b) and BTTEXT_PATTERN_CMP(a, b): -1, 0 or 1 (PostgreSQL's comparison functions
-- of those names return any negative or positive number).
CREATE OR REPLACE FUNCTION localshift.bpcharcmp(character, character) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.sign(pg_catalog.bpcharcmp($1, $2))::integer $$;
CREATE OR REPLACE FUNCTION localshift.bttext_pattern_cmp(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.sign(pg_catalog.bttext_pattern_cmp($1, $2))::integer $$;

-- Phonetics ------------------------------------------------------------------------
-- SOUNDEX(string): American Soundex of the ASCII letters (others are ignored): the first
-- letter, then up to three digits (zero-padded); letters coded alike are coded once when
-- adjacent or separated by H or W only; an empty string when there is no letter.
CREATE OR REPLACE FUNCTION pg_catalog.soundex(text) RETURNS varchar
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    letters text := upper(regexp_replace($1, '[^A-Za-z]', '', 'g'));
    code text := left(letters, 1);
    previous text;
    digit text;
BEGIN
    IF letters = '' THEN
        RETURN '';
    END IF;
    previous := translate(left(letters, 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '01230120022455012623010202');
    FOR i IN 2..length(letters) LOOP
        EXIT WHEN length(code) = 4;
        digit := translate(substr(letters, i, 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123012H022455012623010W02');
        IF digit IN ('H', 'W') THEN
            CONTINUE;  -- H and W do not separate letters coded alike
        END IF;
        IF digit <> '0' AND digit <> previous THEN
            code := code || digit;
        END IF;
        previous := digit;
    END LOOP;
    RETURN rpad(code, 4, '0');
END $$;

-- DIFFERENCE(string1, string2): how many of the two Soundex codes' four characters match
-- (position by position); 0 when either string is empty, 1 when neither has a letter.
CREATE OR REPLACE FUNCTION pg_catalog.difference(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $1 = '' OR $2 = '' THEN 0
            WHEN a = '' AND b = '' THEN 1
            ELSE (SELECT count(*)::integer FROM generate_series(1, 4) AS i
                  WHERE substr(a, i, 1) <> '' AND substr(a, i, 1) = substr(b, i, 1))
       END
FROM (SELECT pg_catalog.soundex($1) AS a, pg_catalog.soundex($2) AS b) AS codes $$;
