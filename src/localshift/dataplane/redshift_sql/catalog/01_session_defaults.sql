-- Session defaults of a Redshift cluster, for every role in every database (settings a
-- client sends at connection, or SET, still win).
-- * String literals treat backslashes as escapes, as Redshift's do: LIKE's
--   default escape is written '\\' and '\\.' matches a dot in a regular
--   expression (PostgreSQL's standard_conforming_strings = off), without
--   PostgreSQL's warning for each such literal.
-- * Times are in UTC, dates written ISO, month before day in ambiguous input.
-- * Floating-point numbers print with 15 significant digits, as Redshift's
--   (pi() is 3.14159265358979).
ALTER ROLE ALL SET standard_conforming_strings = off;
ALTER ROLE ALL SET escape_string_warning = off;
ALTER ROLE ALL SET timezone = 'UTC';
ALTER ROLE ALL SET datestyle = 'ISO, MDY';
ALTER ROLE ALL SET extra_float_digits = 0;
