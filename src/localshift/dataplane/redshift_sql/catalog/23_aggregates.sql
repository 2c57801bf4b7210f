-- Redshift's aggregates that PostgreSQL lacks.

-- MEDIAN(expr): PERCENTILE_CONT(0.5); DECIMAL for integer and decimal input,
-- DOUBLE PRECISION for floating point.  Values are gathered in an array and
-- sorted once at the end.
-- The mean of the two middle values keeps the inputs' scale, with one more
-- digit when needed (the median of 1 and 2 is 1.5).
CREATE OR REPLACE FUNCTION localshift.median_of(numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN n = 0 THEN NULL
            WHEN n % 2 = 1 THEN sorted[n / 2 + 1]
            WHEN round(mean, digits) = mean THEN round(mean, digits)
            ELSE round(mean, digits + 1)
       END
FROM (SELECT n, sorted, (sorted[n / 2] + sorted[n / 2 + 1]) / 2 AS mean,
             greatest(scale(sorted[n / 2]), scale(sorted[n / 2 + 1])) AS digits
      FROM (SELECT count(v) AS n, array_agg(v ORDER BY v) FILTER (WHERE v IS NOT NULL) AS sorted
            FROM unnest($1) AS v) AS gathered) AS middle $$;

CREATE OR REPLACE FUNCTION localshift.median_of(double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest($1) AS v $$;

CREATE OR REPLACE AGGREGATE pg_catalog.median(numeric) (
    SFUNC = array_append, STYPE = numeric[], FINALFUNC = localshift.median_of,
    COMBINEFUNC = array_cat, PARALLEL = SAFE);
-- Integers: the same, gathered in arrays of their own type.
DO $$
DECLARE source regtype;
BEGIN
    FOREACH source IN ARRAY ARRAY['bigint', 'integer', 'smallint']::regtype[] LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.median_of(%s[]) RETURNS numeric LANGUAGE sql '
                       'IMMUTABLE STRICT PARALLEL SAFE AS $body$ SELECT localshift.median_of($1::numeric[]) $body$',
                       source);
        EXECUTE format('CREATE OR REPLACE AGGREGATE pg_catalog.median(%1$s) (SFUNC = array_append, STYPE = %1$s[], '
                       'FINALFUNC = localshift.median_of, COMBINEFUNC = array_cat, PARALLEL = SAFE)', source);
    END LOOP;
END $$;
CREATE OR REPLACE AGGREGATE pg_catalog.median(double precision) (
    SFUNC = array_append, STYPE = double precision[], FINALFUNC = localshift.median_of,
    COMBINEFUNC = array_cat, PARALLEL = SAFE);

-- LISTAGG(expr [, delimiter]): string_agg under Redshift's name.  The
-- translator moves WITHIN GROUP (ORDER BY ...) into the call:
-- listagg(x, ',' ORDER BY y).  Other types than strings are converted to text.
CREATE OR REPLACE AGGREGATE pg_catalog.listagg(text, text) (
    SFUNC = string_agg_transfn, STYPE = internal, FINALFUNC = string_agg_finalfn,
    COMBINEFUNC = string_agg_combine, SERIALFUNC = string_agg_serialize,
    DESERIALFUNC = string_agg_deserialize, PARALLEL = SAFE);

-- One argument: no delimiter.
CREATE OR REPLACE FUNCTION localshift.concat_array(text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT array_to_string($1, '') $$;
CREATE OR REPLACE AGGREGATE pg_catalog.listagg(text) (
    SFUNC = array_append, STYPE = text[], FINALFUNC = localshift.concat_array,
    COMBINEFUNC = array_cat, PARALLEL = SAFE);

CREATE OR REPLACE FUNCTION localshift.listagg_any_step(text[], anynonarray, text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, ARRAY[coalesce($3, '')]) || $2::text END $$;
CREATE OR REPLACE FUNCTION localshift.listagg_any_final(text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT array_to_string($1[2:], $1[1]) $$;
CREATE OR REPLACE AGGREGATE pg_catalog.listagg(anynonarray, text) (
    SFUNC = localshift.listagg_any_step, STYPE = text[], FINALFUNC = localshift.listagg_any_final);

-- RATIO_TO_REPORT(x) OVER (...): the translator passes the value and its window's
-- sum, so the result column is named as Redshift names it.
CREATE OR REPLACE FUNCTION pg_catalog.ratio_to_report(double precision, double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 / NULLIF($2, 0) $$;
