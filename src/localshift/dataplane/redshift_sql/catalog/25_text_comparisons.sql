-- Comparisons of a string with a number, which PostgreSQL refuses (42883) unless the string is an
-- untyped literal.  Redshift's rule (Type compatibility and conversion): a DECIMAL compared with a
-- character string reads the string as a DECIMAL (a string that is no number fails, 22P02); any
-- other number (SMALLINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION) is converted to a character
-- string and the two compared as strings, so ``v = 5`` is ``v = '5'`` ('05' does not match) and
-- ``v < 10`` orders as text.  An untyped literal keeps PostgreSQL's reading ('5' = 5 compares
-- integers): the exact operator of the other side's type wins over these.  A VARCHAR, a CHAR or a
-- name reaches the text side through PostgreSQL's implicit casts to text.
--
-- Redshift also converts SMALLINT, INTEGER and BIGINT implicitly to BOOLEAN: ``flag = 1`` compares
-- booleans (0 false, anything else true).
--
-- The functions are plain SQL expressions without SET options, so the planner inlines them: ``v = 5``
-- plans as ``v::text = '5'::text`` (an index on v serves it), ``a.v = b.i`` as a hash or merge join
-- on text.  Their bodies name pg_catalog's operators and types, so a user's objects never stand in.
--
-- Comparisons of a string with a DATE, a TIMESTAMP, a TIMESTAMPTZ, a TIME or a TIMETZ (``WHERE
-- datecol = varcharcol``, ``WHERE ts > some_varchar``), refused by PostgreSQL in the same way.
-- Redshift converts implicitly between character strings and these types (Type compatibility and
-- conversion; such conversions use the session's time zone).  AWS does not say which side a
-- comparison converts: here the string is read as a value of the other side's type and the two
-- compared as datetimes, as an untyped literal is, so ``'2024-01-01'::varchar = TIMESTAMP
-- '2024-01-01 00:00:00'`` holds and a string that is no date fails (22007).  These functions are
-- STABLE, as reading a string as a date is (DateStyle, the time zone), and inlined too: ``d = v``
-- plans as ``d = (v)::date`` (an index on d serves a comparison with a string parameter).
--
-- Trailing blanks in VARCHAR comparisons.  Redshift ("Character types", Significance of trailing
-- blanks): "Trailing spaces in VARCHAR and CHAR values are treated as semantically insignificant
-- when values are compared" (AWS's example: a VARCHAR column holding 'x' and 'x  ' matches
-- ``WHERE address1 = 'x'`` twice); LENGTH still counts a VARCHAR's trailing blanks.  PostgreSQL
-- compares VARCHAR as TEXT, blanks included (its CHAR already disregards them).
--
-- Comparison operators of pg_catalog between two VARCHARs (an untyped literal takes the VARCHAR
-- side's type), a VARCHAR and a TEXT (a computed string, a text parameter) and a VARCHAR and a
-- name (without those two, a VARCHAR compared with a name would match PostgreSQL's text-and-name
-- operators and these equally well: ambiguous).  Each compares both sides without their trailing
-- blanks.  Plain SQL expressions without SET options, inlined by the planner: ``a.v = b.v`` plans
-- as ``rtrim(a.v, ' ') = rtrim(b.v, ' ')``, a hash or merge join on text.  TEXT compared with TEXT
-- keeps PostgreSQL's operators (and so two untyped literals), and GROUP BY, DISTINCT and UNION group
-- by the type's own equality, blanks included.
DO $$
DECLARE
    number regtype;
    datetime text;
    operator record;
    compare text;
    pair record;
BEGIN
    FOR operator IN SELECT * FROM (VALUES ('=', 'eq'), ('<>', 'ne'), ('<', 'lt'), ('>', 'gt'), ('<=', 'le'),
                                          ('>=', 'ge')) AS o(name, suffix)
    LOOP
        compare := format('OPERATOR(pg_catalog.%s)', operator.name);
        FOR pair IN SELECT * FROM (VALUES ('varchar', 'varchar'), ('varchar', 'text'), ('text', 'varchar'),
                                          ('varchar', 'name'), ('name', 'varchar')) AS p(left_type, right_type)
        LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%1$s_%2$s_%3$s(%1$s, %3$s) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$ '
                           'SELECT pg_catalog.rtrim($1::pg_catalog.text, '' '') %4$s '
                           'pg_catalog.rtrim($2::pg_catalog.text, '' '') $body$',
                           pair.left_type, operator.suffix, pair.right_type, compare);
            PERFORM localshift.create_operator_once(operator.name, pair.left_type::regtype, pair.right_type::regtype,
                                                    format('%s_%s_%s', pair.left_type, operator.suffix, pair.right_type));
        END LOOP;
        FOREACH number IN ARRAY ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision']::regtype[] LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.text_%1$s_number(text, %2$s) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1 %3$s $2::pg_catalog.text $body$;'
                           'CREATE OR REPLACE FUNCTION localshift.number_%1$s_text(%2$s, text) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1::pg_catalog.text %3$s $2 $body$',
                           operator.suffix, number, compare);
            PERFORM localshift.create_operator_once(operator.name, 'text', number, 'text_' || operator.suffix || '_number');
            PERFORM localshift.create_operator_once(operator.name, number, 'text', 'number_' || operator.suffix || '_text');
        END LOOP;
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.text_%1$s_number(text, numeric) RETURNS boolean '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                       'AS $body$ SELECT $1::pg_catalog.numeric %2$s $2 $body$;'
                       'CREATE OR REPLACE FUNCTION localshift.number_%1$s_text(numeric, text) RETURNS boolean '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                       'AS $body$ SELECT $1 %2$s $2::pg_catalog.numeric $body$',
                       operator.suffix, compare);
        PERFORM localshift.create_operator_once(operator.name, 'text', 'numeric', 'text_' || operator.suffix || '_number');
        PERFORM localshift.create_operator_once(operator.name, 'numeric', 'text', 'number_' || operator.suffix || '_text');
        FOREACH number IN ARRAY ARRAY['smallint', 'integer', 'bigint']::regtype[] LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.boolean_%1$s_number(boolean, %2$s) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1 %3$s ($2 OPERATOR(pg_catalog.<>) 0) $body$;'
                           'CREATE OR REPLACE FUNCTION localshift.number_%1$s_boolean(%2$s, boolean) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT ($1 OPERATOR(pg_catalog.<>) 0) %3$s $2 $body$',
                           operator.suffix, number, compare);
            PERFORM localshift.create_operator_once(operator.name, 'boolean', number,
                                                    'boolean_' || operator.suffix || '_number');
            PERFORM localshift.create_operator_once(operator.name, number, 'boolean',
                                                    'number_' || operator.suffix || '_boolean');
        END LOOP;
        FOREACH datetime IN ARRAY ARRAY['date', 'timestamp', 'timestamptz', 'time', 'timetz'] LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.text_%1$s_%2$s(text, pg_catalog.%2$s) '
                           'RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1::pg_catalog.%2$s %3$s $2 $body$;'
                           'CREATE OR REPLACE FUNCTION localshift.%2$s_%1$s_text(pg_catalog.%2$s, text) '
                           'RETURNS boolean LANGUAGE sql STABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1 %3$s $2::pg_catalog.%2$s $body$',
                           operator.suffix, datetime, compare);
            PERFORM localshift.create_operator_once(operator.name, 'text', datetime::regtype,
                                                    format('text_%s_%s', operator.suffix, datetime));
            PERFORM localshift.create_operator_once(operator.name, datetime::regtype, 'text',
                                                    format('%s_%s_text', datetime, operator.suffix));
        END LOOP;
    END LOOP;
END $$;

-- The same implicit conversion to BOOLEAN where a condition is expected: ``CASE WHEN
-- regexp_instr(s, 'x') THEN``, ``WHERE flag_count`` (0 false, anything else true).  PostgreSQL
-- reads a condition through an assignment cast, so SMALLINT, INTEGER and BIGINT get one to BOOLEAN
-- (its own INTEGER-to-BOOLEAN cast made an assignment cast; it has none from SMALLINT or BIGINT).
-- Assignment casts play no part in choosing an operator or a function.
CREATE OR REPLACE FUNCTION localshift.number_to_boolean(bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 OPERATOR(pg_catalog.<>) 0 $$;
CREATE OR REPLACE FUNCTION localshift.number_to_boolean(smallint) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 OPERATOR(pg_catalog.<>) 0 $$;
UPDATE pg_catalog.pg_cast SET castcontext = 'a'
WHERE castsource = 'integer'::regtype AND casttarget = 'boolean'::regtype AND castcontext = 'e';
DO $$
DECLARE
    number regtype;
BEGIN
    FOREACH number IN ARRAY ARRAY['smallint', 'bigint']::regtype[] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_cast WHERE castsource = number AND casttarget = 'boolean'::regtype) THEN
            EXECUTE format('CREATE CAST (%1$s AS boolean) WITH FUNCTION localshift.number_to_boolean(%1$s) AS ASSIGNMENT',
                           number);
        END IF;
    END LOOP;
END $$;
