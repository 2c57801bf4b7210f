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
