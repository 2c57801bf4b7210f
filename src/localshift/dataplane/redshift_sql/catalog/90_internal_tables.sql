-- The catalog's own tables are written by the internal role alone: by its event-trigger
-- functions (SECURITY DEFINER) and by the query history's writer.  The master user is a
-- Redshift superuser and holds pg_write_all_data (Redshift's superusers write every user's
-- tables), which would reach these tables too; but functions running as the internal role
-- trust what they hold (a late-binding view's query, for one), so a write by anyone else is
-- refused, as Redshift refuses writes to its system tables.  Installed last, on every table
-- of the schema (those of later catalog files included).
CREATE OR REPLACE FUNCTION localshift.refuse_writes() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) THEN
        RAISE EXCEPTION 'permission denied for relation %', TG_TABLE_NAME USING ERRCODE = '42501';
    END IF;
    RETURN NULL;
END $$;

-- The query ids the query history's writer has reserved (history.py; in the engine's database
-- postgres), among them.
CREATE TABLE IF NOT EXISTS localshift.query_ids_reserved (reserved bigint NOT NULL);

-- Nor is the engine's catalog written through the internal role's views.  A view of one table
-- (PG_PROC_INFO of pg_proc, localshift.redshift_pg_constraint of pg_constraint; PostgreSQL's own
-- information_schema.enabled_roles of pg_authid) is automatically updatable, and a write through
-- it is checked against the view owner's rights on the table: the internal role's, a
-- superuser's.  With pg_write_all_data, which covers views, the master user would write
-- pg_proc (make its function SECURITY DEFINER, owned by the internal role) or pg_authid.  Every
-- such view of the internal role's refuses writes (INSTEAD OF triggers, which PostgreSQL runs in
-- place of the automatic update); views updatable through rules of their own (pg_settings, which
-- sets the caller's settings) are left.
DO $$
DECLARE
    internal regclass;
    kind "char";
BEGIN
    FOR internal, kind IN
        SELECT c.oid::regclass, c.relkind FROM pg_catalog.pg_class c
        WHERE (c.relnamespace = 'localshift'::regnamespace AND c.relkind IN ('r', 'p')
               OR c.relkind = 'v' AND c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
                  AND pg_catalog.pg_relation_is_updatable(c.oid, false) <> 0
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite r
                                  WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'))
          AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                          WHERE t.tgrelid = c.oid AND t.tgname = 'localshift_internal_writes_only')
    LOOP
        EXECUTE format('CREATE TRIGGER localshift_internal_writes_only %s INSERT OR UPDATE OR DELETE ON %s '
                       'FOR EACH %s EXECUTE FUNCTION localshift.refuse_writes()',
                       CASE kind WHEN 'v' THEN 'INSTEAD OF' ELSE 'BEFORE' END, internal,
                       CASE kind WHEN 'v' THEN 'ROW' ELSE 'STATEMENT' END);
    END LOOP;
END $$;

-- The catalog's views that show regular users their own rows only (their statements, sessions,
-- grants: those whose filter asks who the user is) are security barriers, so a condition of the
-- user's query that is not leakproof (a cast whose error quotes the value, a function of the
-- user's) runs on the rows the view shows, never before its filter on the rows it hides.  The
-- others stay plain views (a barrier keeps the planner from merging them into the query).
-- Installed last, on the views of every catalog file (CREATE OR REPLACE VIEW resets the option;
-- PostgreSQL's own views, created by initdb, are left).
DO $$
DECLARE catalog_view regclass;
BEGIN
    FOR catalog_view IN
        SELECT c.oid::regclass FROM pg_catalog.pg_class c
        WHERE c.relnamespace IN ('pg_catalog'::regnamespace, 'localshift'::regnamespace) AND c.relkind = 'v'
          AND c.oid >= 16384 AND c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
          AND NOT coalesce('security_barrier=true' = ANY (c.reloptions), false)
          AND pg_catalog.pg_get_viewdef(c.oid) ~* ('current_user|session_user|is_superuser|pg_has_role|'
                                                   'has_[a-z_]+_privilege|can_see_relation|grant_is_visible')
    LOOP
        EXECUTE format('ALTER VIEW %s SET (security_barrier = true)', catalog_view);
    END LOOP;
END $$;
