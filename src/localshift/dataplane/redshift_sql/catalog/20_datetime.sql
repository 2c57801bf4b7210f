-- Redshift's date and time functions.  Functions users call by name live in
-- pg_catalog (like Redshift's own), helpers the translator targets in localshift.
-- The translator turns bare date parts (DATEADD(day, ...)) into text
-- ('day'); every function here accepts all of Redshift's names and
-- abbreviations for a date part, in any case.

-- The canonical name of a Redshift date part, or NULL when Redshift has no such part.
CREATE OR REPLACE FUNCTION localshift.datepart_name(part text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE lower(btrim($1))
    WHEN 'millennium' THEN 'millennium' WHEN 'millennia' THEN 'millennium'
    WHEN 'mil' THEN 'millennium' WHEN 'mils' THEN 'millennium'
    WHEN 'century' THEN 'century' WHEN 'centuries' THEN 'century' WHEN 'c' THEN 'century'
    WHEN 'cent' THEN 'century' WHEN 'cents' THEN 'century'
    WHEN 'decade' THEN 'decade' WHEN 'decades' THEN 'decade' WHEN 'dec' THEN 'decade'
    WHEN 'decs' THEN 'decade'
    WHEN 'epoch' THEN 'epoch'
    WHEN 'year' THEN 'year' WHEN 'years' THEN 'year' WHEN 'y' THEN 'year' WHEN 'yr' THEN 'year'
    WHEN 'yrs' THEN 'year'
    WHEN 'quarter' THEN 'quarter' WHEN 'quarters' THEN 'quarter' WHEN 'qtr' THEN 'quarter'
    WHEN 'qtrs' THEN 'quarter'
    WHEN 'month' THEN 'month' WHEN 'months' THEN 'month' WHEN 'mon' THEN 'month'
    WHEN 'mons' THEN 'month'
    WHEN 'week' THEN 'week' WHEN 'weeks' THEN 'week' WHEN 'w' THEN 'week'
    WHEN 'dayofweek' THEN 'dow' WHEN 'dow' THEN 'dow' WHEN 'dw' THEN 'dow' WHEN 'weekday' THEN 'dow'
    WHEN 'dayofyear' THEN 'doy' WHEN 'doy' THEN 'doy' WHEN 'dy' THEN 'doy' WHEN 'yearday' THEN 'doy'
    WHEN 'day' THEN 'day' WHEN 'days' THEN 'day' WHEN 'd' THEN 'day'
    WHEN 'hour' THEN 'hour' WHEN 'hours' THEN 'hour' WHEN 'h' THEN 'hour' WHEN 'hr' THEN 'hour'
    WHEN 'hrs' THEN 'hour'
    WHEN 'minute' THEN 'minute' WHEN 'minutes' THEN 'minute' WHEN 'm' THEN 'minute'
    WHEN 'min' THEN 'minute' WHEN 'mins' THEN 'minute'
    WHEN 'second' THEN 'second' WHEN 'seconds' THEN 'second' WHEN 's' THEN 'second'
    WHEN 'sec' THEN 'second' WHEN 'secs' THEN 'second'
    WHEN 'millisecond' THEN 'millisecond' WHEN 'milliseconds' THEN 'millisecond'
    WHEN 'ms' THEN 'millisecond' WHEN 'msec' THEN 'millisecond' WHEN 'msecs' THEN 'millisecond'
    WHEN 'msecond' THEN 'millisecond' WHEN 'mseconds' THEN 'millisecond'
    WHEN 'millisec' THEN 'millisecond' WHEN 'millisecs' THEN 'millisecond'
    WHEN 'millisecon' THEN 'millisecond'
    WHEN 'microsecond' THEN 'microsecond' WHEN 'microseconds' THEN 'microsecond'
    WHEN 'microsec' THEN 'microsecond' WHEN 'microsecs' THEN 'microsecond'
    WHEN 'usecond' THEN 'microsecond' WHEN 'useconds' THEN 'microsecond'
    WHEN 'us' THEN 'microsecond' WHEN 'usec' THEN 'microsecond' WHEN 'usecs' THEN 'microsecond'
    WHEN 'timezone' THEN 'timezone' WHEN 'timezone_hour' THEN 'timezone_hour'
    WHEN 'timezone_minute' THEN 'timezone_minute'
END $$;

-- The canonical date part, or Redshift's error for a part the function does not support.
CREATE OR REPLACE FUNCTION localshift.datepart_for(part text, func text, supported text[])
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE canonical text := localshift.datepart_name(part);
BEGIN
    IF canonical IS NULL OR NOT canonical = ANY (supported) THEN
        RAISE EXCEPTION '% function does not support "%" parameter', func, part
            USING ERRCODE = 'feature_not_supported';
    END IF;
    RETURN canonical;
END $$;

-- Redshift converts dates, timestamps with time zone and strings where a
-- timestamp is expected.  define_variants gives every pg_catalog function
-- `name` taking `base` the same function on each of `variants`, reading them
-- as `base`; define_synonym gives every pg_catalog function `name` a second
-- name.  Only the catalog's own functions count (OIDs of PostgreSQL's built-ins
-- are below 16384).
CREATE OR REPLACE FUNCTION localshift.define_variants(name text, base regtype, variants regtype[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    f record;
    variant regtype;
    args text;
    params text;
BEGIN
    FOR f IN SELECT p.proargtypes::regtype[] AS types, p.prorettype::regtype AS result
             FROM pg_catalog.pg_proc p
             WHERE p.proname = name AND p.pronamespace = 'pg_catalog'::regnamespace
               AND p.oid >= 16384 AND base = ANY (p.proargtypes::regtype[]) LOOP
        FOREACH variant IN ARRAY variants LOOP
            SELECT string_agg(CASE WHEN t = base THEN variant::text ELSE t::text END, ', ' ORDER BY i),
                   string_agg(CASE WHEN t = base THEN format('$%s::%s', i, base) ELSE format('$%s', i) END,
                              ', ' ORDER BY i)
            INTO args, params FROM unnest(f.types) WITH ORDINALITY AS a(t, i);
            EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.%I(%s) RETURNS %s LANGUAGE sql STABLE STRICT '
                           'PARALLEL SAFE AS $body$ SELECT pg_catalog.%I(%s) $body$',
                           name, args, f.result, name, params);
        END LOOP;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION localshift.define_synonym(name text, synonym text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.proargtypes::regtype[] AS types, p.prorettype::regtype AS result,
                    CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END
                        AS volatility
             FROM pg_catalog.pg_proc p
             WHERE p.proname = name AND p.pronamespace = 'pg_catalog'::regnamespace AND p.oid >= 16384 LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.%I(%s) RETURNS %s LANGUAGE sql %s STRICT '
                       'PARALLEL SAFE AS $body$ SELECT pg_catalog.%I(%s) $body$', synonym,
                       array_to_string(f.types, ', '), f.result, f.volatility, name,
                       (SELECT string_agg(format('$%s', i), ', ') FROM generate_series(1, cardinality(f.types)) i));
    END LOOP;
END $$;

-- DATEADD / DATE_ADD ---------------------------------------------------------
-- Redshift names the result column date_add: the translator renames DATEADD
-- to date_add; dateadd is kept for statements that reach the engine as written.
CREATE OR REPLACE FUNCTION localshift.datepart_interval(part text, amount bigint)
RETURNS interval LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.datepart_for($1, 'dateadd', ARRAY['millennium', 'century', 'decade', 'year',
        'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond'])
    WHEN 'millennium' THEN make_interval(years => ($2 * 1000)::int)
    WHEN 'century' THEN make_interval(years => ($2 * 100)::int)
    WHEN 'decade' THEN make_interval(years => ($2 * 10)::int)
    WHEN 'year' THEN make_interval(years => $2::int)
    WHEN 'quarter' THEN make_interval(months => ($2 * 3)::int)
    WHEN 'month' THEN make_interval(months => $2::int)
    WHEN 'week' THEN make_interval(weeks => $2::int)
    WHEN 'day' THEN make_interval(days => $2::int)
    WHEN 'hour' THEN $2 * interval '1 hour'
    WHEN 'minute' THEN $2 * interval '1 minute'
    WHEN 'second' THEN $2 * interval '1 second'
    WHEN 'millisecond' THEN $2 * interval '1 millisecond'
    WHEN 'microsecond' THEN $2 * interval '1 microsecond'
END $$;

-- Whole years from February 29 land on March 1 of a common year (months land on February 28).
CREATE OR REPLACE FUNCTION localshift.add_datepart(part text, amount bigint, value timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN localshift.datepart_name($1) IN ('year', 'decade', 'century', 'millennium')
                 AND extract(month FROM $3) = 2 AND extract(day FROM $3) = 29 AND extract(day FROM moved) = 28
            THEN moved + interval '1 day' ELSE moved END
FROM (SELECT $3 + localshift.datepart_interval($1, $2) AS moved) AS added $$;

CREATE OR REPLACE FUNCTION pg_catalog.date_add(text, bigint, timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.add_datepart($1, $2, $3) $$;
CREATE OR REPLACE FUNCTION pg_catalog.date_add(text, bigint, timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT $3 + localshift.datepart_interval($1, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.date_add(text, bigint, time) RETURNS time
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $3 + localshift.datepart_interval($1, $2) $$;
-- Redshift keeps TIMETZ values in UTC.
CREATE OR REPLACE FUNCTION pg_catalog.date_add(text, bigint, timetz) RETURNS timetz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT ($3 + localshift.datepart_interval($1, $2)) AT TIME ZONE 'UTC' $$;

-- Dates become timestamps at midnight, as in Redshift; a string literal is read
-- as a timestamp (it would otherwise resolve to timestamptz).
SELECT localshift.define_variants('date_add', 'timestamp', ARRAY['date', 'text']::regtype[]);
SELECT localshift.define_synonym('date_add', 'dateadd');

-- DATEDIFF / DATE_DIFF: the number of date-part boundaries crossed -------------
CREATE OR REPLACE FUNCTION localshift.timestamp_diff(part text, a timestamp, b timestamp)
RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.datepart_for($1, 'datediff', ARRAY['millennium', 'century', 'decade', 'year',
        'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond'])
    WHEN 'millennium' THEN (extract(millennium FROM $3) - extract(millennium FROM $2))::bigint
    WHEN 'century' THEN (extract(century FROM $3) - extract(century FROM $2))::bigint
    WHEN 'decade' THEN (extract(decade FROM $3) - extract(decade FROM $2))::bigint
    WHEN 'year' THEN (extract(year FROM $3) - extract(year FROM $2))::bigint
    WHEN 'quarter' THEN ((extract(year FROM $3) * 4 + extract(quarter FROM $3))
                         - (extract(year FROM $2) * 4 + extract(quarter FROM $2)))::bigint
    WHEN 'month' THEN ((extract(year FROM $3) * 12 + extract(month FROM $3))
                       - (extract(year FROM $2) * 12 + extract(month FROM $2)))::bigint
    -- Weeks start on Monday.
    WHEN 'week' THEN ((date_trunc('week', $3)::date - date_trunc('week', $2)::date) / 7)::bigint
    WHEN 'day' THEN ($3::date - $2::date)::bigint
    WHEN 'hour' THEN (extract(epoch FROM date_trunc('hour', $3) - date_trunc('hour', $2)) / 3600)::bigint
    WHEN 'minute' THEN (extract(epoch FROM date_trunc('minute', $3) - date_trunc('minute', $2)) / 60)::bigint
    WHEN 'second' THEN extract(epoch FROM date_trunc('second', $3) - date_trunc('second', $2))::bigint
    WHEN 'millisecond' THEN (extract(epoch FROM date_trunc('milliseconds', $3)
                                            - date_trunc('milliseconds', $2)) * 1000)::bigint
    WHEN 'microsecond' THEN (extract(epoch FROM $3 - $2) * 1000000)::bigint
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.date_diff(text, timestamp, timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.timestamp_diff($1, $2, $3) $$;
-- Times count boundaries within one day (TIMETZ values as times of day in UTC).
CREATE OR REPLACE FUNCTION pg_catalog.date_diff(text, time, time) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.timestamp_diff($1, date '2000-01-01' + $2, date '2000-01-01' + $3) $$;
CREATE OR REPLACE FUNCTION pg_catalog.date_diff(text, timetz, timetz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.date_diff($1, ($2 AT TIME ZONE 'UTC')::time, ($3 AT TIME ZONE 'UTC')::time) $$;

SELECT localshift.define_variants('date_diff', 'timestamp', ARRAY['timestamptz', 'date', 'text']::regtype[]);
SELECT localshift.define_synonym('date_diff', 'datediff');

-- DATE_PART / PGDATE_PART ------------------------------------------------------
-- Redshift names DATE_PART's column pgdate_part (DATE_PART is a synonym of
-- PGDATE_PART): the translator calls pgdate_part.  Seconds keep their
-- fraction; milliseconds and microseconds are the fraction of the second alone
-- (DATE_PART(microsecond, '04:05:06.789') is 789000); Redshift's decade counts
-- from year 1 (2000 is in decade 201).
CREATE OR REPLACE FUNCTION localshift.timestamp_part(part text, value timestamp)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.datepart_for($1, 'date_part', ARRAY['millennium', 'century', 'decade', 'epoch',
        'year', 'quarter', 'month', 'week', 'dow', 'doy', 'day', 'hour', 'minute', 'second',
        'millisecond', 'microsecond'])
    WHEN 'decade' THEN pg_catalog.date_part('decade', $2) + 1
    WHEN 'millisecond' THEN (pg_catalog.date_part('microseconds', $2)::bigint % 1000000) / 1000.0
    WHEN 'microsecond' THEN pg_catalog.date_part('microseconds', $2)::bigint % 1000000
    ELSE pg_catalog.date_part(localshift.datepart_name($1), $2)
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.pgdate_part(text, timestamp) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.timestamp_part($1, $2) $$;
SELECT localshift.define_variants('pgdate_part', 'timestamp', ARRAY['date', 'text']::regtype[]);
CREATE OR REPLACE FUNCTION pg_catalog.pgdate_part(text, timestamptz) RETURNS double precision
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.datepart_name($1)
    WHEN 'timezone' THEN pg_catalog.date_part('timezone', $2)
    WHEN 'timezone_hour' THEN pg_catalog.date_part('timezone_hour', $2)
    WHEN 'timezone_minute' THEN pg_catalog.date_part('timezone_minute', $2)
    ELSE localshift.timestamp_part($1, $2::timestamp)
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.pgdate_part(text, time) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE localshift.datepart_for($1, 'date_part',
                                    ARRAY['hour', 'minute', 'second', 'millisecond', 'microsecond', 'epoch'])
    WHEN 'epoch' THEN pg_catalog.date_part('epoch', $2)
    ELSE localshift.timestamp_part($1, date '2000-01-01' + $2)
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.pgdate_part(text, timetz) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN localshift.datepart_name($1) IN ('timezone', 'timezone_hour', 'timezone_minute', 'epoch')
            THEN pg_catalog.date_part(localshift.datepart_name($1), $2)
            ELSE pg_catalog.pgdate_part($1, ($2 AT TIME ZONE 'UTC')::time) END $$;
CREATE OR REPLACE FUNCTION pg_catalog.pgdate_part(text, interval) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.date_part(localshift.datepart_name($1), $2) $$;

-- EXTRACT(part FROM x), as the translator writes it: the named part alone as an INTEGER, in a
-- column named date_part (Redshift's): seconds without their fraction, milliseconds without the
-- seconds, microseconds without the milliseconds, decades counted as DATE_PART counts them.
CREATE OR REPLACE FUNCTION localshift.date_part(part text, value anyelement) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE part
    WHEN 'milliseconds' THEN pg_catalog.floor(pg_catalog.date_part('microseconds', value) / 1000)::integer % 1000
    WHEN 'microseconds' THEN pg_catalog.date_part('microseconds', value)::integer % 1000
    WHEN 'second' THEN pg_catalog.floor(pg_catalog.date_part('second', value))::integer
    WHEN 'decade' THEN pg_catalog.pgdate_part('decade', value)::integer
    ELSE pg_catalog.date_part(part, value)::integer END $$;
-- A string is read as a timestamp (EXTRACT(year FROM '2008-01-01')).
CREATE OR REPLACE FUNCTION localshift.date_part(part text, value text) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.date_part(part, value::timestamp) $$;

-- DATE_PART_YEAR(date) -> integer
CREATE OR REPLACE FUNCTION pg_catalog.date_part_year(date) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT extract(year FROM $1)::integer $$;
-- A timestamp is read as its date, as Redshift converts it implicitly.
SELECT localshift.define_variants('date_part_year', 'date', ARRAY['timestamp', 'timestamptz', 'text']::regtype[]);

-- DATE_TRUNC: PostgreSQL's takes most of Redshift's part names; Redshift
-- returns a timestamp for a date (PostgreSQL would pick timestamptz).
CREATE OR REPLACE FUNCTION pg_catalog.date_trunc(text, date) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.date_trunc(localshift.datepart_name($1), $2::timestamp) $$;

-- GETDATE, SYSDATE, TRUNC --------------------------------------------------------
-- GETDATE: the start of the current statement, in the session time zone, to the second.
CREATE OR REPLACE FUNCTION pg_catalog.getdate() RETURNS timestamp
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT date_trunc('second', statement_timestamp()::timestamp) $$;
CREATE OR REPLACE FUNCTION pg_catalog.trunc(timestamp) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::date $$;
CREATE OR REPLACE FUNCTION pg_catalog.trunc(timestamptz) RETURNS date
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT $1::date $$;

-- Months ---------------------------------------------------------------------------
-- ADD_MONTHS: the last day of a month stays the last day of the result month.
CREATE OR REPLACE FUNCTION pg_catalog.add_months(timestamp, bigint) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $1::date = (date_trunc('month', $1) + interval '1 month - 1 day')::date
    THEN date_trunc('month', $1 + make_interval(months => $2::int)) + interval '1 month - 1 day'
         + ($1 - date_trunc('day', $1))
    ELSE $1 + make_interval(months => $2::int)
END $$;
SELECT localshift.define_variants('add_months', 'timestamp', ARRAY['date', 'timestamptz', 'text']::regtype[]);

CREATE OR REPLACE FUNCTION pg_catalog.last_day(timestamp) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT (date_trunc('month', $1) + interval '1 month - 1 day')::date $$;
SELECT localshift.define_variants('last_day', 'timestamp', ARRAY['date', 'timestamptz', 'text']::regtype[]);

-- MONTHS_BETWEEN: whole months when both dates share the day of month or are
-- both month ends; otherwise the fraction assumes 31-day months.
CREATE OR REPLACE FUNCTION pg_catalog.months_between(timestamp, timestamp) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE
    WHEN extract(day FROM $1) = extract(day FROM $2)
         OR ($1::date = pg_catalog.last_day($1) AND $2::date = pg_catalog.last_day($2))
    THEN ((extract(year FROM $1) - extract(year FROM $2)) * 12
          + extract(month FROM $1) - extract(month FROM $2))::double precision
    ELSE ((extract(year FROM $1) - extract(year FROM $2)) * 12
          + extract(month FROM $1) - extract(month FROM $2)
          + (extract(epoch FROM ($1 - date_trunc('month', $1)))
             - extract(epoch FROM ($2 - date_trunc('month', $2)))) / (31 * 86400))::double precision
END $$;
SELECT localshift.define_variants('months_between', 'timestamp', ARRAY['date', 'timestamptz', 'text']::regtype[]);

-- NEXT_DAY: the first given weekday after the date; the day is a name or an
-- unambiguous prefix of one, in any case.
CREATE OR REPLACE FUNCTION localshift.weekday_number(day text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    wanted text := lower(btrim(day));
    names text[] := ARRAY['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    found integer;
BEGIN
    FOR i IN 1..7 LOOP
        IF length(wanted) > 0 AND names[i] LIKE wanted || '%' THEN
            IF found IS NOT NULL THEN
                found := NULL;
                EXIT;
            END IF;
            found := i - 1;
        END IF;
    END LOOP;
    IF found IS NULL THEN
        RAISE EXCEPTION 'Invalid day name "%"', day USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN found;
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.next_day(date, text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT $1 + (((localshift.weekday_number($2) - extract(dow FROM $1)::integer + 6) % 7) + 1) $$;
SELECT localshift.define_variants('next_day', 'date', ARRAY['timestamp', 'timestamptz', 'text']::regtype[]);

-- CONVERT_TIMEZONE([source,] target, timestamp): the source defaults to UTC.
CREATE OR REPLACE FUNCTION pg_catalog.convert_timezone(text, text, timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ($3 AT TIME ZONE $1) AT TIME ZONE $2 $$;
CREATE OR REPLACE FUNCTION pg_catalog.convert_timezone(text, text, timestamptz) RETURNS timestamp
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT $3 AT TIME ZONE $2 $$;
CREATE OR REPLACE FUNCTION pg_catalog.convert_timezone(text, timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ($2 AT TIME ZONE 'UTC') AT TIME ZONE $1 $$;
CREATE OR REPLACE FUNCTION pg_catalog.convert_timezone(text, timestamptz) RETURNS timestamp
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT $2 AT TIME ZONE $1 $$;
-- A string is read as a timestamp.
SELECT localshift.define_variants('convert_timezone', 'timestamp', ARRAY['text']::regtype[]);


-- Redshift's reading of a datetime string with is_strict false (its default): a field past its
-- range rolls over into the next one ('2011-12-18 24:38:15' is 2011-12-19 00:38:15, day 31 of
-- June is July 1).  The format's numeric fields YYYY, MM, DD, HH24, MI, SS, MS and US are read as
-- numbers (up to their width, or until a non-digit), any other non-letter matches one character;
-- NULL when the format holds another field (month names, AM/PM, ...), a month is out of 1-12 or the
-- string does not follow the format: the caller then gives PostgreSQL's error.
CREATE OR REPLACE FUNCTION localshift.lenient_timestamp(string text, format text) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    fields constant text[] := ARRAY['YYYY', 'HH24', 'MM', 'DD', 'MI', 'SS', 'MS', 'US'];
    widths constant integer[] := ARRAY[4, 2, 2, 2, 2, 2, 3, 6];
    numbers integer[] := ARRAY[1, 0, 1, 1, 0, 0, 0, 0];
    f integer := 1;
    s integer := 1;
    found integer;
    digits text;
BEGIN
    IF upper(format) LIKE '%SSSS%' THEN  -- seconds past midnight, not two SS fields
        RETURN NULL;
    END IF;
    WHILE f <= length(format) LOOP
        found := NULL;
        FOR k IN 1..array_length(fields, 1) LOOP
            IF upper(substr(format, f, length(fields[k]))) = fields[k] THEN
                found := k;
                EXIT;
            END IF;
        END LOOP;
        IF found IS NULL THEN
            IF substr(format, f, 1) ~ '[A-Za-z"]' OR substr(string, s, 1) ~ '^[0-9]?$' THEN
                RETURN NULL;
            END IF;
            f := f + 1;
            s := s + 1;
        ELSE
            digits := substring(substr(string, s) FROM '^[0-9]{1,' || widths[found] || '}');
            IF digits IS NULL THEN
                RETURN NULL;
            END IF;
            -- MS and US are fractions of a second: '5' is 500 milliseconds, as PostgreSQL reads it.
            numbers[found] := CASE WHEN found >= 7 THEN rpad(digits, widths[found], '0') ELSE digits END::integer;
            f := f + length(fields[found]);
            s := s + length(digits);
        END IF;
    END LOOP;
    IF s <= length(string) OR numbers[3] NOT BETWEEN 1 AND 12 THEN
        RETURN NULL;
    END IF;
    RETURN make_timestamp(numbers[1], numbers[3], 1, 0, 0, 0)
           + make_interval(days => numbers[4] - 1, hours => numbers[2], mins => numbers[5],
                           secs => numbers[6] + numbers[7] / 1000.0 + numbers[8] / 1000000.0);
END $$;

-- TO_DATE(string, format [, is_strict]): PostgreSQL's to_date; without is_strict, or with false
-- (Redshift's default), a field past its range rolls over as in TO_TIMESTAMP (lenient_timestamp):
-- TO_DATE('20010631', 'YYYYMMDD') is 2001-07-01, as AWS documents.  With true, or when the
-- lenient reading does not apply (month 13, month names), the error is PostgreSQL's (22008).
CREATE OR REPLACE FUNCTION localshift.to_date(string text, format text, is_strict boolean DEFAULT false)
RETURNS date LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    lenient timestamp;
BEGIN
    RETURN pg_catalog.to_date(string, format);
EXCEPTION WHEN datetime_field_overflow THEN
    IF NOT is_strict THEN
        lenient := localshift.lenient_timestamp(string, format);
        IF lenient IS NOT NULL THEN
            RETURN lenient::date;
        END IF;
    END IF;
    RAISE;
END $$;

-- TO_TIMESTAMP(string, format [, is_strict]) and TO_TIMESTAMP(timestamp, format): TIMESTAMPTZ.  A
-- timestamp is printed with the format and read back (TO_TIMESTAMP(SYSDATE, 'YYYY-MM-DD HH24:MI:SS')
-- drops the fraction).  Without is_strict, or with false, a field past its range rolls over
-- (lenient_timestamp); with true it fails as PostgreSQL's to_timestamp does (22008).
CREATE OR REPLACE FUNCTION localshift.to_timestamp(text, text, is_strict boolean DEFAULT false)
RETURNS timestamptz LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog AS $$
DECLARE
    lenient timestamp;
    result timestamptz;
BEGIN
    result := pg_catalog.to_timestamp($1, $2);  -- in the block: its overflow is handled below
    -- Without a year (an empty string, a format of times only) Redshift's default is
    -- 0001-01-01 00:00:00, PostgreSQL's the year before it (1 BC).
    IF result < '0001-01-01 00:00:00+00' AND result >= '0001-01-01 00:00:00+00 BC'
       AND ($1 = '' OR regexp_replace(upper($2), 'DA?Y', '', 'g') !~ '[YJ]') THEN
        result := result + interval '1 year';
    END IF;
    RETURN result;
EXCEPTION WHEN datetime_field_overflow THEN
    IF NOT is_strict THEN
        lenient := localshift.lenient_timestamp($1, $2);
        IF lenient IS NOT NULL THEN
            RETURN lenient::timestamptz;
        END IF;
    END IF;
    RAISE;
END $$;
CREATE OR REPLACE FUNCTION localshift.to_timestamp(timestamp, text, is_strict boolean DEFAULT false)
RETURNS timestamptz LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.to_timestamp(pg_catalog.to_char($1, $2), $2) $$;
CREATE OR REPLACE FUNCTION localshift.to_timestamp(timestamptz, text, is_strict boolean DEFAULT false)
RETURNS timestamptz LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.to_timestamp(pg_catalog.to_char($1, $2), $2) $$;
-- PostgreSQL's TO_TIMESTAMP(seconds since 1970), which the calls of the name reach too.
CREATE OR REPLACE FUNCTION localshift.to_timestamp(double precision)
RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.to_timestamp($1) $$;

-- PG_TIMEZONE_ABBREVS(): Redshift's function listing the time zone abbreviations (PostgreSQL
-- has a view of that name), as PG_TIMEZONE_NAMES() lists the names.
CREATE OR REPLACE FUNCTION pg_catalog.pg_timezone_abbrevs(OUT abbrev text, OUT utc_offset interval, OUT is_dst boolean)
RETURNS SETOF record LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT abbrev, utc_offset, is_dst FROM pg_catalog.pg_timezone_abbrevs $$;
