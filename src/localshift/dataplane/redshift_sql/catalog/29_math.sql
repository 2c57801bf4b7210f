-- Redshift's math functions whose results PostgreSQL types differently.  They live in
-- localshift, and the translator qualifies every unqualified call of their names.

-- POWER / POW: DOUBLE PRECISION whatever the arguments (PostgreSQL's NUMERIC overload would
-- give POWER(2.0, 3) as 8.0000000000000000).
CREATE OR REPLACE FUNCTION localshift.power(double precision, double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.power($1, $2) $$;
CREATE OR REPLACE FUNCTION localshift.pow(double precision, double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.power($1, $2) $$;

-- LOG([base, ] argument): DOUBLE PRECISION, base 10 without a base.
CREATE OR REPLACE FUNCTION localshift.log(double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.log($1) $$;
CREATE OR REPLACE FUNCTION localshift.log(double precision, double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.ln($2) / pg_catalog.ln($1) $$;

-- SQRT, EXP: DOUBLE PRECISION whatever the argument (PostgreSQL's NUMERIC overloads would give
-- SQRT(ROUND(16.4)) as 4.000000000000000).
CREATE OR REPLACE FUNCTION localshift.sqrt(double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.sqrt($1) $$;
CREATE OR REPLACE FUNCTION localshift.exp(double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.exp($1) $$;

-- CEILING / CEIL, FLOOR, ROUND, TRUNC and SIGN return their argument's type: an integer stays an
-- integer (PostgreSQL reads integers as DOUBLE PRECISION there).  These exact overloads win over
-- PostgreSQL's NUMERIC and DOUBLE PRECISION ones for integer arguments.
DO $$
DECLARE
    integer_type text;
    function_name text;
BEGIN
    FOREACH integer_type IN ARRAY ARRAY['smallint', 'integer', 'bigint'] LOOP
        FOREACH function_name IN ARRAY ARRAY['ceil', 'ceiling', 'floor', 'round', 'trunc'] LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.%I(%s) RETURNS %s '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$ SELECT $1 $f$',
                           function_name, integer_type, integer_type);
        END LOOP;
        -- ROUND(15, -1) is 20, an INTEGER (PostgreSQL's NUMERIC would print ROUND(5, 1) as 5.0).
        FOREACH function_name IN ARRAY ARRAY['round', 'trunc'] LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.%I(%s, integer) RETURNS %s '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS '
                           '$f$ SELECT pg_catalog.%I($1::numeric, $2)::%s $f$',
                           function_name, integer_type, integer_type, function_name, integer_type);
        END LOOP;
        EXECUTE format('CREATE OR REPLACE FUNCTION pg_catalog.sign(%s) RETURNS %s '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$ SELECT pg_catalog.sign($1::numeric)::%s $f$',
                       integer_type, integer_type, integer_type);
    END LOOP;
END $$;

-- ROUND(x, n) and TRUNC(x, n) of a DOUBLE PRECISION (PostgreSQL has them for NUMERIC only): the
-- digits as NUMERIC gives them (a half rounds away from zero), as DOUBLE PRECISION.
CREATE OR REPLACE FUNCTION pg_catalog.round(double precision, integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.round($1::numeric, $2)::double precision $$;
CREATE OR REPLACE FUNCTION pg_catalog.trunc(double precision, integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.trunc($1::numeric, $2)::double precision $$;

-- DECIMAL division at Redshift's result scale ("Computations with numeric values": max(4, s1 + p2 -
-- s2 + 1), which the translator computes from the operands' declared types: decimal_arithmetic.py).
-- PostgreSQL's NUMERIC division gives at least 16 significant digits, rounded at a scale of its own
-- choosing.  The quotient is truncated one digit past the scale (div: exact, toward zero), then
-- rounded to it, half away from zero: one rounding, whatever the length of the digits.  By zero
-- fails as PostgreSQL's division does (22012).
CREATE OR REPLACE FUNCTION localshift.decimal_divide(numeric, numeric, integer) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT pg_catalog.round(pg_catalog.div($1 * ('1e' || ($3 + 1))::numeric, $2) * ('1e-' || ($3 + 1))::numeric, $3) $$;
