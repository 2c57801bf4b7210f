-- Event triggers keeping the catalog's own records in step: the creation time
-- of relations and each user's last DDL (SVV_TABLE_INFO.create_time,
-- PG_CLASS_INFO.relcreationtime, SVV_USER_INFO.last_ddl_timestamp), forgotten
-- with the relation, like its late-binding mark (its OID may be reused).  The
-- translator's triggers do the same for the DDL attributes.  These run as
-- their owner, the internal superuser: users need no rights on the tables.

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
    INSERT INTO localshift.user_last_ddl (user_oid, last_ddl)
    SELECT oid, localtimestamp FROM pg_roles WHERE rolname = session_user
    ON CONFLICT (user_oid) DO UPDATE SET last_ddl = excluded.last_ddl;
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
