-- SHOW DATABASES / SCHEMAS / TABLES / COLUMNS / CONSTRAINTS / GRANTS /
-- PROCEDURES / FUNCTIONS / PARAMETERS (redshift_connector's metadata path):
-- the translator turns each into SELECT * FROM one of these, adding the LIKE
-- filter, WHERE and LIMIT in the outer query.  A database other than the
-- current one has no rows (an engine answers for its own database).

CREATE OR REPLACE FUNCTION localshift.show_databases()
RETURNS TABLE (database_name varchar(128), database_owner integer, database_type varchar(32),
               database_acl varchar(1024), parameters varchar(1024),
               database_isolation_level varchar(32))
LANGUAGE sql STABLE AS $fn$
    SELECT d.datname::varchar, d.datdba::integer, 'local'::varchar, array_to_string(d.datacl, '~'),
           NULL::varchar, 'Snapshot Isolation'::varchar
    FROM pg_catalog.pg_database d
    WHERE d.datallowconn AND d.datname NOT IN ('template1', 'postgres')
    ORDER BY 1
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_schemas(db text)
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), schema_owner integer,
               schema_type varchar(32), schema_acl varchar(1024), source_database varchar(128),
               schema_option varchar(1024))
LANGUAGE sql STABLE AS $fn$
    SELECT current_database()::varchar, n.nspname::varchar, n.nspowner::integer, 'local'::varchar,
           array_to_string(n.nspacl, '~'), NULL::varchar, NULL::varchar
    FROM pg_catalog.pg_namespace n
    WHERE db = current_database() AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp_%'
      AND n.nspname <> 'localshift'
      AND (pg_catalog.has_schema_privilege(n.oid, 'USAGE') OR n.nspname = 'pg_catalog')
    ORDER BY 2
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_tables(db text, schema text)
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), table_name varchar(128),
               table_type varchar(128), table_acl varchar(1024), remarks varchar(1024),
               owner varchar(128), last_altered_time timestamp, last_modified_time timestamp,
               dist_style varchar(128), table_subtype varchar(128))
LANGUAGE sql STABLE AS $fn$
    SELECT current_database()::varchar, n.nspname::varchar, c.relname::varchar,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                ELSE CASE WHEN c.relpersistence = 't' THEN 'LOCAL TEMPORARY' ELSE 'TABLE' END END,
           array_to_string(c.relacl, '~'), pg_catalog.obj_description(c.oid, 'pg_class'),
           pg_catalog.pg_get_userbyid(c.relowner)::varchar, NULL::timestamp, NULL::timestamp,
           CASE WHEN c.relkind IN ('v', 'm') THEN NULL
                WHEN t.diststyle = 'KEY' THEN 'KEY(' || t.distkey || ')'
                ELSE COALESCE(t.diststyle, 'AUTO(EVEN)') END,
           CASE c.relkind WHEN 'r' THEN 'REGULAR TABLE' WHEN 'p' THEN 'REGULAR TABLE'
                WHEN 'v' THEN 'REGULAR VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' END
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN localshift.table_attributes t ON t.table_oid = c.oid
    WHERE db = current_database() AND (schema IS NULL OR n.nspname = schema)
      AND c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname <> 'localshift'
      AND (pg_catalog.has_table_privilege(c.oid, 'SELECT')
           OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT'))
    ORDER BY 2, 3
$fn$;

-- A type as Redshift names it: SUPER and VARBYTE are jsonb and bytea in the engine
-- (redshift_sql/types.py); redshift_type reads such a name back (SHOW PARAMETERS' bound
-- argument types, which AWS's drivers take from SHOW PROCEDURES / FUNCTIONS).
CREATE OR REPLACE FUNCTION localshift.redshift_type_name(type_oid oid, typmod integer) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT CASE type_oid WHEN 'jsonb'::regtype THEN 'super' WHEN 'bytea'::regtype THEN 'varbyte'
                ELSE pg_catalog.format_type(type_oid, typmod) END
$fn$;

CREATE OR REPLACE FUNCTION localshift.redshift_type(name text) RETURNS regtype
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT CASE lower(btrim(name)) WHEN 'super' THEN 'jsonb'
                WHEN 'varbyte' THEN 'bytea' WHEN 'varbinary' THEN 'bytea' WHEN 'binary varying' THEN 'bytea'
                ELSE name END::regtype
$fn$;

-- A column's default as Redshift shows it (SHOW COLUMNS, SVV_COLUMNS): an IDENTITY column's is
-- "identity"(table oid, column index, 'seed,step'::text), default_identity(...) for GENERATED
-- BY DEFAULT AS IDENTITY; AWS's JDBC driver reads IS_AUTOINCREMENT from it.
CREATE OR REPLACE FUNCTION localshift.column_default(table_oid oid, attnum smallint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT COALESCE(
        (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d
         WHERE d.adrelid = table_oid AND d.adnum = attnum),
        (SELECT CASE spec ->> 'generated' WHEN 'by default' THEN 'default_identity' ELSE '"identity"' END
                || format('(%s, %s, %L::text)', table_oid, attnum - 1, (spec ->> 'seed') || ',' || (spec ->> 'step'))
         FROM localshift.table_attributes t
         JOIN pg_catalog.pg_attribute a ON a.attrelid = t.table_oid AND a.attnum = column_default.attnum
         CROSS JOIN LATERAL (SELECT t.identity_columns -> a.attname::text AS spec) AS identity
         WHERE t.table_oid = column_default.table_oid AND spec IS NOT NULL))
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_columns(db text, schema text, tbl text)
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), table_name varchar(128),
               column_name varchar(128), ordinal_position integer, column_default varchar(4000),
               is_nullable varchar(3), data_type varchar(128), character_maximum_length integer,
               numeric_precision integer, numeric_scale integer, remarks varchar(256),
               sort_key_type varchar(11), sort_key integer, dist_key integer,
               encoding varchar(11), collation varchar(16))
LANGUAGE sql STABLE AS $fn$
    SELECT current_database()::varchar, n.nspname::varchar, c.relname::varchar, a.attname::varchar,
           a.attnum::integer, localshift.column_default(c.oid, a.attnum)::varchar,
           CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END,
           -- lengths and precisions have their own columns; only a time precision stays
           localshift.redshift_type_name(a.atttypid, CASE WHEN a.atttypid IN ('time'::regtype, 'timetz'::regtype,
               'timestamp'::regtype, 'timestamptz'::regtype) THEN a.atttypmod END)::varchar,
           CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 0
                THEN a.atttypmod - 4 END,
           CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 0
                THEN ((a.atttypmod - 4) >> 16) & 65535
                WHEN a.atttypid = 'int2'::regtype THEN 16 WHEN a.atttypid = 'int4'::regtype THEN 32
                WHEN a.atttypid = 'int8'::regtype THEN 64 END,
           CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 0
                THEN (a.atttypmod - 4) & 65535 END,
           pg_catalog.col_description(c.oid, a.attnum)::varchar,
           CASE WHEN a.attname = ANY (t.sortkey) THEN t.sortkey_type END::varchar,
           COALESCE(array_position(t.sortkey, a.attname::text), 0),
           CASE WHEN t.distkey = a.attname THEN 1 ELSE 0 END,
           COALESCE(ca.encoding, CASE WHEN c.relkind IN ('r', 'p') THEN
               localshift.default_encoding(a.atttypid, a.attname = ANY (COALESCE(t.sortkey, '{}')))
               END)::varchar,
           CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype, 'text'::regtype)
                THEN 'case_sensitive' END::varchar
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN localshift.table_attributes t ON t.table_oid = c.oid
    LEFT JOIN localshift.column_attributes ca ON ca.table_oid = c.oid AND ca.attnum = a.attnum
    WHERE db = current_database() AND (schema IS NULL OR n.nspname = schema)
      AND (tbl IS NULL OR c.relname = tbl) AND c.relkind IN ('r', 'p', 'v', 'm')
      AND n.nspname <> 'localshift'
      AND pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT')
    ORDER BY 2, 3, 5
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_primary_keys(db text, schema text, tbl text)
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), table_name varchar(128),
               column_name varchar(128), key_seq integer, pk_name varchar(128))
LANGUAGE sql STABLE AS $fn$
    SELECT current_database()::varchar, n.nspname::varchar, c.relname::varchar, a.attname::varchar,
           k.ord::integer, con.conname::varchar
    FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE con.contype = 'p' AND db = current_database() AND n.nspname = schema AND c.relname = tbl
    ORDER BY 5
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_foreign_keys(db text, schema text, tbl text, exported boolean)
RETURNS TABLE (pk_database_name varchar(128), pk_schema_name varchar(128),
               pk_table_name varchar(128), pk_column_name varchar(128),
               fk_database_name varchar(128), fk_schema_name varchar(128),
               fk_table_name varchar(128), fk_column_name varchar(128), key_seq integer,
               update_rule integer, delete_rule integer, fk_name varchar(128),
               pk_name varchar(128), deferrability integer)
LANGUAGE sql STABLE AS $fn$
    SELECT current_database()::varchar, pn.nspname::varchar, pc.relname::varchar, pa.attname::varchar,
           current_database()::varchar, fn.nspname::varchar, fc.relname::varchar, fa.attname::varchar,
           k.ord::integer,
           CASE con.confupdtype WHEN 'c' THEN 0 WHEN 'n' THEN 2 WHEN 'd' THEN 4 WHEN 'r' THEN 1 ELSE 3 END,
           CASE con.confdeltype WHEN 'c' THEN 0 WHEN 'n' THEN 2 WHEN 'd' THEN 4 WHEN 'r' THEN 1 ELSE 3 END,
           con.conname::varchar, pk.conname::varchar,
           CASE WHEN con.condeferrable AND con.condeferred THEN 5
                WHEN con.condeferrable THEN 6 ELSE 7 END
    FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_class fc ON fc.oid = con.conrelid
    JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
    JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(fk_attnum, pk_attnum, ord)
    JOIN pg_catalog.pg_attribute fa ON fa.attrelid = fc.oid AND fa.attnum = k.fk_attnum
    JOIN pg_catalog.pg_attribute pa ON pa.attrelid = pc.oid AND pa.attnum = k.pk_attnum
    LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = pc.oid AND pk.contype IN ('p', 'u')
         AND pk.conkey = con.confkey
    WHERE con.contype = 'f' AND db = current_database()
      AND CASE WHEN exported THEN pn.nspname = schema AND pc.relname = tbl
               ELSE fn.nspname = schema AND fc.relname = tbl END
    ORDER BY 2, 3, 9
$fn$;

-- SHOW GRANTS / SHOW COLUMN GRANTS: the grants of localshift.object_grants and
-- localshift.column_grants (35_grant_views.sql), which a user sees as Redshift shows
-- them.  SHOW GRANTS prints a group as a role named '/group'.  The translator names the
-- object with localshift.show_grants_target and the grantee with show_grants_identity,
-- which raise Redshift's errors for what does not exist.
DROP FUNCTION IF EXISTS localshift.show_grants(text, text, text);
DROP FUNCTION IF EXISTS localshift.show_column_grants(text, text, text);

CREATE OR REPLACE FUNCTION localshift.show_grants_identity_name(grantee oid) RETURNS varchar
LANGUAGE sql STABLE STRICT AS $fn$
    SELECT (CASE WHEN localshift.identity_type($1) = 'group' THEN '/' ELSE '' END
            || localshift.identity_name($1))::varchar
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_grants_identity_type(grantee oid) RETURNS varchar
LANGUAGE sql STABLE STRICT AS $fn$
    SELECT replace(localshift.identity_type($1), 'group', 'role')::varchar
$fn$;

-- FOR username | FOR ROLE name | FOR PUBLIC (kind 'user', 'role', 'public'): the grantee.
CREATE OR REPLACE FUNCTION localshift.show_grants_identity(kind text, name text) RETURNS oid
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    grantee oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = name);
BEGIN
    IF kind = 'public' THEN
        RETURN 0;
    END IF;
    IF grantee IS NULL OR (localshift.identity_type(grantee) = 'user') <> (kind = 'user')
       OR kind = 'role' AND NOT localshift.is_redshift_role(grantee) AND NOT localshift.is_group(grantee) THEN
        PERFORM localshift.raise_error('42704', format('%s "%s" does not exist', kind, name), NULL);
    END IF;
    RETURN grantee;
END
$fn$;

-- The object of SHOW [COLUMN] GRANTS ON kind [db.][schema.]name[(argument types)]; a database
-- other than this one's objects are not reachable from here (as in a query).
CREATE OR REPLACE FUNCTION localshift.show_grants_target(kind text, db text, schema text, name text,
                                                         arg_types regtype[]) RETURNS oid
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    target oid;
BEGIN
    IF kind = 'DATABASE' THEN
        target := (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = name AND d.datallowconn
                   AND d.datname NOT IN ('template1', 'postgres'));
        IF target IS NULL THEN
            PERFORM localshift.raise_error('3D000', format('database "%s" does not exist', name), NULL);
        END IF;
        RETURN target;
    END IF;
    IF db IS NOT NULL AND db <> current_database() THEN
        PERFORM localshift.raise_error('0A000', format('cross-database references are not implemented: "%s"',
                                       concat_ws('.', db, schema, name)), NULL);
    END IF;
    IF kind = 'SCHEMA' THEN
        target := pg_catalog.to_regnamespace(pg_catalog.quote_ident(name));
        IF target IS NULL THEN
            PERFORM localshift.raise_error('3F000', format('schema "%s" does not exist', name), NULL);
        END IF;
        RETURN target;
    END IF;
    IF kind = 'TABLE' THEN
        RETURN localshift.show_relation(schema, name, '{r,p,v,m,f}', 'table');
    END IF;
    RETURN localshift.find_routine(schema, name, arg_types, CASE kind WHEN 'PROCEDURE' THEN 'p' ELSE 'f' END::"char");
END
$fn$;

-- object_class 'd', 'n', 'r' or 'f' (localshift.object_grants); target NULL: every object
-- of the class (SHOW GRANTS ON TABLES FROM DATABASE); object_class NULL: every object
-- (SHOW GRANTS FOR ...); grantee NULL: every grantee.
CREATE OR REPLACE FUNCTION localshift.show_grants(object_class "char", target oid, grantee oid)
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), object_name varchar(128),
               object_type varchar(128), privilege_type varchar(128), identity_id integer,
               identity_name varchar(128), identity_type varchar(128), admin_option boolean,
               privilege_scope varchar(128), grantor_name varchar(128))
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN QUERY
    SELECT g.database_name::varchar, g.schema_name::varchar, g.object_name::varchar, g.object_type::varchar,
           g.privilege_type::varchar, g.grantee::integer, localshift.show_grants_identity_name(g.grantee),
           localshift.show_grants_identity_type(g.grantee),
           g.is_grantable AND localshift.identity_type(g.grantee) = 'user', g.object_type::varchar,
           pg_catalog.pg_get_userbyid(g.grantor)::varchar
    FROM localshift.object_grants g
    WHERE (show_grants.object_class IS NULL OR g.object_class = show_grants.object_class)
      AND (show_grants.target IS NULL OR g.object_oid = show_grants.target)
      AND (show_grants.grantee IS NULL OR g.grantee = show_grants.grantee)
    ORDER BY 1, 2, 3, 4, 7, 5;
END
$fn$;

-- SHOW GRANTS FOR username | ROLE name: the grantee, whom only a superuser, the user or a
-- member of the role may ask about.
CREATE OR REPLACE FUNCTION localshift.show_grants_for(kind text, name text) RETURNS oid
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    grantee oid := localshift.show_grants_identity(kind, name);
BEGIN
    IF NOT (localshift.current_user_is_superuser() OR pg_catalog.pg_has_role(grantee, 'MEMBER')) THEN
        PERFORM localshift.raise_error('42501', format('permission denied for %s "%s"', kind, name), NULL);
    END IF;
    RETURN grantee;
END
$fn$;

-- A routine's arguments as Redshift shows them: IN, OUT, INOUT, VARIADIC or TABLE; a
-- procedure's defaulted INOUT arguments are its OUT ones (routines.py).
CREATE OR REPLACE FUNCTION localshift.routine_arguments(routine oid)
RETURNS TABLE (ord integer, type_oid oid, arg_name text, mode text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT a.ord::integer, a.type_oid, coalesce(a.arg_name, ''),
           CASE coalesce(a.arg_mode, 'i') WHEN 'i' THEN 'IN' WHEN 'o' THEN 'OUT' WHEN 'v' THEN 'VARIADIC'
                WHEN 't' THEN 'TABLE'
                ELSE CASE WHEN p.prokind = 'p' AND a.input_ord > p.pronargs - p.pronargdefaults THEN 'OUT'
                          ELSE 'INOUT' END END
    FROM pg_catalog.pg_proc p
    CROSS JOIN LATERAL (
        SELECT u.*, count(*) FILTER (WHERE coalesce(u.arg_mode, 'i') NOT IN ('o', 't')) OVER (ORDER BY u.ord)
                        AS input_ord
        FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargmodes, p.proargnames)
             WITH ORDINALITY AS u(type_oid, arg_mode, arg_name, ord)) AS a
    WHERE p.oid = routine
$fn$;

-- A function (kind 'f') or procedure ('p') named [schema.]name, with argument_types or any
-- (NULL): the types of its first arguments, the others defaulted (a procedure's OUT
-- arguments are defaulted INOUT ones, routines.py), or all of them.
CREATE OR REPLACE FUNCTION localshift.find_routine(schema text, name text, argument_types regtype[],
                                                   kind "char") RETURNS oid
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    what text := CASE kind WHEN 'p' THEN 'procedure' ELSE 'function' END;
    shown text := concat_ws('.', schema, name) || coalesce('(' || array_to_string(argument_types, ', ') || ')', '');
    found oid[] := ARRAY(
        SELECT p.oid FROM pg_catalog.pg_proc p
        WHERE p.proname = name AND (p.prokind = kind OR kind = 'f' AND p.prokind = 'a')
          AND CASE WHEN schema IS NULL THEN pg_catalog.pg_function_is_visible(p.oid)
                   ELSE p.pronamespace = pg_catalog.to_regnamespace(pg_catalog.quote_ident(schema)) END
          AND (argument_types IS NULL
               OR p.pronargs - p.pronargdefaults <= cardinality(argument_types)
                  AND (p.proargtypes::oid[])[0:cardinality(argument_types) - 1] = argument_types::oid[]));
BEGIN
    IF cardinality(found) = 0 THEN
        PERFORM localshift.raise_error('42883', format('%s %s does not exist', what, shown), NULL);
    ELSIF cardinality(found) > 1 THEN
        PERFORM localshift.raise_error('42725', format('%s name "%s" is not unique', what, shown), NULL);
    END IF;
    RETURN found[1];
END
$fn$;

-- SHOW PROCEDURE [schema.]name[(argument types)]: CREATE OR REPLACE PROCEDURE with the
-- arguments as Redshift prints them (IN left out, a defaulted INOUT argument an OUT one)
-- and the body as the engine keeps it (its Redshift functions translated).
CREATE OR REPLACE FUNCTION localshift.show_procedure(schema text, name text, argument_types regtype[])
RETURNS text LANGUAGE sql STABLE AS $fn$
    WITH routine AS (SELECT localshift.find_routine(schema, name, argument_types, 'p') AS oid)
    SELECT 'CREATE OR REPLACE PROCEDURE ' || pg_catalog.quote_ident(n.nspname) || '.'
           || pg_catalog.quote_ident(p.proname) || '('
           || coalesce((SELECT string_agg(concat_ws(' ', nullif(a.mode, 'IN'), nullif(a.arg_name, ''),
                                                    localshift.redshift_type_name(a.type_oid, NULL)), ', '
                                       ORDER BY a.ord)
                        FROM localshift.routine_arguments(p.oid) a), '')
           || ') LANGUAGE plpgsql' || CASE WHEN p.prosecdef THEN ' SECURITY DEFINER' ELSE '' END
           || ' AS $_$' || p.prosrc || '$_$'
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE p.oid = (SELECT oid FROM routine)
$fn$;

CREATE OR REPLACE FUNCTION localshift.show_column_grants(target oid, grantee oid)
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), table_name varchar(128),
               column_name varchar(128), object_type varchar(128), privilege_type varchar(128),
               identity_id integer, identity_name varchar(128), identity_type varchar(128),
               admin_option boolean, privilege_scope varchar(128), grantor_name varchar(128))
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN QUERY
    SELECT current_database()::varchar, g.schema_name::varchar, g.table_name::varchar, g.column_name::varchar,
           'COLUMN'::varchar, g.privilege_type::varchar, g.grantee::integer,
           localshift.show_grants_identity_name(g.grantee), localshift.show_grants_identity_type(g.grantee),
           g.is_grantable AND localshift.identity_type(g.grantee) = 'user', 'COLUMN'::varchar,
           pg_catalog.pg_get_userbyid(g.grantor)::varchar
    FROM localshift.column_grants g
    WHERE g.table_oid = show_column_grants.target
      AND (show_column_grants.grantee IS NULL OR g.grantee = show_column_grants.grantee)
    ORDER BY g.attnum, 8, 6;
END
$fn$;

-- kind: 'p' procedures, 'f' functions (plain and aggregate).  argument_list: the types of the
-- input arguments, which AWS's drivers bind back into SHOW PARAMETERS OF ... (types).
CREATE OR REPLACE FUNCTION localshift.show_routines(db text, schema text, kind "char")
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), routine_name varchar(128),
               return_type varchar(128), argument_list varchar(4000))
LANGUAGE sql STABLE AS $fn$
    SELECT current_database()::varchar, n.nspname::varchar, p.proname::varchar,
           CASE WHEN p.prokind = 'p' THEN NULL
                ELSE localshift.redshift_type_name(p.prorettype, NULL) END::varchar,
           (SELECT string_agg(localshift.redshift_type_name(a.type_oid, NULL), ', ' ORDER BY a.ord)
            FROM localshift.routine_arguments(p.oid) a WHERE a.mode IN ('IN', 'INOUT', 'VARIADIC'))::varchar
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE db = current_database() AND n.nspname = schema
      AND (p.prokind = kind OR kind = 'f' AND p.prokind = 'a')
    ORDER BY 3, 5
$fn$;

-- argument_types: the routine's (localshift.find_routine), NULL: every routine of that name.
DROP FUNCTION IF EXISTS localshift.show_parameters(text, text, text, "char");
CREATE OR REPLACE FUNCTION localshift.show_parameters(db text, schema text, routine text, kind "char",
                                                      argument_types regtype[])
RETURNS TABLE (database_name varchar(128), schema_name varchar(128), routine_name varchar(128),
               parameter_name varchar(128), ordinal_position integer, parameter_type varchar(16),
               data_type varchar(128), character_maximum_length integer,
               numeric_precision integer, numeric_scale integer)
LANGUAGE sql STABLE AS $fn$
    WITH chosen AS (
        SELECT localshift.find_routine(schema, routine, argument_types, kind) AS oid
        WHERE argument_types IS NOT NULL AND db = current_database()
    )
    SELECT current_database()::varchar, n.nspname::varchar, p.proname::varchar,
           a.arg_name::varchar, a.ord, a.mode::varchar,
           localshift.redshift_type_name(a.type_oid, NULL)::varchar, NULL::integer, NULL::integer, NULL::integer
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    CROSS JOIN LATERAL localshift.routine_arguments(p.oid) AS a
    WHERE db = current_database() AND n.nspname = schema AND p.proname = routine
      AND (p.prokind = kind OR kind = 'f' AND p.prokind = 'a')
      AND (argument_types IS NULL OR p.oid = (SELECT oid FROM chosen))
    ORDER BY p.oid, 5
$fn$;

-- SHOW TABLE / SHOW VIEW [schema.]name: the object's DDL, one text value.  The relation is
-- found as a query would find it (the search path when no schema is given).
CREATE OR REPLACE FUNCTION localshift.show_relation(schema text, name text, kinds "char"[], what text)
RETURNS oid LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    qualified text := CASE WHEN schema IS NULL THEN pg_catalog.quote_ident(name)
                           ELSE pg_catalog.quote_ident(schema) || '.' || pg_catalog.quote_ident(name) END;
    relation oid := pg_catalog.to_regclass(qualified);
BEGIN
    IF relation IS NULL THEN
        PERFORM localshift.raise_error('42P01', format('relation "%s" does not exist', qualified), NULL);
    END IF;
    IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = relation) <> ALL (kinds) THEN
        PERFORM localshift.raise_error('42809', format('"%s" is not a %s', qualified, what), NULL);
    END IF;
    RETURN relation;
END
$fn$;

-- CREATE TABLE schema.name ( columns and constraints ) [BACKUP NO] DISTSTYLE ... [SORTKEY ( ... )];
-- as Redshift prints it: a column's ENCODE unless RAW, `distkey` on the distribution key.
CREATE OR REPLACE FUNCTION localshift.show_table_ddl(schema text, name text) RETURNS text
LANGUAGE sql STABLE AS $fn$
    WITH rel AS (SELECT localshift.show_relation(schema, name, '{r,p}', 'table') AS oid),
    lines AS (
        SELECT a.attnum AS position,
               pg_catalog.quote_ident(a.attname) || ' '
               || localshift.redshift_type_name(a.atttypid, a.atttypmod)
               || COALESCE(CASE identity.spec ->> 'generated'
                       WHEN 'by default' THEN ' GENERATED BY DEFAULT AS IDENTITY('
                       ELSE ' identity(' END
                   || (identity.spec ->> 'seed') || ',' || (identity.spec ->> 'step') || ')', '')
               || CASE WHEN identity.spec IS NULL AND d.adbin IS NOT NULL
                       THEN ' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END
               || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
               || CASE WHEN cl.encoding = 'none' THEN '' ELSE ' ENCODE ' || cl.encoding END
               || CASE WHEN cl.is_distkey THEN ' distkey' ELSE '' END AS line
        FROM rel
        JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN localshift.column_layout cl ON cl.table_oid = a.attrelid AND cl.attnum = a.attnum
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN localshift.table_attributes ta ON ta.table_oid = a.attrelid
        CROSS JOIN LATERAL (SELECT ta.identity_columns -> a.attname::text AS spec) AS identity
        UNION ALL
        SELECT 32768 + row_number() OVER (ORDER BY con.contype DESC, con.conname),
               -- foreign keys are informational in Redshift: localshift makes them NOT ENFORCED
               regexp_replace(pg_catalog.pg_get_constraintdef(con.oid), ' NOT ENFORCED$', '')
        FROM rel
        JOIN pg_catalog.pg_constraint con ON con.conrelid = rel.oid AND con.contype IN ('p', 'u', 'f')
    )
    SELECT 'CREATE TABLE ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
           || ' (' || chr(10)
           || (SELECT string_agg('    ' || line, ',' || chr(10) ORDER BY position) FROM lines)
           || chr(10) || ')'
           || CASE WHEN tl.backup THEN '' ELSE chr(10) || 'BACKUP NO' END
           || chr(10) || 'DISTSTYLE ' || tl.diststyle
           || CASE WHEN tl.sortkey_type IN ('compound', 'interleaved')
                   THEN chr(10) || CASE WHEN tl.sortkey_type = 'interleaved' THEN 'INTERLEAVED ' ELSE '' END
                        || 'SORTKEY ( '
                        || (SELECT string_agg(pg_catalog.quote_ident(k), ', ' ORDER BY o)
                            FROM unnest(tl.sortkey) WITH ORDINALITY AS s(k, o)) || ' )'
                   ELSE '' END
           || ';'
    FROM rel
    JOIN pg_catalog.pg_class c ON c.oid = rel.oid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN localshift.table_layout tl ON tl.table_oid = c.oid
$fn$;

-- A view's query in Redshift's form (its SHOW VIEW): the engine's unabbreviated print on one
-- line, and when the query reads one relation and nothing else (no join, subquery or set
-- operation), its columns qualified by that relation's name as Redshift's older parser printed
-- them: SELECT venue.venueid, ... FROM venue WHERE ((venue.venuecity)::text = 'x'::text);
CREATE OR REPLACE FUNCTION localshift.redshift_viewdef(view_oid oid) RETURNS text
LANGUAGE plpgsql STABLE AS $fn$  -- the caller's search path: relations it sees are not qualified
DECLARE
    tokens text[] := ARRAY(SELECT m[1] FROM regexp_matches(pg_get_viewdef(view_oid, false),
        $re$('(?:[^']|'')*'|"(?:[^"]|"")*"|\s+|[A-Za-z_][A-Za-z0-9_$]*|::|.)$re$, 'g') AS m);
    columns text[];
    qualifier text;
    out text := '';
    token text;
    previous text := '';
    following text;
    i integer;
    from_at integer := array_position(tokens, 'FROM');
    item_end integer;
BEGIN
    IF (SELECT count(*) FROM unnest(tokens) t WHERE t IN ('SELECT', 'FROM', 'JOIN', 'UNION', 'INTERSECT', 'EXCEPT')) = 2
       AND from_at IS NOT NULL AND (SELECT count(DISTINCT d.refobjid) FROM pg_rewrite r
           JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
               AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> view_oid
           WHERE r.ev_class = view_oid) = 1 THEN
        -- FROM [schema.]name [alias]: columns are qualified by the alias, else by the name
        i := from_at + 2;
        IF tokens[i + 1] = '.' THEN
            i := i + 2;
        END IF;
        qualifier := tokens[i];
        item_end := i;
        IF tokens[i + 1] ~ '^[[:space:]]+$' AND tokens[i + 2] ~ '^[A-Za-z_"]'
           AND tokens[i + 2] NOT IN ('WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'WINDOW', 'FETCH', 'FOR') THEN
            qualifier := tokens[i + 2];
            item_end := i + 2;
        END IF;
        SELECT array_agg(quote_ident(a.attname)) INTO columns
        FROM pg_depend d JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE r.ev_class = view_oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> view_oid;
    END IF;
    FOR i IN 1 .. coalesce(array_length(tokens, 1), 0) LOOP
        token := tokens[i];
        IF token ~ '^[[:space:]]+$' THEN
            IF out <> '' THEN
                out := out || ' ';
            END IF;
            CONTINUE;
        END IF;
        following := coalesce(tokens[i + 1], '');
        IF following ~ '^[[:space:]]+$' THEN
            following := coalesce(tokens[i + 2], '');
        END IF;
        IF token = ANY (columns) AND i NOT BETWEEN from_at AND item_end
           AND previous NOT IN ('.', '::', 'AS') AND following NOT IN ('(', '.') THEN
            token := qualifier || '.' || token;
        END IF;
        out := out || token;
        previous := token;
    END LOOP;
    RETURN rtrim(out);
END
$fn$;

-- SHOW VIEW: a late-binding view's statement as it was written (as pg_get_viewdef gives it);
-- other views in Redshift's form.
CREATE OR REPLACE FUNCTION localshift.show_view_ddl(schema text, name text) RETURNS text
LANGUAGE plpgsql STABLE AS $fn$
DECLARE relation oid := localshift.show_relation(schema, name, '{v,m}', 'view');
BEGIN
    RETURN coalesce((SELECT lbv.create_text FROM localshift.late_binding_views lbv WHERE lbv.view_oid = relation),
                    localshift.redshift_viewdef(relation));
END
$fn$;
