-- Event triggers keeping the catalog's own records in step: the creation time
-- of relations (SVV_TABLE_INFO.create_time, PG_CLASS_INFO.relcreationtime) and
-- late-binding marks, forgotten with the relation (its OID may be reused).
-- The translator's triggers do the same for the DDL attributes.  These run as
-- their owner, the internal superuser: users need no rights on the tables.
-- Each row is a relation's own: concurrent DDL never waits on another's
-- row (dbt runs models in parallel transactions).

CREATE OR REPLACE FUNCTION localshift.note_creation() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
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
    IF strpos(current_query(), '/*localshift:late_binding*/') > 0 THEN
        INSERT INTO localshift.late_binding_views (view_oid)
        SELECT DISTINCT cmd.objid FROM pg_event_trigger_ddl_commands() AS cmd
        WHERE cmd.command_tag = 'CREATE VIEW' AND cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0
        ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM localshift.late_binding_views WHERE view_oid IN (
            SELECT cmd.objid FROM pg_event_trigger_ddl_commands() AS cmd WHERE cmd.command_tag = 'CREATE VIEW');
    END IF;
END $$;

CREATE OR REPLACE FUNCTION localshift.forget_dropped_relations() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE dropped oid[];
BEGIN
    SELECT array_agg(objid) INTO dropped FROM pg_event_trigger_dropped_objects()
    WHERE classid = 'pg_class'::regclass AND objsubid = 0;
    IF dropped IS NOT NULL THEN
        DELETE FROM localshift.late_binding_views WHERE view_oid = ANY (dropped);
        DELETE FROM localshift.relation_created WHERE table_oid = ANY (dropped);
    END IF;
END $$;

DROP EVENT TRIGGER IF EXISTS localshift_note_creation;
CREATE EVENT TRIGGER localshift_note_creation ON ddl_command_end
    EXECUTE FUNCTION localshift.note_creation();
DROP EVENT TRIGGER IF EXISTS localshift_forget_dropped_relations;
CREATE EVENT TRIGGER localshift_forget_dropped_relations ON sql_drop
    EXECUTE FUNCTION localshift.forget_dropped_relations();
