-- PG_NAMESPACE as Redshift's users see it.  Every statement naming pg_namespace reads it here
-- (the translator's catalog views), as do SHOW SCHEMAS, SVV_ALL_SCHEMAS and
-- INFORMATION_SCHEMA.SCHEMATA: localshift's own schema is not listed, and public is owned by
-- rdsdb, as in Redshift (SHOW SCHEMAS shows public's schema_owner as rdsdb's id).  Only the
-- listing changes: the master user still owns public in the engine (and keeps its ACL's rights).
CREATE OR REPLACE VIEW localshift.redshift_pg_namespace AS
SELECT n.oid, n.nspname,
       CASE WHEN n.nspname = 'public' THEN (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = 'rdsdb')
            ELSE n.nspowner END AS nspowner,
       n.nspacl
FROM pg_catalog.pg_namespace n
WHERE n.nspname <> 'localshift';
GRANT SELECT ON localshift.redshift_pg_namespace TO PUBLIC;

-- PostgreSQL's own definition over that listing (pg_roles for pg_authid: the same names).
CREATE OR REPLACE VIEW information_schema.schemata AS
SELECT current_database()::information_schema.sql_identifier AS catalog_name,
       n.nspname::information_schema.sql_identifier AS schema_name,
       u.rolname::information_schema.sql_identifier AS schema_owner,
       NULL::name::information_schema.sql_identifier AS default_character_set_catalog,
       NULL::name::information_schema.sql_identifier AS default_character_set_schema,
       NULL::name::information_schema.sql_identifier AS default_character_set_name,
       NULL::character varying::information_schema.character_data AS sql_path
FROM localshift.redshift_pg_namespace n
JOIN pg_catalog.pg_roles u ON u.oid = n.nspowner
WHERE pg_catalog.pg_has_role(n.nspowner, 'USAGE') OR pg_catalog.has_schema_privilege(n.oid, 'CREATE, USAGE');
