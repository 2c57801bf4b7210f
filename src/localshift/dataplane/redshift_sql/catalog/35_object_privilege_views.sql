-- Redshift's views of privileges granted on databases, schemas and functions, from the
-- engine's ACLs as localshift.object_grants reads them (35_grant_views.sql): Redshift's
-- privilege names, grants to users, groups, roles and PUBLIC, seen by superusers, the
-- object's owner and the grantees.  As in SVV_RELATION_PRIVILEGES, an owner's own privileges
-- are implicit and not listed; what every database grants PUBLIC by default (TEMP) is.

CREATE OR REPLACE VIEW pg_catalog.svv_database_privileges AS
SELECT database_name, privilege_type, grantee::integer AS identity_id,
       localshift.identity_name(grantee) AS identity_name, localshift.identity_type(grantee) AS identity_type,
       (is_grantable AND localshift.identity_type(grantee) = 'user') AS admin_option
FROM localshift.object_grants
WHERE object_class = 'd' AND grantee <> owner;

CREATE OR REPLACE VIEW pg_catalog.svv_schema_privileges AS
SELECT schema_name AS namespace_name, privilege_type, grantee::integer AS identity_id,
       localshift.identity_name(grantee) AS identity_name, localshift.identity_type(grantee) AS identity_type,
       (is_grantable AND localshift.identity_type(grantee) = 'user') AS admin_option
FROM localshift.object_grants
WHERE object_class = 'n' AND grantee <> owner;

-- Functions (not stored procedures, which Redshift lists nowhere here), with their argument types.
CREATE OR REPLACE VIEW pg_catalog.svv_function_privileges AS
SELECT g.schema_name AS namespace_name, g.object_name AS function_name,
       pg_catalog.oidvectortypes(p.proargtypes) AS argument_types, g.privilege_type,
       g.grantee::integer AS identity_id, localshift.identity_name(g.grantee) AS identity_name,
       localshift.identity_type(g.grantee) AS identity_type,
       (g.is_grantable AND localshift.identity_type(g.grantee) = 'user') AS admin_option
FROM localshift.object_grants g
JOIN pg_catalog.pg_proc p ON p.oid = g.object_oid
WHERE g.object_class = 'f' AND g.object_type = 'FUNCTION' AND g.grantee <> g.owner;

GRANT SELECT ON pg_catalog.svv_database_privileges, pg_catalog.svv_schema_privileges,
    pg_catalog.svv_function_privileges TO PUBLIC;
