-- Event triggers keeping the catalog's own records in step: the creation time
-- of relations (SVV_TABLE_INFO.create_time, PG_CLASS_INFO.relcreationtime) and
-- late-binding views, forgotten with the relation (its OID may be reused).
-- The translator's triggers do the same for the DDL attributes.  These run as
-- their owner, the internal superuser: users need no rights on the tables.
-- Each row is a relation's own: concurrent DDL never waits on another's
-- row (dbt runs models in parallel transactions).

-- A late-binding view reads its tables when queried, so they can be dropped, renamed or
-- changed under it (Redshift checks nothing until then).  The view created from the
-- translator's text (which checked the query and gave the columns) is replaced by one that
-- reads a function of its own, localshift.late_binding_<view oid>(): the query, with every
-- name qualified, run by EXECUTE as the view's owner (whose privileges a view's tables are
-- read with).  The view then depends on that function alone.
CREATE OR REPLACE FUNCTION localshift.unbind_view(view_oid oid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    query text;
    columns text;
    function_name text := 'late_binding_' || view_oid;
BEGIN
    PERFORM set_config('search_path', '', true);  -- names come out qualified
    query := pg_get_viewdef(view_oid);
    PERFORM set_config('search_path', 'pg_catalog', true);
    SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
    INTO columns FROM pg_attribute WHERE attrelid = view_oid AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('CREATE OR REPLACE FUNCTION localshift.%I() RETURNS SETOF record LANGUAGE plpgsql '
                   'SECURITY DEFINER SET search_path = pg_catalog AS %L',
                   function_name, format('BEGIN RETURN QUERY EXECUTE %L; END', rtrim(query, ';')));
    EXECUTE format('ALTER FUNCTION localshift.%I() OWNER TO %I', function_name,
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = view_oid));
    PERFORM set_config('localshift.unbinding', 'on', true);
    EXECUTE format('CREATE OR REPLACE VIEW %s AS SELECT * FROM localshift.%I() AS late_bound(%s)',
                   view_oid::regclass, function_name, columns);
    PERFORM set_config('localshift.unbinding', 'off', true);
END $$;

CREATE OR REPLACE FUNCTION localshift.forget_late_binding(view_oids oid[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE function_name text;
BEGIN
    FOR function_name IN
        DELETE FROM localshift.late_binding_views WHERE view_oid = ANY (view_oids)
        RETURNING 'late_binding_' || view_oid
    LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS localshift.%I()', function_name);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION localshift.unbind_view(oid), localshift.forget_late_binding(oid[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION localshift.note_creation() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE late_view oid;
BEGIN
    INSERT INTO localshift.relation_created (table_oid, created)
    SELECT DISTINCT cmd.objid, localtimestamp
    FROM pg_event_trigger_ddl_commands() AS cmd
    WHERE cmd.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE VIEW',
                              'CREATE MATERIALIZED VIEW')
      AND cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0
    ON CONFLICT (table_oid) DO UPDATE SET created = excluded.created;
    -- Views the translator created WITH NO SCHEMA BINDING carry its mark; a view
    -- replaced without it binds again.
    IF current_setting('localshift.unbinding', true) = 'on' THEN
        RETURN;  -- the view unbind_view is replacing
    END IF;
    IF strpos(current_query(), '/*localshift:late_binding*/') > 0 THEN
        FOR late_view IN
            INSERT INTO localshift.late_binding_views AS lbv (view_oid)
            SELECT DISTINCT cmd.objid FROM pg_event_trigger_ddl_commands() AS cmd
            WHERE cmd.command_tag = 'CREATE VIEW' AND cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0
            ON CONFLICT (view_oid) DO UPDATE SET view_oid = excluded.view_oid
            RETURNING lbv.view_oid
        LOOP
            PERFORM localshift.unbind_view(late_view);
        END LOOP;
    ELSE
        PERFORM localshift.forget_late_binding(ARRAY(
            SELECT cmd.objid FROM pg_event_trigger_ddl_commands() AS cmd WHERE cmd.command_tag = 'CREATE VIEW'));
    END IF;
END $$;

CREATE OR REPLACE FUNCTION localshift.forget_dropped_relations() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE dropped oid[];
BEGIN
    SELECT array_agg(objid) INTO dropped FROM pg_event_trigger_dropped_objects()
    WHERE classid = 'pg_class'::regclass AND objsubid = 0;
    IF dropped IS NOT NULL THEN
        PERFORM localshift.forget_late_binding(dropped);
        DELETE FROM localshift.relation_created WHERE table_oid = ANY (dropped);
    END IF;
END $$;

DROP EVENT TRIGGER IF EXISTS localshift_note_creation;
CREATE EVENT TRIGGER localshift_note_creation ON ddl_command_end
    EXECUTE FUNCTION localshift.note_creation();
DROP EVENT TRIGGER IF EXISTS localshift_forget_dropped_relations;
CREATE EVENT TRIGGER localshift_forget_dropped_relations ON sql_drop
    EXECUTE FUNCTION localshift.forget_dropped_relations();
