-- Late-binding views (CREATE VIEW ... WITH NO SCHEMA BINDING), recorded and bound by the event
-- triggers of 40_events.sql.  Redshift checks their tables only when they are read: the tables
-- may be missing when the view is created, dropped, renamed or recreated with other columns
-- under it.  The translator sends a view of no columns with a marker
-- holding the statement (view_ddl.create_view); the view is recorded in localshift.late_binding_views
-- and bound: it becomes
--     SELECT * FROM localshift.late_binding_<view oid>() AS late_bound(<the query's columns>)
-- where that function runs the query (its text as created, with the search path it was created
-- with) as the view's owner, whose privileges a view's tables are read with.  The columns come
-- from a probe: the query compiled as a temporary view, by a function owned by the view's owner
-- (so nothing in a view's text ever runs with the internal role's privileges).  A view whose
-- relations are missing has no columns and its read fails as its query does (relation "s.t"
-- does not exist).  The view binds again whenever a relation its query read (while it is
-- unbound: one its text names) is created, altered or renamed, and when its owner changes.
CREATE OR REPLACE FUNCTION localshift.relation_columns(relation oid) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped $$;

-- The qualified names of relations, for late_binding_views.relations.
CREATE OR REPLACE FUNCTION localshift.relation_names(relations oid[]) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT array_agg(DISTINCT n.nspname || '.' || c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY ($1) $$;

-- A view's function, owned by its owner, with the search path the view was created with:
-- the read (late_binding_<oid>: it checks that the session's user may read the view, since it
-- can be called by name too) or the probe (late_binding_probe_<oid>, for the internal role only).
-- The view's path is the function's (SET search_path FROM CURRENT) but never the internal
-- role's: set only around the CREATE FUNCTION, whose text is made before and whose types are
-- qualified, and unset by a qualified call (a user's format or set_config in a schema of that
-- path could match the calls better than pg_catalog's).
CREATE OR REPLACE FUNCTION localshift.late_binding_function(lbv localshift.late_binding_views, name text,
                                                            result text, body text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner oid := (SELECT relowner FROM pg_class WHERE oid = lbv.view_oid);
    create_function text := format('CREATE OR REPLACE FUNCTION localshift.%I() RETURNS %s LANGUAGE plpgsql '
                                   'SECURITY DEFINER SET search_path FROM CURRENT AS %L', name, result, body);
BEGIN
    IF EXISTS (SELECT FROM pg_proc WHERE proname = name AND pronamespace = 'localshift'::regnamespace
               AND prosrc = body AND proowner = owner AND proconfig = ARRAY['search_path=' || lbv.search_path]
               AND prosecdef) THEN
        RETURN;  -- as it should be (most binds change nothing; its owner may have altered it)
    END IF;
    PERFORM set_config('search_path', lbv.search_path, true);
    EXECUTE create_function;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF result = 'pg_catalog.void' THEN
        EXECUTE format('REVOKE ALL ON FUNCTION localshift.%I() FROM PUBLIC', name);
    END IF;
    EXECUTE format('ALTER FUNCTION localshift.%I() OWNER TO %I', name, pg_get_userbyid(owner));
END $$;

-- The read: the query's columns as bound, taken by name and cast to their bound types (so a view
-- whose tables changed while another transaction was binding it still reads what it can), or,
-- while unbound, the query's error (a relation is missing), else an error saying so: the view
-- binds when a relation it names changes (its owner may not have been able to compile it, e.g.
-- without the TEMPORARY privilege, or another transaction was binding it).
CREATE OR REPLACE FUNCTION localshift.late_binding_read(lbv localshift.late_binding_views, select_list text)
RETURNS void LANGUAGE sql AS $$
SELECT localshift.late_binding_function(lbv, 'late_binding_' || lbv.view_oid, 'SETOF pg_catalog.record', format(
    'BEGIN IF NOT pg_catalog.has_table_privilege(SESSION_USER, %s::pg_catalog.oid, ''SELECT'') THEN '
    'RAISE EXCEPTION ''permission denied for relation %%'', (SELECT relname FROM pg_catalog.pg_class '
    'WHERE oid = %s::pg_catalog.oid) USING ERRCODE = ''42501''; END IF; %s; END',
    lbv.view_oid, lbv.view_oid,
    CASE WHEN select_list IS NULL
         THEN format('EXECUTE %L; RAISE EXCEPTION ''late-binding view %% is not bound to its relations yet'', '
                     '(SELECT relname FROM pg_catalog.pg_class WHERE oid = %s::pg_catalog.oid) '
                     'USING ERRCODE = ''55000''', format('SELECT FROM (%s) AS q LIMIT 0', lbv.query), lbv.view_oid)
         ELSE format('RETURN QUERY EXECUTE %L',
                     format('SELECT %s FROM (%s) AS q%s', select_list, lbv.query, lbv.column_names)) END)) $$;
-- What a view keeps when it is dropped and created again: owner, privileges, comment, creation time.
CREATE OR REPLACE FUNCTION localshift.view_properties(view_oid oid) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT jsonb_build_object(
    'schema', n.nspname, 'name', c.relname, 'owner', pg_get_userbyid(c.relowner),
    'comment', obj_description(c.oid, 'pg_class'),
    'created', (SELECT rc.created FROM localshift.relation_created rc WHERE rc.table_oid = c.oid),
    'grants', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'grantee', CASE WHEN acl.grantee <> 0 THEN pg_get_userbyid(acl.grantee) END,
                   'privilege', acl.privilege_type, 'grantable', acl.is_grantable)), '[]')
               FROM aclexplode(c.relacl) AS acl WHERE acl.grantee <> c.relowner))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1 $$;

-- The properties of a view OR REPLACE dropped reach note_creation in a setting of the transaction,
-- which any user can set: they are applied as the view's creator could apply them itself (it
-- must be able to become the owner they name, as ALTER VIEW ... OWNER TO requires), and every
-- name and privilege goes into the statements quoted or checked, never as text to run.
CREATE OR REPLACE FUNCTION localshift.restore_view_properties(view_oid oid, properties jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE grant_ jsonb;
BEGIN
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = view_oid), properties->>'owner', 'SET') THEN
        RAISE EXCEPTION 'must be able to SET ROLE "%"', properties->>'owner' USING ERRCODE = '42501';
    END IF;
    EXECUTE format('ALTER VIEW %s OWNER TO %I', view_oid::regclass, properties->>'owner');
    FOR grant_ IN SELECT jsonb_array_elements(properties->'grants') LOOP
        IF grant_->>'privilege' !~ '^[A-Z]+$' THEN
            RAISE EXCEPTION 'unrecognized privilege type "%"', grant_->>'privilege' USING ERRCODE = '22023';
        END IF;
        EXECUTE format('GRANT %s ON %s TO %s%s', grant_->>'privilege', view_oid::regclass,
                       coalesce(quote_ident(grant_->>'grantee'), 'PUBLIC'),
                       CASE WHEN (grant_->>'grantable')::boolean THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    IF properties->>'comment' IS NOT NULL THEN
        EXECUTE format('COMMENT ON VIEW %s IS %L', view_oid::regclass, properties->>'comment');
    END IF;
    IF properties->>'created' IS NOT NULL THEN
        INSERT INTO localshift.relation_created (table_oid, created) VALUES (view_oid, (properties->>'created')::timestamp)
        ON CONFLICT (table_oid) DO UPDATE SET created = excluded.created;
    END IF;
END $$;

-- A view whose columns change other than by new ones at the end is dropped and created again
-- (PostgreSQL cannot change a view's columns in place): its record, functions and properties move
-- to the new OID.  Views of other kinds that read it forbid that: it then keeps its columns.
CREATE OR REPLACE FUNCTION localshift.recreate_late_view(view_oid oid) RETURNS oid
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    properties jsonb := localshift.view_properties(view_oid);
    new_oid oid;
BEGIN
    EXECUTE format('DROP VIEW %s', view_oid::regclass);
    EXECUTE format('CREATE VIEW %I.%I AS SELECT', properties->>'schema', properties->>'name');
    new_oid := format('%I.%I', properties->>'schema', properties->>'name')::regclass;
    PERFORM localshift.restore_view_properties(new_oid, properties);
    UPDATE localshift.late_binding_views SET view_oid = new_oid WHERE late_binding_views.view_oid = recreate_late_view.view_oid;
    DELETE FROM localshift.relation_created WHERE table_oid = view_oid;
    EXECUTE format('DROP FUNCTION localshift.%I(), localshift.%I()', 'late_binding_' || view_oid,
                   'late_binding_probe_' || view_oid);
    RETURN new_oid;
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE WARNING 'late-binding view %.% keeps its columns: other objects depend on it',
        properties->>'schema', properties->>'name';
    RETURN view_oid;
END $$;

-- Binds a recorded view to its query's columns as they are now; returns its OID (new if it was
-- created again).  While creating it, a query the engine cannot parse fails the statement.  A view
-- another transaction is binding is left to it (binding it here too would fail one of them).
CREATE OR REPLACE FUNCTION localshift.bind_late_view(view_oid oid, creating boolean) RETURNS oid
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    lbv localshift.late_binding_views;
    probe oid;
    columns text;
    select_list text;
    bound_columns text := localshift.relation_columns(view_oid);
    reads text[];
    target oid := view_oid;
BEGIN
    SELECT * INTO lbv FROM localshift.late_binding_views l WHERE l.view_oid = bind_late_view.view_oid;
    IF lbv.query IS NOT NULL AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = view_oid AND c.relkind = 'v') THEN
        -- Dropped while its statement skipped forgetting it (localshift.late_binding is a setting
        -- any user can set): forgotten now, never bound (it has no owner to run as).
        PERFORM localshift.forget_late_binding(ARRAY[view_oid]);
        RETURN view_oid;
    END IF;
    IF lbv.query IS NULL OR NOT pg_try_advisory_xact_lock(19522, (view_oid::bigint - 2147483648)::integer) THEN
        RETURN view_oid;
    END IF;
    PERFORM localshift.late_binding_function(lbv, 'late_binding_probe_' || view_oid, 'pg_catalog.void', format(
        'BEGIN EXECUTE %L; END', format('CREATE TEMPORARY VIEW %I %s AS %s', 'late_binding_probe_' || view_oid,
                                        lbv.column_names, lbv.query)));
    BEGIN
        EXECUTE format('SELECT localshift.%I()', 'late_binding_probe_' || view_oid);
        probe := to_regclass('pg_temp.late_binding_probe_' || view_oid);
        columns := localshift.relation_columns(probe);
        SELECT string_agg(format('q.%I::%s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
        INTO select_list FROM pg_attribute WHERE attrelid = probe AND attnum > 0;
        reads := localshift.relation_names(ARRAY(
            SELECT d.refobjid FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass
                AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> probe
            WHERE r.ev_class = probe));
        EXECUTE format('DROP VIEW %s', probe::regclass);
    EXCEPTION WHEN OTHERS THEN
        IF creating AND SQLSTATE = '42601' THEN
            RAISE;
        END IF;
        columns := NULL;  -- a relation (or column, function...) is missing: reading fails until it is there
    END;
    IF columns IS NULL AND bound_columns IS NOT NULL THEN
        RETURN view_oid;  -- bound before: it keeps its columns, and its read fails as its query does
    END IF;
    IF bound_columns IS NOT NULL AND columns IS DISTINCT FROM bound_columns
       AND NOT starts_with(columns, bound_columns || ', ') THEN
        target := localshift.recreate_late_view(view_oid);
        IF target = view_oid THEN
            RETURN view_oid;
        END IF;
        SELECT * INTO lbv FROM localshift.late_binding_views l WHERE l.view_oid = target;
    END IF;
    PERFORM localshift.late_binding_read(lbv, select_list);
    IF columns IS DISTINCT FROM bound_columns OR target <> view_oid OR bound_columns IS NULL THEN
        EXECUTE format('CREATE OR REPLACE VIEW %s AS SELECT %s FROM localshift.%I() AS late_bound(%s)',
                       target::regclass, CASE WHEN columns IS NULL THEN '' ELSE '*' END,
                       'late_binding_' || target, coalesce(columns, 'unbound boolean'));
    END IF;
    UPDATE localshift.late_binding_views l SET relations = coalesce(reads, l.relations) WHERE l.view_oid = target;
    RETURN target;
END $$;

-- Views that read relations a statement created or changed (or the views themselves, when their
-- owner changed: their functions run as their owner) bind again, then the views reading those,
-- each once.  A view never bound is tried when its query's text holds the name of such a relation.
CREATE OR REPLACE FUNCTION localshift.rebind_late_views(changed oid[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    names text[] := localshift.relation_names(changed);
    done oid[] := '{}';
    pending oid[];
    late_view oid;
    rebound oid;
BEGIN
    WHILE names IS NOT NULL LOOP
        pending := ARRAY(
            SELECT l.view_oid FROM localshift.late_binding_views l
            WHERE l.query IS NOT NULL AND l.view_oid <> ALL (done)
              AND (l.relations && names
                   OR l.view_oid = ANY (changed) AND (SELECT c.relowner FROM pg_class c WHERE c.oid = l.view_oid)
                      IS DISTINCT FROM (SELECT p.proowner FROM pg_proc p WHERE p.proname = 'late_binding_' || l.view_oid
                                        AND p.pronamespace = 'localshift'::regnamespace)
                   OR l.relations IS NULL AND EXISTS (SELECT FROM unnest(names) AS name
                                                      WHERE strpos(lower(l.query), split_part(name, '.', 2)) > 0))
            ORDER BY l.view_oid);
        names := NULL;
        FOREACH late_view IN ARRAY pending LOOP
            rebound := localshift.bind_late_view(late_view, false);
            done := done || late_view || rebound;
            names := names || localshift.relation_names(ARRAY[rebound]);
        END LOOP;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION localshift.forget_late_binding(view_oids oid[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE forgotten oid;
BEGIN
    FOR forgotten IN
        DELETE FROM localshift.late_binding_views WHERE view_oid = ANY (view_oids) RETURNING view_oid
    LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS localshift.%I(), localshift.%I()',
                       'late_binding_' || forgotten, 'late_binding_probe_' || forgotten);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION localshift.late_binding_function(localshift.late_binding_views, text, text, text),
    localshift.late_binding_read(localshift.late_binding_views, text), localshift.restore_view_properties(oid, jsonb),
    localshift.recreate_late_view(oid), localshift.bind_late_view(oid, boolean), localshift.rebind_late_views(oid[]),
    localshift.forget_late_binding(oid[]) FROM PUBLIC;
DROP FUNCTION IF EXISTS localshift.unbind_view(oid);
