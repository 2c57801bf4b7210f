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
    operator record;
    pair record;
BEGIN
    FOR operator IN SELECT * FROM (VALUES ('=', 'eq'), ('<>', 'ne'), ('<', 'lt'), ('>', 'gt'), ('<=', 'le'),
                                          ('>=', 'ge')) AS o(name, suffix)
    LOOP
        FOR pair IN SELECT * FROM (VALUES ('varchar', 'varchar'), ('varchar', 'text'), ('text', 'varchar'),
                                          ('varchar', 'name'), ('name', 'varchar')) AS p(left_type, right_type)
        LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%1$s_%2$s_%3$s(%1$s, %3$s) RETURNS boolean '
                           'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$ '
                           'SELECT pg_catalog.rtrim($1::pg_catalog.text, '' '') OPERATOR(pg_catalog.%4$s) '
                           'pg_catalog.rtrim($2::pg_catalog.text, '' '') $body$',
                           pair.left_type, operator.suffix, pair.right_type, operator.name);
            PERFORM localshift.create_operator_once(operator.name, pair.left_type::regtype, pair.right_type::regtype,
                                                    format('%s_%s_%s', pair.left_type, operator.suffix, pair.right_type));
        END LOOP;
    END LOOP;
END $$;
