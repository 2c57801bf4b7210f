-- TEXT_TO_INT_ALT and TEXT_TO_NUMERIC_ALT: strings read as numbers the Teradata way.

-- The number a string holds: leading and trailing blanks ignored, a blank string is 0, the
-- insertion characters / , : % ignored, a sign before or after the digits ('123-'), an exponent
-- ('-123E-2').  The format phrase, when given, may hold the digits 9 and Z (with a repetition
-- factor: 9(3), 9(I), 9(F)), a radix D or '.', V (an implied decimal point: the digits after it in
-- the format are the string's last ones), S after the last digit (signed zoned decimal: the
-- string's last character is a digit and its sign, '{' and A-I positive, '}' and J-R negative)
-- and a currency symbol $, L or C (the string's '$', 'USD' or 'US Dollars' is dropped); a value
-- with more integer digits than the phrase has before its radix fails (22003).  The
-- other Teradata characters (G, B, E, FN9, ...) fail with 0A000 rather than be read otherwise.
-- (No backslashes in the regular expressions: the session's string literals may take them as
-- escapes, as Redshift's do.)
-- The digit positions in (a part of) a format phrase: 9 and Z one each, 9(n) n, S one (signed zoned
-- decimal: the last digit and the sign in one character); NULL with 9(I) or 9(F) (any number).
CREATE OR REPLACE FUNCTION localshift.format_digit_count(phrase text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog AS $$
SELECT CASE WHEN bool_or(m[1] IN ('I', 'F')) THEN NULL
            ELSE coalesce(sum(CASE WHEN m[1] ~ '^[0-9]+$' THEN m[1]::integer ELSE 1 END), 0) END
FROM regexp_matches(phrase, '[9Z](?:[(]([0-9]+|I|F)[)])?|S', 'g') AS m $$;

CREATE OR REPLACE FUNCTION localshift.teradata_number(input text, format text, caller text)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    digits text := btrim(translate(input, '/,:%', ''));
    phrase text := upper(format);
    negative boolean := false;
    zone integer;
    fraction_digits integer;
    integer_digits integer;
    result numeric;
BEGIN
    IF input IS NULL THEN
        RETURN NULL;
    END IF;
    IF digits = '' THEN
        RETURN 0;
    END IF;
    IF phrase IS NOT NULL THEN
        IF regexp_replace(phrase, '[9Z][(]([0-9]+|I|F)[)]', '9', 'g') ~ '[^9ZDV.S$LC]' THEN
            RAISE EXCEPTION '% format phrase "%" is not supported by localshift', caller, format
                USING ERRCODE = 'feature_not_supported',
                      HINT = 'localshift reads the format characters 9, Z, D, ., V, S, $, L and C.';
        END IF;
        IF phrase ~ '[$LC]' THEN
            digits := btrim(regexp_replace(digits, '^([$]|USD|US Dollars)|([$]|USD|US Dollars)$', '', 'g'));
        END IF;
        IF phrase ~ 'S' THEN
            zone := strpos('{ABCDEFGHI}JKLMNOPQR', right(digits, 1));
            IF zone > 0 THEN
                negative := zone > 10;
                digits := left(digits, -1) || ((zone - 1) % 10)::text;
            END IF;
        END IF;
        IF phrase ~ 'V' THEN
            fraction_digits := localshift.format_digit_count(split_part(phrase, 'V', 2));
            IF fraction_digits > 0 THEN
                digits := left(digits, -fraction_digits) || '.' || right(digits, fraction_digits);
            END IF;
        END IF;
    END IF;
    IF digits ~ '[+-]$' THEN
        negative := negative <> (right(digits, 1) = '-');
        digits := btrim(left(digits, -1));
    END IF;
    result := CASE WHEN negative THEN -digits::numeric ELSE digits::numeric END;
    -- A value with more integer digits than the format phrase has positions for fails.
    integer_digits := localshift.format_digit_count(substring(phrase FROM '^[^D.V]*'));
    IF integer_digits IS NOT NULL AND length(trunc(abs(result))::text) > greatest(integer_digits, 1) THEN
        RAISE EXCEPTION '% value "%" does not fit the format phrase "%"', caller, input, format
            USING ERRCODE = 'numeric_value_out_of_range';
    END IF;
    RETURN result;
END $$;

-- TEXT_TO_INT_ALT(expression [, format]): INTEGER, the fraction truncated.
CREATE OR REPLACE FUNCTION pg_catalog.text_to_int_alt(text, text DEFAULT NULL) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pg_catalog.trunc(localshift.teradata_number($1, $2, 'TEXT_TO_INT_ALT'))::integer $$;

-- TEXT_TO_NUMERIC_ALT(expression [, format] [, precision, scale]): DECIMAL(precision, scale),
-- 38 and 0 by default; a value halfway between two results is rounded to the even one
-- ('1.5' is 2, '2.5' is 2); more digits than the precision allows fail (22003).
CREATE OR REPLACE FUNCTION localshift.round_half_even(value numeric, scale integer) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog AS $$
SELECT CASE WHEN abs(value * 10::numeric ^ scale - trunc(value * 10::numeric ^ scale)) = 0.5
                 AND trunc(value * 10::numeric ^ scale) % 2 = 0
            THEN trunc(value, scale)
            ELSE round(value, scale) END $$;

CREATE OR REPLACE FUNCTION pg_catalog.text_to_numeric_alt(text, text, integer, integer) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    result numeric := localshift.round_half_even(localshift.teradata_number($1, $2, 'TEXT_TO_NUMERIC_ALT'), $4);
BEGIN
    IF $3 < 1 OR $3 > 38 OR $4 < 0 OR $4 > $3 THEN
        RAISE EXCEPTION 'TEXT_TO_NUMERIC_ALT precision % and scale % are out of range', $3, $4
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF abs(trunc(result)) >= 10::numeric ^ ($3 - $4) THEN
        RAISE EXCEPTION 'numeric field overflow'
            USING ERRCODE = 'numeric_value_out_of_range',
                  DETAIL = format('A field with precision %s, scale %s must round to an absolute value less than 10^%s.',
                                  $3, $4, $3 - $4);
    END IF;
    RETURN result;
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.text_to_numeric_alt(text, integer, integer) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.text_to_numeric_alt($1, NULL, $2, $3) $$;
CREATE OR REPLACE FUNCTION pg_catalog.text_to_numeric_alt(text, text DEFAULT NULL) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.text_to_numeric_alt($1, $2, 38, 0) $$;

-- TO_CHAR: VARCHAR, as Redshift's (PostgreSQL's is TEXT), and PostgreSQL's formatting, but for two
-- of Redshift's format elements the engine (C locale, timestamps without a zone) prints otherwise: L, the currency symbol, is '$' (AWS's example
-- to_char(618.80, 'l99999D99') is '$   618.80'), and TZ / tz of a TIMESTAMP is its zone, UTC
-- ('02:30:00 UTC'), as Redshift reads a TIMESTAMP.  redshift_format rewrites those elements as
-- quoted text, outside the format's own quoted text; the calls rewrite only formats that have them.
CREATE OR REPLACE FUNCTION localshift.redshift_format(format text, numeric_format boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    result text := '';
    quoted boolean := false;
    i integer := 1;
    c text;
BEGIN
    WHILE i <= length(format) LOOP
        c := substr(format, i, 1);
        IF quoted THEN
            IF c = chr(92) THEN  -- a backslash escapes the next character
                result := result || substr(format, i, 2);
                i := i + 2;
                CONTINUE;
            END IF;
            quoted := c <> '"';
        ELSIF c = '"' THEN
            quoted := true;
        ELSIF numeric_format AND upper(c) = 'L' AND upper(substr(format, i - 1, 1)) <> 'P' THEN
            c := '"$"';
        ELSIF NOT numeric_format AND substr(format, i, 2) IN ('TZ', 'tz')
              AND upper(substr(format, i + 2, 1)) NOT IN ('H', 'M') THEN
            c := CASE WHEN c = 'T' THEN '"UTC"' ELSE '"utc"' END;
            i := i + 1;
        END IF;
        result := result || c;
        i := i + 1;
    END LOOP;
    RETURN result;
END $$;

CREATE OR REPLACE FUNCTION localshift.to_char(timestamp, text) RETURNS varchar
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT pg_catalog.to_char($1, CASE WHEN $2 ~* 'tz' THEN localshift.redshift_format($2, false) ELSE $2 END)::varchar $$;
CREATE OR REPLACE FUNCTION localshift.to_char(timestamptz, text) RETURNS varchar
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT pg_catalog.to_char($1, $2)::varchar $$;
CREATE OR REPLACE FUNCTION localshift.to_char(interval, text) RETURNS varchar
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT pg_catalog.to_char($1, $2)::varchar $$;
DO $$
DECLARE
    number_type text;
BEGIN
    FOREACH number_type IN ARRAY ARRAY['numeric', 'double precision', 'real', 'integer', 'bigint'] LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.to_char(%s, text) RETURNS varchar '
                       'LANGUAGE sql STABLE PARALLEL SAFE AS $f$ SELECT pg_catalog.to_char($1, CASE WHEN $2 ~* ''l'' '
                       'THEN localshift.redshift_format($2, true) ELSE $2 END)::varchar $f$', number_type);
    END LOOP;
END $$;
