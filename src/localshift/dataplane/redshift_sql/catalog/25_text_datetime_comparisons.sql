-- Comparisons of a string with a DATE, a TIMESTAMP, a TIMESTAMPTZ, a TIME or a TIMETZ (``WHERE
-- datecol = varcharcol``, ``WHERE ts > some_varchar``), which PostgreSQL refuses (42883) unless the
-- string is an untyped literal.  Redshift converts implicitly between character strings and these
-- types (Type compatibility and conversion; such conversions use the session's time zone).  AWS
-- does not say which side a comparison converts: here the string is read as a value of the other
-- side's type and the two compared as datetimes, as an untyped literal is, so
-- ``'2024-01-01'::varchar = TIMESTAMP '2024-01-01 00:00:00'`` holds and a string that is no date
-- fails (22007).  An untyped literal keeps PostgreSQL's reading (the exact operator of the other
-- side's type wins over these).  A VARCHAR, a CHAR or a name reaches the text side through
-- PostgreSQL's implicit casts to text.
--
-- The functions are plain SQL expressions, STABLE as reading a string as a date is (DateStyle, the
-- time zone), so the planner inlines them: ``d = v`` plans as ``d = (v)::date`` (an index on d
-- serves a comparison with a string parameter).  Their bodies name pg_catalog's operators and
-- types, so a user's objects never stand in.
DO $$
DECLARE
    datetime text;
    operator record;
    compare text;
BEGIN
    FOR operator IN SELECT * FROM (VALUES ('=', 'eq'), ('<>', 'ne'), ('<', 'lt'), ('>', 'gt'), ('<=', 'le'),
                                          ('>=', 'ge')) AS o(name, suffix)
    LOOP
        compare := format('OPERATOR(pg_catalog.%s)', operator.name);
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
