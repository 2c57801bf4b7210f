-- EXPLAIN [VERBOSE] query, printed in the shape of Redshift's plans (redshift_sql/plans.py sends
-- the query, translated, here).  The engine's plan, read line by line:
--   * every step of a plan that reads a relation is an XN step (``XN Seq Scan on t``, ``XN Hash``,
--     ``XN HashAggregate``); a plan without one (``SELECT 1``) is the leader's, as Redshift's is
--     (``Result``);
--   * joins carry the distribution Redshift's planner picks when both sides sit on the same slice,
--     ``DS_DIST_NONE`` (one slice here: nothing is ever redistributed or broadcast);
--   * a sorted result is merged on the leader: ``XN Merge`` (its ``Merge Key``) over ``XN Network``
--     (``Send to leader``) over the ``XN Sort``, at the top or under a top ``XN Limit``;
--   * INSERT, UPDATE and DELETE show the plan of the rows they write (the engine's ``Insert on t``
--     step is not Redshift's);
--   * WindowAgg is ``XN Window``; parallel workers, memoized and incremental sorts are planned out
--     (Redshift's plans have none).
-- Costs, row counts and widths are the engine's.  Runs as the caller (no SECURITY DEFINER), in the
-- caller's search_path (the query names its tables so); the function names it calls itself are
-- qualified.  The engine reads '...' with backslash escapes (Redshift's strings): the patterns
-- have none.
CREATE OR REPLACE FUNCTION localshift.explain_plan(query text, detailed boolean)
RETURNS TABLE ("QUERY PLAN" text)
LANGUAGE plpgsql VOLATILE
SET max_parallel_workers_per_gather = 0 SET enable_memoize = off SET enable_incremental_sort = off
AS $fn$
DECLARE
    plan text[] := '{}';
    shaped text[] := '{}';
    line text;
    step text[];
    name text;
    on_tables boolean;
    k integer;
BEGIN
    line := 'EXPLAIN ' || CASE WHEN detailed THEN '(VERBOSE) ' ELSE '' END || query;
    FOR line IN EXECUTE line LOOP
        plan := plan || line;
    END LOOP;
    IF plan[1] ~ '^(Insert|Update|Delete|Merge) on ' AND pg_catalog.array_length(plan, 1) > 1 THEN
        k := 2;
        WHILE plan[k] !~ '^  ->  ' LOOP  -- the write step's own lines
            k := k + 1;
        END LOOP;
        plan := ARRAY(SELECT pg_catalog.substr(l, 7) FROM pg_catalog.unnest(plan[k:]) WITH ORDINALITY AS p(l, n)
                      ORDER BY n);
    END IF;
    on_tables := EXISTS (SELECT FROM pg_catalog.unnest(plan) AS l WHERE l ~ ' Scan (Backward )?(using [^ ]+ )?on ');
    FOREACH line IN ARRAY plan LOOP
        step := pg_catalog.regexp_match(line, '^( *)(->  )?(.+?)(  [(]cost=.*)$');
        IF step IS NOT NULL THEN
            name := pg_catalog.regexp_replace(step[3], '^WindowAgg$', 'Window');
            IF name ~ '^(Hash|Merge)( (Left|Right|Full|Semi|Anti|Right Semi|Right Anti))? Join$'
               OR name ~ '^Nested Loop( (Left|Right|Full|Semi|Anti|Right Semi|Right Anti) Join)?$' THEN
                name := name || ' DS_DIST_NONE';
            END IF;
            IF on_tables THEN
                name := 'XN ' || name;
            END IF;
            line := step[1] || coalesce(step[2], '') || name || step[4];
        END IF;
        shaped := shaped || line;
    END LOOP;
    -- The sort, at the top or under a top Limit, is the slices' part: the leader merges their rows.
    k := CASE WHEN shaped[1] ~ '^XN Sort  [(]' THEN 1
              WHEN shaped[1] ~ '^XN Limit  [(]' THEN (SELECT pg_catalog.min(n) FROM pg_catalog.unnest(shaped) WITH ORDINALITY
                                                      AS s(l, n) WHERE l ~ '^  ->  ') END;
    IF k IS NOT NULL AND shaped[k] ~ '^(  ->  )?XN Sort  [(]' THEN
        step := pg_catalog.regexp_match(shaped[k], '^((?:  ->  )?)XN Sort(  [(]cost=.*)$');
        name := coalesce((SELECT l FROM pg_catalog.unnest(shaped[k + 1:]) AS l
                                     WHERE l ~ '^ *Sort Key: ' LIMIT 1), '');
        line := pg_catalog.repeat(' ', pg_catalog.length(step[1]));
        shaped := shaped[:k - 1]
            || (step[1] || 'XN Merge' || step[2])
            || (line || '  Merge Key: ' || pg_catalog.regexp_replace(name, '^ *Sort Key: ', ''))
            || (line || '  ->  XN Network' || step[2])
            || (line || '        Send to leader')
            || (line || '        ->  XN Sort' || step[2])
            || ARRAY(SELECT '            ' || l FROM pg_catalog.unnest(shaped[k + 1:]) WITH ORDINALITY AS s(l, n)
                     ORDER BY n);
    END IF;
    RETURN QUERY SELECT l FROM pg_catalog.unnest(shaped) WITH ORDINALITY AS s(l, n) ORDER BY n;
END $fn$;
GRANT EXECUTE ON FUNCTION localshift.explain_plan(text, boolean) TO PUBLIC;
