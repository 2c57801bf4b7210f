-- Redshift's views of role grants, default privileges, column privileges and
-- functions, over this database's catalog.  Redshift users are login roles,
-- groups are roles marked by CREATE GROUP (localshift.is_group), and Redshift
-- roles the other roles that are neither PostgreSQL's (pg_*) nor localshift's
-- (localshift_*, which stand for Redshift privileges such as superuser).
-- Superusers see every row; other users what is granted to them or theirs.
-- Memberships are localshift.role_grants's, roles localshift.is_redshift_role's (31_pg_views.sql).

-- Who has what: the grants of the engine's ACLs (a NULL ACL is the engine's default, the
-- owner's privileges and for databases and functions PUBLIC's), with Redshift's privilege
-- names (TEMPORARY is TEMP; the engine's CONNECT, TRIGGER and MAINTAIN are not Redshift's),
-- as a user may see them: superusers every grant, others the grants to themselves, to
-- PUBLIC and to their roles and groups, and the grants on what they own.  Grants to the
-- engine's own roles are not listed; the public schema's owner, pg_database_owner, is
-- the database's.  SHOW GRANTS (15_show.sql) and SVV_COLUMN_PRIVILEGES read these.
CREATE OR REPLACE FUNCTION localshift.grant_is_visible(owner oid, grantee oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $2 = 0 OR localshift.current_user_is_superuser() THEN true
            ELSE pg_catalog.pg_has_role($2, 'USAGE') OR pg_catalog.pg_has_role($1, 'USAGE') END $$;

CREATE OR REPLACE FUNCTION localshift.acl_identity(role oid) RETURNS oid
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $1 = 'pg_database_owner'::regrole
            THEN (SELECT d.datdba FROM pg_catalog.pg_database d WHERE d.datname = current_database())
            ELSE $1 END $$;

CREATE OR REPLACE FUNCTION localshift.redshift_privilege(privilege text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE $1 WHEN 'TEMPORARY' THEN 'TEMP' WHEN 'CONNECT' THEN NULL WHEN 'TRIGGER' THEN NULL
               WHEN 'MAINTAIN' THEN NULL ELSE $1 END $$;

-- object_class: 'd' database, 'n' schema, 'r' table or view, 'f' function or procedure.
CREATE OR REPLACE VIEW localshift.object_grants AS
WITH objects (object_class, object_oid, database_name, schema_name, object_name, object_type, owner, acl) AS (
    SELECT 'd'::"char", d.oid, d.datname, NULL::name, d.datname, 'DATABASE', d.datdba,
           coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))
    FROM localshift.redshift_pg_database d
    WHERE d.datallowconn AND NOT d.datistemplate
    UNION ALL
    SELECT 'n', n.oid, current_database(), n.nspname, n.nspname, 'SCHEMA', n.nspowner,
           coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))
    FROM pg_catalog.pg_namespace n
    WHERE localshift.is_user_visible_schema(n.nspname) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'r', c.oid, current_database(), n.nspname, c.relname, 'TABLE', c.relowner,
           coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND localshift.is_user_visible_schema(n.nspname)
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'f', p.oid, current_database(), n.nspname, p.proname,
           CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.proowner,
           coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE localshift.is_user_visible_schema(n.nspname) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
)
SELECT o.object_class, o.object_oid, o.database_name::text, o.schema_name::text, o.object_name::text,
       o.object_type, o.owner, localshift.redshift_privilege(acl.privilege_type) AS privilege_type,
       localshift.acl_identity(acl.grantee) AS grantee, localshift.acl_identity(acl.grantor) AS grantor,
       acl.is_grantable
FROM objects o
CROSS JOIN LATERAL aclexplode(o.acl) AS acl
WHERE localshift.redshift_privilege(acl.privilege_type) IS NOT NULL
  AND (localshift.identity_type(localshift.acl_identity(acl.grantee)) <> 'role'
       OR localshift.is_redshift_role(localshift.acl_identity(acl.grantee)))
  AND localshift.grant_is_visible(o.owner, localshift.acl_identity(acl.grantee));

-- SVV_RELATION_PRIVILEGES: privileges granted on tables and views (the owner's own are
-- implicit and not listed).
CREATE OR REPLACE VIEW pg_catalog.svv_relation_privileges AS
SELECT schema_name AS namespace_name, object_name AS relation_name, privilege_type,
       grantee::integer AS identity_id, localshift.identity_name(grantee) AS identity_name,
       localshift.identity_type(grantee) AS identity_type,
       (is_grantable AND localshift.identity_type(grantee) = 'user') AS admin_option
FROM localshift.object_grants
WHERE object_class = 'r' AND grantee <> owner;

-- SVV_SCHEMA_PRIVILEGES, SVV_FUNCTION_PRIVILEGES (procedures too; argument_types as AWS's example
-- shows them: "integer, character varying") and SVV_DATABASE_PRIVILEGES: the same for schemas,
-- functions and databases (PUBLIC's default EXECUTE and TEMP included, as the engine grants them).
CREATE OR REPLACE VIEW pg_catalog.svv_schema_privileges AS
SELECT schema_name AS namespace_name, privilege_type,
       grantee::integer AS identity_id, localshift.identity_name(grantee) AS identity_name,
       localshift.identity_type(grantee) AS identity_type,
       (is_grantable AND localshift.identity_type(grantee) = 'user') AS admin_option
FROM localshift.object_grants
WHERE object_class = 'n' AND grantee <> owner;
CREATE OR REPLACE VIEW pg_catalog.svv_function_privileges AS
SELECT g.schema_name AS namespace_name, g.object_name AS function_name,
       pg_catalog.oidvectortypes(p.proargtypes) AS argument_types, g.privilege_type,
       g.grantee::integer AS identity_id, localshift.identity_name(g.grantee) AS identity_name,
       localshift.identity_type(g.grantee) AS identity_type,
       (g.is_grantable AND localshift.identity_type(g.grantee) = 'user') AS admin_option
FROM localshift.object_grants g
JOIN pg_catalog.pg_proc p ON p.oid = g.object_oid
WHERE g.object_class = 'f' AND g.grantee <> g.owner;
CREATE OR REPLACE VIEW pg_catalog.svv_database_privileges AS
SELECT database_name, privilege_type,
       grantee::integer AS identity_id, localshift.identity_name(grantee) AS identity_name,
       localshift.identity_type(grantee) AS identity_type,
       (is_grantable AND localshift.identity_type(grantee) = 'user') AS admin_option
FROM localshift.object_grants
WHERE object_class = 'd' AND grantee <> owner;

-- Grants on columns (GRANT SELECT (a, b) ON t ...): SELECT and UPDATE.
CREATE OR REPLACE VIEW localshift.column_grants AS
SELECT c.oid AS table_oid, n.nspname::text AS schema_name, c.relname::text AS table_name,
       a.attname::text AS column_name, a.attnum, acl.privilege_type, acl.grantee, acl.grantor, acl.is_grantable
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(a.attacl) AS acl
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND acl.privilege_type IN ('SELECT', 'UPDATE')
  AND localshift.is_user_visible_schema(n.nspname) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND localshift.grant_is_visible(c.relowner, acl.grantee);

-- SVV_USER_GRANTS: roles granted to users.
CREATE OR REPLACE VIEW pg_catalog.svv_user_grants AS
SELECT u.oid::integer AS user_id, u.rolname::text AS user_name, r.oid::integer AS role_id,
       r.rolname::text AS role_name, m.admin_option
FROM localshift.role_grants m
JOIN pg_catalog.pg_roles u ON u.oid = m.member
JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
WHERE u.rolcanlogin AND u.rolname <> 'rdsdb' AND localshift.is_redshift_role(r.oid)
  AND (u.rolname = current_user OR localshift.current_user_is_superuser());

-- USER_IS_MEMBER_OF(user, role | group) and ROLE_IS_MEMBER_OF(role, granted_role): whether the
-- role or group is held, directly or through roles granted to roles (memberships localshift makes
-- for its own reach, localshift.role_grants leaves out, do not count).  AWS: superusers check
-- everyone; a regular user checks only themselves (USER_IS_MEMBER_OF) or roles they hold
-- (ROLE_IS_MEMBER_OF); an identity that does not exist is an error.
CREATE OR REPLACE FUNCTION localshift.holds_role(member oid, target oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
WITH RECURSIVE held (role) AS (
    SELECT m.roleid FROM localshift.role_grants m
    WHERE m.member = $1 AND (localshift.is_redshift_role(m.roleid) OR localshift.is_group(m.roleid))
    UNION
    SELECT m.roleid FROM localshift.role_grants m JOIN held h ON m.member = h.role
    WHERE localshift.is_redshift_role(m.roleid) OR localshift.is_group(m.roleid)
)
SELECT EXISTS (SELECT FROM held WHERE role = $2) $$;
CREATE OR REPLACE FUNCTION localshift.identity_oid(name text, kind text) RETURNS oid
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
    found oid;
BEGIN
    SELECT r.oid INTO found FROM pg_catalog.pg_roles r
    WHERE r.rolname = name AND CASE kind WHEN 'user' THEN r.rolcanlogin
                                         WHEN 'role' THEN localshift.is_redshift_role(r.oid)
                                         ELSE localshift.is_redshift_role(r.oid) OR localshift.is_group(r.oid) END;
    IF found IS NULL THEN
        RAISE EXCEPTION '% "%" does not exist', CASE kind WHEN 'user' THEN 'user' ELSE 'role' END, name
            USING ERRCODE = '42704';
    END IF;
    RETURN found;
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.user_is_member_of(user_name text, role_name text) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who oid := localshift.identity_oid(user_name, 'user');
    target oid := localshift.identity_oid(role_name, 'role or group');
BEGIN
    IF user_name <> session_user AND user_name <> current_user AND NOT localshift.current_user_is_superuser() THEN
        RAISE EXCEPTION 'permission denied to check the membership of user "%"', user_name USING ERRCODE = '42501';
    END IF;
    RETURN localshift.holds_role(who, target);
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.role_is_member_of(role_name text, granted_role_name text) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    member oid := localshift.identity_oid(role_name, 'role');
    target oid := localshift.identity_oid(granted_role_name, 'role');
BEGIN
    IF NOT localshift.current_user_is_superuser() AND NOT pg_catalog.pg_has_role(session_user, member, 'MEMBER') THEN
        RAISE EXCEPTION 'permission denied to check the membership of role "%"', role_name USING ERRCODE = '42501';
    END IF;
    RETURN localshift.holds_role(member, target);
END $$;

-- SVV_ROLE_GRANTS: roles granted to roles.
CREATE OR REPLACE VIEW pg_catalog.svv_role_grants AS
SELECT r.oid::integer AS role_id, r.rolname::text AS role_name, g.oid::integer AS granted_role_id,
       g.rolname::text AS granted_role_name
FROM localshift.role_grants m
JOIN pg_catalog.pg_roles r ON r.oid = m.member
JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
WHERE localshift.is_redshift_role(r.oid) AND localshift.is_redshift_role(g.oid)
  AND (localshift.current_user_is_superuser() OR pg_catalog.pg_has_role(r.oid, 'MEMBER'));

-- SVV_DEFAULT_PRIVILEGES: ALTER DEFAULT PRIVILEGES grants on tables and on functions and
-- procedures (one kind in the engine: FUNCTION).  A default without IN SCHEMA holds the
-- owner's own privileges and, for functions, PUBLIC's EXECUTE, which every function gets
-- anyway: those are not grants and are not listed.
CREATE OR REPLACE VIEW pg_catalog.svv_default_privileges AS
SELECT n.nspname::text AS schema_name,
       CASE d.defaclobjtype WHEN 'r' THEN 'RELATION' ELSE 'FUNCTION' END AS object_type,
       d.defaclrole::integer AS owner_id, pg_catalog.pg_get_userbyid(d.defaclrole)::text AS owner_name,
       'user'::text AS owner_type, acl.privilege_type::text AS privilege_type,
       acl.grantee::integer AS grantee_id, localshift.identity_name(acl.grantee) AS grantee_name,
       localshift.identity_type(acl.grantee) AS grantee_type,
       (acl.is_grantable AND localshift.identity_type(acl.grantee) = 'user') AS admin_option
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) AS acl
WHERE d.defaclobjtype IN ('r', 'f')
  AND acl.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES', 'TRIGGER', 'EXECUTE')
  AND NOT (d.defaclnamespace = 0 AND acl.grantee = d.defaclrole)
  AND NOT (d.defaclnamespace = 0 AND d.defaclobjtype = 'f' AND acl.grantee = 0)
  AND (localshift.current_user_is_superuser() OR acl.grantee = 0
       OR pg_catalog.pg_has_role(acl.grantee, 'MEMBER') OR pg_catalog.pg_has_role(d.defaclrole, 'MEMBER'));

-- SVV_COLUMN_PRIVILEGES: SELECT and UPDATE granted on columns (GRANT ... (col) ON t), seen
-- by superusers, the table's owner and the grantees.
CREATE OR REPLACE VIEW pg_catalog.svv_column_privileges AS
SELECT schema_name AS namespace_name, table_name AS relation_name, column_name, privilege_type::text,
       grantee::integer AS identity_id, localshift.identity_name(grantee) AS identity_name,
       localshift.identity_type(grantee) AS identity_type
FROM localshift.column_grants;

-- SVV_REDSHIFT_FUNCTIONS / SVV_FUNCTIONS: user-defined functions and stored procedures
-- of this database that the user may run or owns (Redshift's built-ins are not listed).
CREATE OR REPLACE VIEW pg_catalog.svv_redshift_functions AS
SELECT current_database()::varchar(128) AS database_name, n.nspname::varchar(128) AS schema_name,
       p.proname::varchar(128) AS function_name,
       (CASE p.prokind WHEN 'a' THEN 'AGGREGATE FUNCTION' WHEN 'p' THEN 'STORED PROCEDURE'
                       ELSE 'REGULAR FUNCTION' END)::varchar(128) AS function_type,
       pg_catalog.oidvectortypes(p.proargtypes)::varchar(512) AS argument_type,
       pg_catalog.format_type(p.prorettype, NULL)::varchar(128) AS result_type
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE localshift.is_user_visible_schema(n.nspname) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (localshift.current_user_is_superuser() OR pg_catalog.pg_has_role(p.proowner, 'USAGE')
       OR pg_catalog.has_function_privilege(p.oid, 'EXECUTE'));

CREATE OR REPLACE VIEW pg_catalog.svv_functions AS
SELECT * FROM pg_catalog.svv_redshift_functions;

-- SVV_INTERLEAVED_COLUMNS: the columns of interleaved sort keys (col counts from 0
-- among the table's columns); superusers only.  One slice holds every row, so no key
-- is skewed (1.00).  VACUUM REINDEX is not recorded (last_reindex NULL).
CREATE OR REPLACE VIEW pg_catalog.svv_interleaved_columns AS
SELECT cl.table_oid::integer AS tbl,
       (SELECT count(*) FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = cl.table_oid AND a.attnum > 0 AND a.attnum < cl.attnum
          AND NOT a.attisdropped)::integer AS col,
       1.00::numeric(19, 2) AS interleaved_skew, NULL::timestamp AS last_reindex
FROM localshift.column_layout cl
JOIN localshift.table_layout tl ON tl.table_oid = cl.table_oid
JOIN pg_catalog.pg_class c ON c.oid = cl.table_oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE tl.sortkey_type = 'interleaved' AND cl.sortkey_ord <> 0 AND localshift.is_user_visible_schema(n.nspname)
  AND localshift.current_user_is_superuser();

GRANT SELECT ON localshift.object_grants, localshift.column_grants, pg_catalog.svv_relation_privileges,
    pg_catalog.svv_schema_privileges, pg_catalog.svv_function_privileges, pg_catalog.svv_database_privileges,
    pg_catalog.svv_user_grants, pg_catalog.svv_role_grants, pg_catalog.svv_default_privileges,
    pg_catalog.svv_column_privileges, pg_catalog.svv_redshift_functions, pg_catalog.svv_functions,
    pg_catalog.svv_interleaved_columns TO PUBLIC;
