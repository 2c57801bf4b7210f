-- Comparisons Redshift allows between types PostgreSQL keeps apart: a date, a
-- timestamp or a number matched against a string pattern (saletime LIKE
-- '2008-09%') is matched as its text.  (Blanket implicit casts to text, as
-- PostgreSQL 8.0 had, would make "'a' || 1.5" ambiguous: only these operators
-- are added.)
DO $$
DECLARE
    source regtype;
    operator record;
BEGIN
    FOREACH source IN ARRAY ARRAY['date', 'timestamp', 'timestamptz', 'smallint', 'integer', 'bigint',
                                  'numeric']::regtype[] LOOP
        FOR operator IN SELECT * FROM (VALUES ('~~', 'text_like', 'LIKE'), ('!~~', 'text_not_like', 'NOT LIKE'),
                                              ('~~*', 'text_ilike', 'ILIKE'),
                                              ('!~~*', 'text_not_ilike', 'NOT ILIKE')) AS o(name, func, keyword)
        LOOP
            EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%s(%s, text) RETURNS boolean LANGUAGE sql '
                           'STABLE STRICT PARALLEL SAFE AS $body$ SELECT $1::text %s $2 $body$',
                           operator.func, source, operator.keyword);
            IF NOT EXISTS (SELECT FROM pg_operator WHERE oprname = operator.name AND oprleft = source
                           AND oprright = 'text'::regtype) THEN
                EXECUTE format('CREATE OPERATOR pg_catalog.%s (LEFTARG = %s, RIGHTARG = text, '
                               'FUNCTION = localshift.%s)', operator.name, source, operator.func);
            END IF;
        END LOOP;
    END LOOP;
END $$;
