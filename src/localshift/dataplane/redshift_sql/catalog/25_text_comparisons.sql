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
-- blanks.  Those between VARCHARs and TEXTs are CHAR's own C functions (bpchareq, bpcharcmp, ...:
-- CHAR, VARCHAR and TEXT values are stored alike, and CHAR's functions disregard trailing blanks)
-- declared for VARCHAR and TEXT arguments; the name ones are SQL expressions over rtrim.
--
-- Below them, operator classes for VARCHAR made the type's defaults (VARCHAR had none of its own:
-- it used TEXT's), btree and hash, holding these operators, CHAR's comparison, sort support
-- (abbreviated keys, blanks stripped) and hash functions.  So everything that compares VARCHARs
-- compares them as Redshift does: a table's key index (made with the default class) serves
-- ``WHERE k = 'x'`` (and ``k = $1::text``: the VARCHAR-and-TEXT operators are in the btree family),
-- joins hash or merge on the operators, and GROUP BY, DISTINCT, COUNT(DISTINCT), UNION,
-- INTERSECT, EXCEPT, PARTITION BY and ORDER BY group and sort 'a' and 'a  ' as one value.  Which
-- of a group's spellings GROUP BY or DISTINCT shows is the first the engine meets (AWS does not
-- say).  Indexes made before these classes existed (an engine an older localshift set up) keep
-- TEXT's class and serve these operators no longer: REINDEX does not change a class, recreating
-- the key does.  TEXT compared with TEXT keeps PostgreSQL's operators (and so two untyped literals).
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
            IF 'name' IN (pair.left_type, pair.right_type) THEN
                EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%1$s_%2$s_%3$s(%1$s, %3$s) RETURNS boolean '
                               'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$ '
                               'SELECT pg_catalog.rtrim($1::pg_catalog.text, '' '') %4$s '
                               'pg_catalog.rtrim($2::pg_catalog.text, '' '') $body$',
                               pair.left_type, operator.suffix, pair.right_type, compare);
            ELSE
                EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%1$s_%2$s_%3$s(%1$s, %3$s) RETURNS boolean '
                               'LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS %4$L',
                               pair.left_type, operator.suffix, pair.right_type, 'bpchar' || operator.suffix);
            END IF;
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
            -- A VARCHAR's own: the number's text as a VARCHAR, compared by the VARCHAR operators
            -- below (trailing blanks disregarded), so an index of the VARCHAR column serves ``k = 42``.
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.varchar_%1$s_number(varchar, %2$s) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1 %3$s $2::pg_catalog.text::pg_catalog.varchar $body$;'
                           'CREATE OR REPLACE FUNCTION localshift.number_%1$s_varchar(%2$s, varchar) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                           'AS $body$ SELECT $1::pg_catalog.text::pg_catalog.varchar %3$s $2 $body$',
                           operator.suffix, number, compare);
            PERFORM localshift.create_operator_once(operator.name, 'varchar', number,
                                                    'varchar_' || operator.suffix || '_number');
            PERFORM localshift.create_operator_once(operator.name, number, 'varchar',
                                                    'number_' || operator.suffix || '_varchar');
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
        -- (the VARCHAR versions of the DECIMAL ones too: else ``v = 5.0`` would match these and the
        -- VARCHAR-and-DOUBLE PRECISION operators equally well)
        EXECUTE format('CREATE OR REPLACE FUNCTION localshift.varchar_%1$s_number(varchar, numeric) RETURNS boolean '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                       'AS $body$ SELECT $1::pg_catalog.numeric %2$s $2 $body$;'
                       'CREATE OR REPLACE FUNCTION localshift.number_%1$s_varchar(numeric, varchar) RETURNS boolean '
                       'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
                       'AS $body$ SELECT $1 %2$s $2::pg_catalog.numeric $body$',
                       operator.suffix, compare);
        PERFORM localshift.create_operator_once(operator.name, 'varchar', 'numeric', 'varchar_' || operator.suffix || '_number');
        PERFORM localshift.create_operator_once(operator.name, 'numeric', 'varchar', 'number_' || operator.suffix || '_varchar');
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

-- The VARCHAR and TEXT operators' planner properties (selectivity estimators, commutators,
-- negators; = hashes and merges) and VARCHAR's default operator classes (see above).  LEAKPROOF
-- as PostgreSQL marks CHAR's comparisons (its hash functions are not).
CREATE OR REPLACE FUNCTION localshift.varchar_cmp(varchar, varchar) RETURNS integer
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'bpcharcmp';
CREATE OR REPLACE FUNCTION localshift.varchar_cmp(varchar, text) RETURNS integer
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'bpcharcmp';
CREATE OR REPLACE FUNCTION localshift.varchar_cmp(text, varchar) RETURNS integer
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'bpcharcmp';
CREATE OR REPLACE FUNCTION localshift.varchar_sortsupport(internal) RETURNS void
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'bpchar_sortsupport';
CREATE OR REPLACE FUNCTION localshift.varchar_hash(varchar) RETURNS integer
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'hashbpchar';
CREATE OR REPLACE FUNCTION localshift.varchar_hash(varchar, bigint) RETURNS bigint
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'hashbpcharextended';
CREATE OR REPLACE FUNCTION localshift.text_blank_hash(text) RETURNS integer
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'hashbpchar';
CREATE OR REPLACE FUNCTION localshift.text_blank_hash(text, bigint) RETURNS bigint
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'hashbpcharextended';
DO $$
DECLARE
    operator record;
    pair record;
    strategy record;
BEGIN
    FOR pair IN SELECT * FROM (VALUES ('varchar', 'varchar'), ('varchar', 'text'), ('text', 'varchar')) AS p(l, r) LOOP
        FOR operator IN SELECT * FROM (VALUES ('=', '=', '<>', 'eqsel', 'eqjoinsel'), ('<>', '<>', '=', 'neqsel', 'neqjoinsel'),
                                              ('<', '>', '>=', 'scalarltsel', 'scalarltjoinsel'),
                                              ('>', '<', '<=', 'scalargtsel', 'scalargtjoinsel'),
                                              ('<=', '>=', '>', 'scalarlesel', 'scalarlejoinsel'),
                                              ('>=', '<=', '<', 'scalargesel', 'scalargejoinsel'))
                                      AS o(name, commutator, negator, restrict, join_estimate) LOOP
            EXECUTE format('ALTER OPERATOR pg_catalog.%1$s (%2$s, %3$s) SET (RESTRICT = %4$s, JOIN = %5$s, '
                           'COMMUTATOR = OPERATOR(pg_catalog.%6$s), NEGATOR = OPERATOR(pg_catalog.%7$s)%8$s)',
                           operator.name, pair.l, pair.r, operator.restrict, operator.join_estimate,
                           operator.commutator, operator.negator,
                           CASE operator.name WHEN '=' THEN ', HASHES, MERGES' ELSE '' END);
        END LOOP;
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_opclass WHERE opcname = 'varchar_blank_ops'
                   AND opcnamespace = 'localshift'::regnamespace) THEN
        CREATE OPERATOR FAMILY localshift.varchar_blank_ops USING btree;
        CREATE OPERATOR CLASS localshift.varchar_blank_ops DEFAULT FOR TYPE varchar USING btree
        FAMILY localshift.varchar_blank_ops AS
            OPERATOR 1 pg_catalog.< (varchar, varchar), OPERATOR 2 pg_catalog.<= (varchar, varchar),
            OPERATOR 3 pg_catalog.= (varchar, varchar), OPERATOR 4 pg_catalog.>= (varchar, varchar),
            OPERATOR 5 pg_catalog.> (varchar, varchar),
            FUNCTION 1 localshift.varchar_cmp(varchar, varchar), FUNCTION 2 localshift.varchar_sortsupport(internal);
        FOR pair IN SELECT * FROM (VALUES ('varchar', 'text'), ('text', 'varchar')) AS p(l, r) LOOP
            FOR strategy IN SELECT * FROM (VALUES (1, '<'), (2, '<='), (3, '='), (4, '>='), (5, '>')) AS s(n, name) LOOP
                EXECUTE format('ALTER OPERATOR FAMILY localshift.varchar_blank_ops USING btree '
                               'ADD OPERATOR %s pg_catalog.%s (%s, %s)', strategy.n, strategy.name, pair.l, pair.r);
            END LOOP;
            EXECUTE format('ALTER OPERATOR FAMILY localshift.varchar_blank_ops USING btree '
                           'ADD FUNCTION 1 (%1$s, %2$s) localshift.varchar_cmp(%1$s, %2$s)', pair.l, pair.r);
        END LOOP;
        CREATE OPERATOR FAMILY localshift.varchar_blank_ops USING hash;
        CREATE OPERATOR CLASS localshift.varchar_blank_ops DEFAULT FOR TYPE varchar USING hash
        FAMILY localshift.varchar_blank_ops AS
            OPERATOR 1 pg_catalog.= (varchar, varchar),
            FUNCTION 1 localshift.varchar_hash(varchar), FUNCTION 2 localshift.varchar_hash(varchar, bigint);
        ALTER OPERATOR FAMILY localshift.varchar_blank_ops USING hash ADD
            OPERATOR 1 pg_catalog.= (varchar, text), OPERATOR 1 pg_catalog.= (text, varchar),
            FUNCTION 1 (text) localshift.text_blank_hash(text), FUNCTION 2 (text) localshift.text_blank_hash(text, bigint);
    END IF;
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
