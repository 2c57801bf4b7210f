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

-- LISTAGG's limit: Redshift fails when a result passes the maximum VARCHAR, 65535 bytes
-- ("Invalid operation: Result size exceeds LISTAGG limit").  The translator passes the
-- aggregate's result and the limit to this function of the same name, so the column keeps
-- Redshift's name (a string delimiter still picks the aggregate: an unknown literal prefers
-- text to integer).
CREATE OR REPLACE FUNCTION pg_catalog.listagg(text, integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
BEGIN
    IF octet_length($1) > $2 THEN
        RAISE EXCEPTION 'Result size exceeds LISTAGG limit'
            USING ERRCODE = 'XX000', DETAIL = format('LISTAGG limit: %s bytes', $2);
    END IF;
    RETURN $1;
END $$;

-- RATIO_TO_REPORT(x) OVER (...): the translator passes the value and its window's
-- sum, so the result column is named as Redshift names it.
CREATE OR REPLACE FUNCTION pg_catalog.ratio_to_report(double precision, double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 / NULLIF($2, 0) $$;

-- AVG(x) of a REAL: Redshift sums floats as DOUBLE PRECISION (its SUM of a REAL returns DOUBLE
-- PRECISION), PostgreSQL sums a REAL as a REAL, with a REAL's digits.  The translator passes
-- AVG's argument to SUM through localshift.sum_argument, which turns a REAL into a DOUBLE
-- PRECISION and leaves every other type as it is (the engine inlines these).  The
-- integer and decimal versions are there because those convert implicitly to REAL too: without
-- them, sum_argument(integer) would be ambiguous.
CREATE OR REPLACE FUNCTION localshift.sum_argument(real) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1::double precision $$;
CREATE OR REPLACE FUNCTION localshift.sum_argument(anyelement) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION localshift.sum_argument(smallint) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION localshift.sum_argument(integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION localshift.sum_argument(bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION localshift.sum_argument(numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 $$;

-- AVG(x): the translator passes sum(x) and count(x) (with the call's DISTINCT, FILTER and
-- OVER) and a NULL of x's type (the sample), so the result has Redshift's type: BIGINT for
-- SMALLINT, INTEGER and BIGINT, truncated toward zero (the average of 1 and 2 is 1); for
-- DECIMAL the argument's scale, truncated (a DECIMAL(8,2) column averages to 175.00);
-- DOUBLE PRECISION for floats.  PostgreSQL sums SMALLINT and INTEGER as BIGINT but BIGINT
-- as NUMERIC, like DECIMAL: the sample tells those two apart.  Not STRICT: the sample is
-- always NULL.
CREATE OR REPLACE FUNCTION pg_catalog.avg(bigint, bigint, anyelement) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 / $2 $$;
CREATE OR REPLACE FUNCTION pg_catalog.avg(numeric, bigint, bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT trunc($1 / $2)::bigint $$;
CREATE OR REPLACE FUNCTION pg_catalog.avg(numeric, bigint, numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT trunc($1 / $2, scale($1)) $$;
CREATE OR REPLACE FUNCTION pg_catalog.avg(double precision, bigint, anyelement) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 / $2 $$;
CREATE OR REPLACE FUNCTION pg_catalog.avg(interval, bigint, anyelement) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1 / $2 $$;

-- PERCENTILE_CONT / PERCENTILE_DISC (fraction) WITHIN GROUP (ORDER BY x) OVER (PARTITION BY p):
-- PostgreSQL has no ordered-set aggregates over windows.  The translator passes each
-- partition's values, sorted once per partition (localshift.sorted_values over the same
-- window), the fraction, and whether the order is descending.  PERCENTILE_CONT's aggregate
-- form goes the same way (without OVER): PostgreSQL's own returns DOUBLE PRECISION, where
-- Redshift returns DECIMAL for integers and decimals and the argument's type for dates and
-- timestamps.
CREATE OR REPLACE FUNCTION localshift.sorted(anycompatiblearray) RETURNS anycompatiblearray
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT array_agg(v ORDER BY v) FROM unnest($1) AS v WHERE v IS NOT NULL $$;
CREATE OR REPLACE AGGREGATE localshift.sorted_values(anycompatible) (
    SFUNC = array_append, STYPE = anycompatiblearray, FINALFUNC = localshift.sorted);

CREATE OR REPLACE FUNCTION localshift.check_percentile(double precision) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF $1 < 0 OR $1 > 1 THEN
        PERFORM localshift.raise_error('22003', format('percentile value %s is not between 0 and 1', $1), NULL);
    END IF;
    RETURN $1;
END $$;

-- Linear interpolation between the values around position 1 + fraction * (n - 1).
-- Floats, timestamps and times (the interval between the two values, scaled) alike.
DO $$
DECLARE source regtype;
BEGIN
    FOREACH source IN ARRAY ARRAY['double precision', 'timestamp', 'timestamptz', 'time']::regtype[] LOOP
        EXECUTE format($create$
CREATE OR REPLACE FUNCTION pg_catalog.percentile_cont(%1$s[], double precision, boolean)
RETURNS %1$s LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$
SELECT $1[floor(pos)::integer] + ($1[ceil(pos)::integer] - $1[floor(pos)::integer]) * (pos - floor(pos))
FROM (SELECT 1 + (CASE WHEN $3 THEN 1 - f ELSE f END) * (cardinality($1) - 1) AS pos
      FROM localshift.check_percentile($2) AS f) AS p $body$ $create$, source);
    END LOOP;
END $$;

-- DECIMAL: exact, with the values' scale and the digits the interpolation adds (the
-- 0.25 percentile of 2 and 3 is 2.25; of 2.00 and 3.00, 2.25; of 2 and 2, 2), as MEDIAN.
CREATE OR REPLACE FUNCTION pg_catalog.percentile_cont(numeric[], double precision, boolean)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT round(v, greatest(scale(trim_scale(v)), scale(lo), scale(hi)))
FROM (SELECT lo, hi, lo + (hi - lo) * (pos - floor(pos)) AS v
      FROM (SELECT $1[floor(pos)::integer] AS lo, $1[ceil(pos)::integer] AS hi, pos
            FROM (SELECT 1 + (CASE WHEN $3 THEN 1 - f::numeric ELSE f::numeric END) * (cardinality($1) - 1) AS pos
                  FROM localshift.check_percentile($2) AS f) AS p) AS around) AS interpolated $$;
-- Integers give DECIMAL too.
DO $$
DECLARE source regtype;
BEGIN
    FOREACH source IN ARRAY ARRAY['bigint', 'integer', 'smallint']::regtype[] LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.percentile_cont(%s[], double precision, boolean) '
                       'RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS '
                       '$body$ SELECT pg_catalog.percentile_cont($1::numeric[], $2, $3) $body$', source);
    END LOOP;
END $$;
-- A DATE's result is the day the interpolated time falls in.
CREATE OR REPLACE FUNCTION pg_catalog.percentile_cont(date[], double precision, boolean)
RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.percentile_cont($1::timestamp[], $2, $3)::date $$;
-- TIMETZ: values ordered and interpolated as their times of day in UTC, the result in UTC (+00),
-- as Redshift stores and shows TIMETZ.
CREATE OR REPLACE FUNCTION pg_catalog.percentile_cont(timetz[], double precision, boolean)
RETURNS timetz LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT (pg_catalog.percentile_cont(ARRAY(SELECT timezone('UTC', v)::time AS t FROM unnest($1) AS v ORDER BY t),
                                   $2, $3)::text || '+00')::timetz $$;

-- The first value whose position reaches fraction * n, in the requested order.
CREATE OR REPLACE FUNCTION pg_catalog.percentile_disc(anycompatiblearray, double precision, boolean)
RETURNS anycompatible LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT $1[CASE WHEN $3 THEN cardinality($1) + 1 - k ELSE k END]
FROM (SELECT greatest(ceil(localshift.check_percentile($2) * cardinality($1))::integer, 1) AS k) AS p $$;

-- IGNORE NULLS and FROM LAST for FIRST_VALUE, LAST_VALUE, NTH_VALUE, LAG and LEAD (the
-- translator's null_treatment): first_values / last_values gather the first or last n values
-- of the window frame (NULLs skipped when ignore_nulls), the pickers below pick the n-th.
-- (A final function would not see n: FINALFUNC_EXTRA passes NULLs.)
CREATE OR REPLACE FUNCTION localshift.first_values_step(state anyarray, value anyelement, n integer,
                                                        ignore_nulls boolean) RETURNS anyarray
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN value IS NULL AND ignore_nulls OR coalesce(cardinality(state), 0) >= n THEN state
            ELSE array_append(state, value) END $$;
CREATE OR REPLACE AGGREGATE localshift.first_values(anyelement, integer, boolean) (
    SFUNC = localshift.first_values_step, STYPE = anyarray
);
CREATE OR REPLACE FUNCTION localshift.last_values_step(state anyarray, value anyelement, n integer,
                                                       ignore_nulls boolean) RETURNS anyarray
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN value IS NULL AND ignore_nulls OR n < 1 THEN state
            WHEN coalesce(cardinality(state), 0) < n THEN array_append(state, value)
            ELSE array_append(state[2:], value) END $$;
CREATE OR REPLACE AGGREGATE localshift.last_values(anyelement, integer, boolean) (
    SFUNC = localshift.last_values_step, STYPE = anyarray
);
-- The pickers are named after the window function they answer for, so that an unaliased result
-- column is named as Redshift names it (``first_value``, ``lag``...).  Their names are quoted: the
-- translator qualifies unquoted localshift names wherever they are called (install.engine_functions),
-- and PostgreSQL's own FIRST_VALUE, LAG... must stay PostgreSQL's.
CREATE OR REPLACE FUNCTION localshift."first_value"(anyarray, integer) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $2 >= 1 THEN $1[$2] END $$;
CREATE OR REPLACE FUNCTION localshift."last_value"(anyarray, integer) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $2 >= 1 AND cardinality($1) = $2 THEN $1[1] END $$;
CREATE OR REPLACE FUNCTION localshift."lead"(anyarray, integer) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift."first_value"($1, $2) $$;
CREATE OR REPLACE FUNCTION localshift."lag"(anyarray, integer) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT localshift."last_value"($1, $2) $$;
CREATE OR REPLACE FUNCTION localshift."nth_value"(anyarray, integer, from_last boolean) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN from_last THEN localshift."last_value"($1, $2) ELSE localshift."first_value"($1, $2) END $$;

-- BOOL_AND / BOOL_OR over integers (AWS: the expression has "a BOOLEAN or integer data type"):
-- an integer is true when it is not 0, as its cast to BOOLEAN says.  NULLs are skipped.
CREATE OR REPLACE FUNCTION localshift.bool_and_step(boolean, bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, true) AND $2 <> 0 END $$;
CREATE OR REPLACE FUNCTION localshift.bool_or_step(boolean, bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, false) OR $2 <> 0 END $$;
CREATE OR REPLACE AGGREGATE pg_catalog.bool_and(bigint) (
    SFUNC = localshift.bool_and_step, STYPE = boolean, COMBINEFUNC = booland_statefunc, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pg_catalog.bool_or(bigint) (
    SFUNC = localshift.bool_or_step, STYPE = boolean, COMBINEFUNC = boolor_statefunc, PARALLEL = SAFE);

-- SUM(x) with Redshift's result types: BIGINT for SMALLINT, INTEGER and BIGINT (PostgreSQL sums a
-- BIGINT as NUMERIC; Redshift's BIGINT sum overflows past 2^63: `22003 bigint out of range`),
-- DOUBLE PRECISION for REAL and DOUBLE PRECISION (PostgreSQL sums a REAL as a REAL, with a REAL's
-- digits), NUMERIC for NUMERIC.  The translator qualifies every SUM call (a name of this schema).
-- The versions PostgreSQL's types already match are its own aggregates' definitions under this name,
-- so they cost what PostgreSQL's do, in windows with moving frames too (inverse transitions).
CREATE OR REPLACE AGGREGATE localshift.sum(smallint) (
    SFUNC = int2_sum, STYPE = bigint, COMBINEFUNC = int8pl, MSFUNC = int2_avg_accum,
    MINVFUNC = int2_avg_accum_inv, MSTYPE = bigint[], MFINALFUNC = int2int4_sum, MINITCOND = '{0,0}',
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE localshift.sum(integer) (
    SFUNC = int4_sum, STYPE = bigint, COMBINEFUNC = int8pl, MSFUNC = int4_avg_accum,
    MINVFUNC = int4_avg_accum_inv, MSTYPE = bigint[], MFINALFUNC = int2int4_sum, MINITCOND = '{0,0}',
    PARALLEL = SAFE);
-- BIGINT: added as BIGINTs; in a moving frame, a {count, sum} pair (int2int4_sum gives NULL for none).
CREATE OR REPLACE FUNCTION localshift.sum_bigint_add(bigint[], bigint) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ARRAY[$1[1] + 1, $1[2] + $2] $$;
CREATE OR REPLACE FUNCTION localshift.sum_bigint_remove(bigint[], bigint) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ARRAY[$1[1] - 1, $1[2] - $2] $$;
CREATE OR REPLACE AGGREGATE localshift.sum(bigint) (
    SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, MSFUNC = localshift.sum_bigint_add,
    MINVFUNC = localshift.sum_bigint_remove, MSTYPE = bigint[], MFINALFUNC = int2int4_sum,
    MINITCOND = '{0,0}', PARALLEL = SAFE);
-- REAL: summed as DOUBLE PRECISION by float4_accum ({count, sum, sum of squares}, as AVG(real) keeps).
CREATE OR REPLACE FUNCTION localshift.sum_of_floats(double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT CASE WHEN $1[1] > 0 THEN $1[2] END $$;
CREATE OR REPLACE AGGREGATE localshift.sum(real) (
    SFUNC = float4_accum, STYPE = double precision[], FINALFUNC = localshift.sum_of_floats,
    COMBINEFUNC = float8_combine, INITCOND = '{0,0,0}', PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE localshift.sum(double precision) (
    SFUNC = float8pl, STYPE = double precision, COMBINEFUNC = float8pl, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE localshift.sum(numeric) (
    SFUNC = numeric_avg_accum, STYPE = internal, SSPACE = 128, FINALFUNC = numeric_sum,
    COMBINEFUNC = numeric_avg_combine, SERIALFUNC = numeric_avg_serialize,
    DESERIALFUNC = numeric_avg_deserialize, MSFUNC = numeric_avg_accum, MINVFUNC = numeric_accum_inv,
    MSTYPE = internal, MSSPACE = 128, MFINALFUNC = numeric_sum, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE localshift.sum(interval) (
    SFUNC = interval_avg_accum, STYPE = internal, SSPACE = 40, FINALFUNC = interval_sum,
    COMBINEFUNC = interval_avg_combine, SERIALFUNC = interval_avg_serialize,
    DESERIALFUNC = interval_avg_deserialize, MSFUNC = interval_avg_accum,
    MINVFUNC = interval_avg_accum_inv, MSTYPE = internal, MSSPACE = 40, MFINALFUNC = interval_sum,
    PARALLEL = SAFE);

-- HLL(x): Redshift's HyperLogLog estimate of the number of distinct non-NULL values, given
-- exactly here (within the estimate's error bounds, as APPROXIMATE COUNT(DISTINCT x) is), BIGINT.
CREATE OR REPLACE FUNCTION localshift.hll_step(anyarray, anyelement) RETURNS anyarray
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN $2 IS NULL THEN $1 ELSE array_append($1, $2) END $$;
CREATE OR REPLACE FUNCTION localshift.hll_final(anyarray) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT count(DISTINCT v) FROM unnest($1) AS v $$;
CREATE OR REPLACE AGGREGATE localshift.hll(anyelement) (
    SFUNC = localshift.hll_step, STYPE = anyarray, FINALFUNC = localshift.hll_final, INITCOND = '{}'
);
