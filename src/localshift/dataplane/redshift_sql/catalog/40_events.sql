-- Event triggers keeping the catalog's own records in step: the creation time
-- of relations (SVV_TABLE_INFO.create_time, PG_CLASS_INFO.relcreationtime) and
-- late-binding views, forgotten with the relation (its OID may be reused).
-- The translator's triggers do the same for the DDL attributes.  These run as
-- their owner, the internal superuser: users need no rights on the tables.
-- Each row is a relation's own: concurrent DDL never waits on another's
-- row (dbt runs models in parallel transactions).

-- Late-binding views are recorded and bound by the functions of 39_late_binding.sql.

-- Before a late-binding CREATE VIEW: the caller's search path (the view's queries run with it),
-- and OR REPLACE of a view with columns: the view is dropped (as the caller, whose rights apply)
-- and its properties kept for the new one (a view of no columns cannot replace it in place).
CREATE OR REPLACE FUNCTION localshift.before_create_view() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    marker text[];
    attrs jsonb;
    replaced oid;
BEGIN
    IF pg_catalog.strpos(pg_catalog.current_query(), '/*localshift:late_binding{') = 0
       OR pg_catalog.current_setting('localshift.late_binding', true) = 'on' THEN
        RETURN;  -- not a late-binding view, or one note_creation is binding
    END IF;
    PERFORM pg_catalog.set_config('localshift.view_search_path', pg_catalog.current_setting('search_path'), true);
    FOR marker IN SELECT pg_catalog.regexp_matches(pg_catalog.current_query(),
                                                   '/[*]localshift:late_binding([{].*?[}])[*]/', 'g') LOOP
        attrs := marker[1]::pg_catalog.json::pg_catalog.jsonb;
        CONTINUE WHEN NOT (attrs->>'replace')::pg_catalog.bool;
        replaced := pg_catalog.to_regclass(CASE WHEN attrs->>'schema' IS NULL THEN ''
                                                ELSE pg_catalog.quote_ident(attrs->>'schema') || '.' END
                                           || pg_catalog.quote_ident(attrs->>'name'));
        IF replaced IS NOT NULL AND localshift.relation_columns(replaced) IS NOT NULL
           AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = replaced) = 'v' THEN
            PERFORM pg_catalog.set_config('localshift.replaced_view',
                                          localshift.view_properties(replaced)::pg_catalog.text, true);
            EXECUTE pg_catalog.format('DROP VIEW %s', replaced::pg_catalog.regclass);
        END IF;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION localshift.note_creation() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    marker text[];
    attrs jsonb;
    created oid;
    replaced jsonb;
    late_views oid[] := '{}';
    created_relations oid[];
    created_views oid[];
    changed oid[];
BEGIN
    -- This runs at the end of every DDL command: the command's relations are read once, and each
    -- statement below runs only when it has rows to write (most commands create nothing, and any
    -- write to localshift's tables, of no rows too, fires their statement trigger).
    SELECT array_agg(DISTINCT cmd.objid) FILTER (
               WHERE cmd.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE VIEW',
                                         'CREATE MATERIALIZED VIEW') AND cmd.objsubid = 0),
           array_agg(cmd.objid) FILTER (WHERE cmd.command_tag = 'CREATE VIEW'),
           array_agg(DISTINCT cmd.objid)
    INTO created_relations, created_views, changed
    FROM pg_event_trigger_ddl_commands() AS cmd
    WHERE cmd.classid = 'pg_class'::regclass;
    IF changed IS NULL AND strpos(current_query(), '/*localshift:') = 0 THEN
        RETURN;  -- DROP (its sql_drop trigger forgets), GRANT, COMMENT...: no relation made or changed
    END IF;
    -- CREATE TABLE and ALTER TABLE: the key indexes lent to the statement given back, and the
    -- keys of the tables it created or altered informational (41_constraints.sql).
    IF tg_tag IN ('CREATE TABLE', 'ALTER TABLE') THEN
        -- (Only a statement with a marker lends any: a write of no rows would still fire the table's
        -- statement trigger, 90_internal_tables.sql.)
        IF EXISTS (SELECT FROM localshift.lent_key_indexes) THEN
            WITH lent AS (DELETE FROM localshift.lent_key_indexes RETURNING index_oid)
            UPDATE pg_index i SET indisunique = false FROM lent
            WHERE i.indexrelid = lent.index_oid AND localshift.is_user_table(i.indrelid);
        END IF;
        IF EXISTS (SELECT FROM pg_constraint con JOIN pg_index i ON i.indexrelid = con.conindid
                   WHERE con.conrelid = ANY (changed) AND con.contype IN ('p', 'u') AND i.indisunique) THEN
            PERFORM localshift.make_keys_informational(changed);
        END IF;
    END IF;
    IF current_setting('localshift.late_binding', true) = 'on' THEN
        RETURN;  -- the statements of bind_late_view
    END IF;
    IF created_relations IS NOT NULL THEN
        INSERT INTO localshift.relation_created (table_oid, created)
        SELECT created_relation, localtimestamp FROM unnest(created_relations) AS created_relation
        ON CONFLICT (table_oid) DO UPDATE SET created = excluded.created;
    END IF;
    PERFORM set_config('localshift.late_binding', 'on', true);
    -- Views the translator created WITH NO SCHEMA BINDING carry its marker (view_ddl.create_view).
    IF strpos(current_query(), '/*localshift:late_binding{') > 0 THEN
        FOR marker IN SELECT regexp_matches(current_query(), '/[*]localshift:late_binding([{].*?[}])[*]/', 'g') LOOP
            attrs := marker[1]::json::jsonb;
            SELECT cmd.objid INTO created FROM pg_event_trigger_ddl_commands() AS cmd
            JOIN pg_class c ON c.oid = cmd.objid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE cmd.command_tag = 'CREATE VIEW' AND cmd.classid = 'pg_class'::regclass
              AND c.relname = attrs->>'name' AND (attrs->>'schema' IS NULL OR n.nspname = attrs->>'schema')
              AND localshift.relation_columns(c.oid) IS NULL;
            CONTINUE WHEN created IS NULL OR created = ANY (late_views);  -- a marker of another statement
            INSERT INTO localshift.late_binding_views AS lbv
                (view_oid, create_text, query, column_names, search_path, relations)
            VALUES (created, attrs->>'text', attrs->>'query', attrs->>'columns',
                    coalesce(current_setting('localshift.view_search_path', true), '"$user", public'), NULL)
            ON CONFLICT (view_oid) DO UPDATE SET create_text = excluded.create_text, query = excluded.query,
                column_names = excluded.column_names, search_path = excluded.search_path, relations = NULL;
            replaced := nullif(current_setting('localshift.replaced_view', true), '')::json::jsonb;
            IF replaced->>'name' = (SELECT relname FROM pg_class WHERE oid = created) AND (SELECT n.nspname
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = created)
                    = replaced->>'schema' THEN
                PERFORM localshift.restore_view_properties(created, replaced);
                PERFORM set_config('localshift.replaced_view', '', true);
            END IF;
            late_views := late_views || localshift.bind_late_view(created, true);
        END LOOP;
    END IF;
    -- A view replaced without the clause binds again.
    created_views := ARRAY(SELECT v FROM unnest(created_views) AS v WHERE v <> ALL (late_views));
    IF created_views <> '{}' THEN
        PERFORM localshift.forget_late_binding(created_views);
    END IF;
    changed := ARRAY(SELECT r FROM unnest(changed) AS r WHERE r <> ALL (late_views));
    IF changed <> '{}' AND EXISTS (SELECT FROM localshift.late_binding_views) THEN
        PERFORM localshift.rebind_late_views(changed);
    END IF;
    PERFORM set_config('localshift.late_binding', 'off', true);
END $$;

DROP EVENT TRIGGER IF EXISTS localshift_before_create_view;
CREATE EVENT TRIGGER localshift_before_create_view ON ddl_command_start WHEN TAG IN ('CREATE VIEW')
    EXECUTE FUNCTION localshift.before_create_view();
-- note_creation's event trigger, and the sql_drop one forgetting dropped relations: 46_event_triggers.sql.

-- Late-binding views recorded before their statement was kept read a function whose body is
-- RETURN QUERY EXECUTE '<their query, every name qualified>': that query becomes their record's,
-- and they are bound as views recorded now are.
DO $$
DECLARE
    legacy record;
    body text;
BEGIN
    PERFORM set_config('localshift.late_binding', 'on', true);
    FOR legacy IN
        SELECT l.view_oid, p.prosrc, c.oid::regclass AS view_name FROM localshift.late_binding_views l
        JOIN pg_catalog.pg_class c ON c.oid = l.view_oid
        JOIN pg_catalog.pg_proc p ON p.proname = 'late_binding_' || l.view_oid
             AND p.pronamespace = 'localshift'::regnamespace
        WHERE l.query IS NULL
    LOOP
        body := substr(legacy.prosrc, length('BEGIN RETURN QUERY EXECUTE ') + 1);
        body := left(body, -length('; END'));
        IF left(body, 1) = 'E' THEN
            body := replace(substr(body, 2), repeat(chr(92), 2), chr(92));
        END IF;
        body := replace(substr(body, 2, length(body) - 2), '''''', '''');
        UPDATE localshift.late_binding_views
        SET query = body, column_names = '', search_path = 'pg_catalog',
            create_text = format('CREATE VIEW %s AS%s WITH NO SCHEMA BINDING;', legacy.view_name, body)
        WHERE view_oid = legacy.view_oid;
        PERFORM localshift.bind_late_view(legacy.view_oid, false);
    END LOOP;
    PERFORM set_config('localshift.late_binding', 'off', true);
END $$;
