-- The catalog's event triggers at the end of DDL commands and at their drops.  PostgreSQL keeps no
-- compiled function or plan across backends: a new connection compiles every trigger function
-- its first DDL statements run and plans their statements, and a dbt run opens a connection per
-- model.  So each event has as few functions as the rights they run with allow: at the end of a
-- command, one running as the caller (localshift.on_ddl_command_end) and one as the internal
-- superuser (localshift.note_creation, 40_events.sql); at drops, one (localshift.on_sql_drop).
-- Each looks at the command's objects once and skips what has nothing to do.  They fire in name
-- order: localshift_ddl_command_end, localshift_note_creation, localshift_note_mv_refresh
-- (42_materialized_views.sql: STABLE, so a trigger of its own).  Created here, after every
-- function they call: the catalog files before run with none.

-- The triggers and functions of older catalogs, one per part.
DROP EVENT TRIGGER IF EXISTS localshift_end_key_statement;
DROP EVENT TRIGGER IF EXISTS localshift_reach_created_objects;
DROP EVENT TRIGGER IF EXISTS localshift_refuse_postgresql_only_subcommands;
DROP EVENT TRIGGER IF EXISTS localshift_forget_dropped_relations;
DROP EVENT TRIGGER IF EXISTS localshift_forget_dropped_mvs;
DROP FUNCTION IF EXISTS localshift.end_key_statement(), localshift.reach_created_objects(),
    localshift.refuse_postgresql_only_subcommands(), localshift.forget_dropped_relations(),
    localshift.forget_dropped_mvs();

-- At the end of a DDL command, as the user who ran it, in this order:
-- * CREATE TABLE [AS], SELECT INTO, ALTER TABLE, CREATE / ALTER MATERIALIZED VIEW: the DDL attributes
--   the translator's markers carry (00_localshift.sql), whose names resolve on the caller's search
--   path; the rows of a relation the command (re)created forgotten first (its OID may be one a
--   temporary table used before: those dropped at session end fire no sql_drop trigger).
-- * Every command: what it made, or gave a superuser (ALTER ... OWNER TO), granted to
--   localshift_superuser when a Redshift superuser owns it (40_superuser_reach.sql), as the owner,
--   which only the caller can be.
-- * CREATE TABLE, ALTER TABLE, CREATE INDEX, ALTER INDEX and CREATE SCHEMA, whose subcommands
--   (CREATE SCHEMA s CREATE TRIGGER ..., CREATE TABLE's LIKE ... INCLUDING INDEXES or STATISTICS)
--   fire no event at their start: the PostgreSQL-only ones refused, then the tables' features
--   (45_postgresql_only_commands.sql), for every role but the internal superuser (current_user
--   must be the caller's).  A key's index is the table's (a CREATE TABLE's PRIMARY KEY or UNIQUE in
--   CREATE SCHEMA; renamed, as the key is, by ALTER INDEX), and so is an identity column's sequence
--   (created, then altered to be the column's).  The translator's ALTER TABLE ADD PRIMARY KEY /
--   UNIQUE (alter.py) builds the key's plain index first, named localshift_new_key_index, in the
--   statement carrying its key_index marker: that index is let through (whoever writes the marker
--   gets a plain index of that name and no more).
CREATE OR REPLACE FUNCTION localshift.on_ddl_command_end()
RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
    query text := pg_catalog.current_query();
    caller_path text := pg_catalog.current_setting('search_path');
    created oid[];
    marker text[];
    attrs jsonb;
    rel oid;
    made record;
    refused text;
BEGIN
    IF tg_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE', 'CREATE MATERIALIZED VIEW',
                  'ALTER MATERIALIZED VIEW') THEN
        created := ARRAY(SELECT cmd.objid FROM pg_catalog.pg_event_trigger_ddl_commands() AS cmd
                         WHERE cmd.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND cmd.command_tag IN
                               ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE MATERIALIZED VIEW'));
        IF created <> '{}' AND (EXISTS (SELECT FROM localshift.table_attributes t WHERE t.table_oid = ANY (created))
                                OR EXISTS (SELECT FROM localshift.column_attributes c
                                           WHERE c.table_oid = ANY (created))) THEN
            PERFORM localshift.forget_created_relations();
        END IF;
        FOR marker IN SELECT pg_catalog.regexp_matches(query, '/[*]localshift:([{].*?[}])[*]/', 'g')
                      WHERE pg_catalog.strpos(query, '/*localshift:') > 0 LOOP
            BEGIN
                attrs := marker[1]::pg_catalog.json::pg_catalog.jsonb;
            EXCEPTION WHEN others THEN
                CONTINUE;  -- not a marker the translator wrote
            END;
            rel := pg_catalog.to_regclass(CASE WHEN attrs->>'schema' IS NULL THEN ''
                                               ELSE pg_catalog.quote_ident(attrs->>'schema') || '.' END
                                          || pg_catalog.quote_ident(attrs->>'name'));
            IF rel IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() AS cmd
                                          WHERE cmd.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                            AND cmd.objid = rel) THEN
                CONTINUE;  -- a marker of another statement of the same query
            END IF;
            PERFORM localshift.store_table_attributes(
                rel, attrs, CASE WHEN attrs ? 'like' THEN pg_catalog.to_regclass(attrs->>'like') END);
        END LOOP;
    END IF;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    -- A new procedure: Redshift grants EXECUTE "to the procedure owner and superusers" only, where
    -- PostgreSQL's default grants it to PUBLIC too (functions keep it: Redshift's UDFs are PUBLIC's).
    -- A procedure replaced keeps what it was granted (its ACL is no longer the default).
    IF tg_tag = 'CREATE PROCEDURE' THEN
        PERFORM localshift.revoke_public_execute(p.oid)
        FROM pg_event_trigger_ddl_commands() AS cmd JOIN pg_proc p ON p.oid = cmd.objid
        WHERE cmd.classid = 'pg_proc'::regclass AND p.prokind = 'p' AND p.proacl IS NULL;
    END IF;
    -- What is granted already (a rename, most ALTERs) is left.
    FOR made IN SELECT DISTINCT cmd.classid, cmd.objid FROM pg_event_trigger_ddl_commands() AS cmd
                WHERE cmd.objsubid = 0 AND cmd.classid IN ('pg_class'::regclass, 'pg_namespace'::regclass,
                                                           'pg_proc'::regclass)
                  AND NOT EXISTS (SELECT FROM pg_class c, unnest(c.relacl) AS item
                                  WHERE cmd.classid = 'pg_class'::regclass AND c.oid = cmd.objid
                                    AND item::text LIKE 'localshift_superuser=%') LOOP
        PERFORM localshift.reach_object(made.classid, made.objid);
    END LOOP;
    IF tg_tag IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE INDEX', 'ALTER INDEX', 'CREATE SCHEMA')
       AND NOT localshift.runs_as_internal_role() THEN
        SELECT cmd.command_tag INTO refused FROM pg_event_trigger_ddl_commands() AS cmd
        WHERE CASE
            WHEN cmd.command_tag IN ('CREATE INDEX', 'ALTER INDEX') THEN NOT (
                EXISTS (SELECT FROM pg_constraint con WHERE con.conindid = cmd.objid)
                OR cmd.command_tag = 'CREATE INDEX'
                   AND strpos(query, '/*localshift:key_index[') > 0
                   AND EXISTS (SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                               WHERE i.indexrelid = cmd.objid AND c.relname = 'localshift_new_key_index'
                                 AND i.indexprs IS NULL AND i.indpred IS NULL AND NOT i.indisunique))
            WHEN cmd.command_tag IN ('CREATE SEQUENCE', 'ALTER SEQUENCE') THEN NOT EXISTS (
                SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = cmd.objid
                  AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))
            ELSE cmd.command_tag = ANY (localshift.postgresql_only_commands())
        END
        LIMIT 1;
        IF refused IS NOT NULL THEN
            PERFORM localshift.refuse_postgresql_only_command(
                CASE WHEN refused = 'CREATE INDEX' THEN ' on Redshift tables.' ELSE '.' END);
        END IF;
        -- (Not in the internal role's sessions acting as a table's owner, SET ROLE: a table restore
        -- recreating a table an older localshift let have a CHECK.  A user logs in as the user, and
        -- nothing a user runs changes session_user.)
        PERFORM localshift.refuse_postgresql_only_table_features(cmd.objid)
        FROM pg_event_trigger_ddl_commands() AS cmd
        WHERE cmd.command_tag IN ('CREATE TABLE', 'ALTER TABLE') AND cmd.classid = 'pg_class'::regclass
          AND NOT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false);
    END IF;
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
END
$fn$;

-- At a drop, as the internal superuser: what localshift recorded of the relations and columns
-- dropped is forgotten (their OIDs may be reused), each table's rows only when it holds some (any
-- write to localshift's tables, of no rows too, fires their statement trigger).
CREATE OR REPLACE FUNCTION localshift.on_sql_drop()
RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    dropped oid[];  -- relations
    touched oid[];  -- relations, and those of dropped columns
BEGIN
    SELECT array_agg(d.objid) FILTER (WHERE d.objsubid = 0), array_agg(DISTINCT d.objid)
    INTO dropped, touched
    FROM pg_event_trigger_dropped_objects() AS d WHERE d.classid = 'pg_class'::regclass;
    IF touched IS NULL THEN
        RETURN;  -- no relation or column (a function, a schema of none...)
    END IF;
    -- Materialized views' refreshes and their base tables' changes (42_materialized_views.sql).
    IF tg_tag IN ('DROP MATERIALIZED VIEW', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED') THEN
        IF EXISTS (SELECT FROM localshift.mv_refreshes r WHERE r.view_oid = ANY (dropped)) THEN
            DELETE FROM localshift.mv_refreshes WHERE view_oid = ANY (dropped);
        END IF;
        IF EXISTS (SELECT FROM localshift.mv_base_changes c WHERE c.relation = ANY (dropped)) THEN
            DELETE FROM localshift.mv_base_changes WHERE relation = ANY (dropped);
        END IF;
    END IF;
    -- Late-binding views and creation times (40_events.sql), but not of a view bind_late_view
    -- creates again (or its probe).
    IF dropped IS NOT NULL AND current_setting('localshift.late_binding', true) IS DISTINCT FROM 'on' THEN
        IF EXISTS (SELECT FROM localshift.late_binding_views l WHERE l.view_oid = ANY (dropped)) THEN
            PERFORM localshift.forget_late_binding(dropped);
        END IF;
        IF EXISTS (SELECT FROM localshift.relation_created r WHERE r.table_oid = ANY (dropped)) THEN
            DELETE FROM localshift.relation_created WHERE table_oid = ANY (dropped);
        END IF;
    END IF;
    -- DDL attributes (00_localshift.sql).
    IF EXISTS (SELECT FROM localshift.table_attributes t WHERE t.table_oid = ANY (dropped)) THEN
        DELETE FROM localshift.table_attributes t WHERE t.table_oid = ANY (dropped);
    END IF;
    IF EXISTS (SELECT FROM localshift.column_attributes c WHERE c.table_oid = ANY (touched)) THEN
        DELETE FROM localshift.column_attributes c USING pg_event_trigger_dropped_objects() d
            WHERE d.classid = 'pg_class'::regclass AND c.table_oid = d.objid
              AND (d.objsubid = 0 OR c.attnum = d.objsubid);
    END IF;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS localshift_ddl_command_end;
CREATE EVENT TRIGGER localshift_ddl_command_end ON ddl_command_end
    EXECUTE FUNCTION localshift.on_ddl_command_end();
DROP EVENT TRIGGER IF EXISTS localshift_note_creation;
CREATE EVENT TRIGGER localshift_note_creation ON ddl_command_end
    EXECUTE FUNCTION localshift.note_creation();
DROP EVENT TRIGGER IF EXISTS localshift_sql_drop;
CREATE EVENT TRIGGER localshift_sql_drop ON sql_drop
    EXECUTE FUNCTION localshift.on_sql_drop();
