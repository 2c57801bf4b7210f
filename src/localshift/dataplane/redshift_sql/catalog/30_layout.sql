-- Tables' Redshift layout (distribution, sort keys, encodings) as the system
-- views report it: what the DDL said (localshift.table_attributes and
-- column_attributes, recorded by the translator), else Redshift's defaults.

-- When each relation was created (filled by the event trigger in 40_events.sql).
CREATE TABLE IF NOT EXISTS localshift.relation_created (table_oid oid PRIMARY KEY, created timestamp NOT NULL);

-- Who may see a relation in the SVV views: Redshift superusers, its owner's
-- roles, and users holding any privilege on it.
CREATE OR REPLACE FUNCTION localshift.can_see_relation(relation oid, owner oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.is_superuser((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
    OR pg_has_role($2, 'USAGE')
    OR has_table_privilege($1, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') $$;

-- One row per table (and materialized view): the effective distribution and sort key.
--   diststyle: EVEN | KEY | ALL | AUTO.  A DISTKEY without DISTSTYLE is KEY;
--     nothing at all is AUTO, which Redshift reports as AUTO(EVEN) here.
--   sortkey_type: compound | interleaved | auto | none.  No SORTKEY is AUTO,
--     Redshift's default for new tables; none (ALTER SORTKEY NONE) is recorded as such.
CREATE OR REPLACE VIEW localshift.table_layout AS
SELECT c.oid AS table_oid,
       CASE WHEN ta.diststyle IS NOT NULL THEN upper(ta.diststyle)
            WHEN ta.distkey IS NOT NULL THEN 'KEY'
            ELSE 'AUTO' END AS diststyle,
       ta.distkey,
       coalesce(ta.sortkey, '{}'::text[]) AS sortkey,
       CASE WHEN cardinality(ta.sortkey) > 0 THEN coalesce(lower(ta.sortkey_type), 'compound')
            WHEN lower(ta.sortkey_type) = 'none' THEN 'none'
            ELSE 'auto' END AS sortkey_type,
       coalesce(ta.backup, true) AS backup,
       EXISTS (SELECT FROM localshift.column_attributes ca WHERE ca.table_oid = c.oid) AS explicit_encodings
FROM pg_catalog.pg_class c
LEFT JOIN localshift.table_attributes ta ON ta.table_oid = c.oid
WHERE c.relkind IN ('r', 'p', 'm');

-- pg_class.reldiststyle: 0 EVEN, 1 KEY, 8 ALL, 9 AUTO; releffectivediststyle
-- adds 10 AUTO(ALL), 11 AUTO(EVEN), 12 AUTO(KEY).
CREATE OR REPLACE FUNCTION localshift.diststyle_code(diststyle text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE $1 WHEN 'EVEN' THEN 0 WHEN 'KEY' THEN 1 WHEN 'ALL' THEN 8 WHEN 'AUTO' THEN 9 END $$;

-- One row per column of a table: encoding, distribution key, sort key position.
-- Interleaved sort key positions alternate in sign (-1, 2, -3, ...), as Redshift shows them.
CREATE OR REPLACE VIEW localshift.column_layout AS
SELECT a.attrelid AS table_oid, a.attnum, a.attname,
       -- Redshift shows RAW as none.
       replace(coalesce(lower(ca.encoding), localshift.default_encoding(a.atttypid, sort_position > 0)),
               'raw', 'none') AS encoding,
       (tl.diststyle = 'KEY' AND a.attname::text = tl.distkey) AS is_distkey,
       CASE WHEN sort_position > 0 AND tl.sortkey_type = 'interleaved' AND sort_position % 2 = 1
            THEN -sort_position ELSE sort_position END AS sortkey_ord
FROM localshift.table_layout tl
JOIN pg_catalog.pg_attribute a ON a.attrelid = tl.table_oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN localshift.column_attributes ca ON ca.table_oid = a.attrelid AND ca.attnum = a.attnum
CROSS JOIN LATERAL (SELECT coalesce(array_position(tl.sortkey, a.attname::text), 0) AS sort_position) AS sp;

-- Redshift's extra catalog columns.  PostgreSQL's catalogs cannot gain
-- columns: the translator reads pg_class, pg_attribute and pg_attrdef from
-- these views when a statement names one of reldiststyle, attencodingtype,
-- attisdistkey, attsortkeyord or adsrc.
-- reltuples is 0 until a table's first ANALYZE, as in Redshift (PostgreSQL 14 writes -1).
-- Every statement naming pg_class reads it here: Redshift's catalog has no sequences (an IDENTITY
-- column has none).
CREATE OR REPLACE VIEW localshift.redshift_pg_class AS
SELECT c.oid, c.relname, c.relnamespace, c.reltype, c.reloftype, c.relowner, c.relam, c.relfilenode,
       c.reltablespace, c.relpages, greatest(c.reltuples, 0)::real AS reltuples, c.relallvisible, c.relallfrozen,
       c.reltoastrelid, c.relhasindex, c.relisshared, c.relpersistence, c.relkind, c.relnatts, c.relchecks,
       c.relhasrules, c.relhastriggers, c.relhassubclass, c.relrowsecurity, c.relforcerowsecurity,
       c.relispopulated, c.relreplident, c.relispartition, c.relrewrite, c.relfrozenxid, c.relminmxid,
       localshift.redshift_acl(c.relacl, 'r', c.relowner) AS relacl,
       c.reloptions, c.relpartbound, coalesce(localshift.diststyle_code(tl.diststyle), 0) AS reldiststyle,
       rc.created AS relcreationtime
FROM pg_catalog.pg_class c
LEFT JOIN localshift.table_layout tl ON tl.table_oid = c.oid
LEFT JOIN localshift.relation_created rc ON rc.table_oid = c.oid
WHERE c.relkind <> 'S';

-- Columns of late-binding views are not in Redshift's pg_attribute (see pg_get_late_binding_view_cols).
-- An IDENTITY column has a default in Redshift's catalog (atthasdef; see redshift_pg_attrdef).
CREATE OR REPLACE VIEW localshift.redshift_pg_attribute AS
SELECT a.attrelid, a.attname, a.atttypid, a.attlen, a.attnum, a.atttypmod, a.attndims, a.attbyval, a.attalign,
       a.attstorage, a.attcompression, a.attnotnull, a.atthasdef OR a.attidentity <> '' AS atthasdef,
       a.atthasmissing, a.attidentity, a.attgenerated, a.attisdropped, a.attislocal, a.attinhcount,
       a.attcollation, a.attstattarget, a.attacl, a.attoptions, a.attfdwoptions, a.attmissingval,
       coalesce(localshift.encoding_code(cl.encoding), 0)::smallint AS attencodingtype,
       coalesce(cl.is_distkey, false) AS attisdistkey, coalesce(cl.sortkey_ord, 0)::integer AS attsortkeyord
FROM pg_catalog.pg_attribute a
LEFT JOIN localshift.column_layout cl ON cl.table_oid = a.attrelid AND cl.attnum = a.attnum
WHERE NOT EXISTS (SELECT FROM localshift.late_binding_views lbv WHERE lbv.view_oid = a.attrelid);

-- pg_attrdef.adsrc: the default's text, which PostgreSQL 12 dropped.  An IDENTITY column has a
-- row too, its default as Redshift writes it (localshift.identity_default; the row's oid is its
-- identity sequence's).  adbin is text, as in Redshift's catalog (PostgreSQL 8.0's): the
-- expression's text, which pg_get_expr gives back (below), so that pg_get_expr(adbin, adrelid)
-- shows an IDENTITY column's default as Redshift's does (sqlalchemy-redshift reflects IDENTITY
-- from it).
DO $$
BEGIN
    -- The view had PostgreSQL's pg_node_tree adbin before: it is made again (a user's view reading
    -- it keeps the old one, renamed, until that view is replaced).
    IF EXISTS (SELECT FROM pg_catalog.pg_attribute
               WHERE attrelid = pg_catalog.to_regclass('localshift.redshift_pg_attrdef')
                 AND attname = 'adbin' AND atttypid = 'pg_catalog.pg_node_tree'::pg_catalog.regtype) THEN
        BEGIN
            DROP VIEW localshift.redshift_pg_attrdef;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            ALTER VIEW localshift.redshift_pg_attrdef RENAME TO redshift_pg_attrdef_node_tree;
        END;
    END IF;
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.pg_get_expr(expression text, relation oid) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE FUNCTION pg_catalog.pg_get_expr(expression text, relation oid, pretty boolean) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 $$;
CREATE OR REPLACE VIEW localshift.redshift_pg_attrdef AS
SELECT d.oid, d.adrelid, d.adnum, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS adbin,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS adsrc
FROM pg_catalog.pg_attrdef d
UNION ALL
SELECT s.seqrelid, a.attrelid, a.attnum, localshift.identity_default(a.attrelid, a.attnum),
       localshift.identity_default(a.attrelid, a.attnum)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_depend dep ON dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = a.attrelid
     AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i'
JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
WHERE a.attidentity <> '';

GRANT SELECT ON localshift.table_layout, localshift.column_layout, localshift.redshift_pg_class,
    localshift.redshift_pg_attribute, localshift.redshift_pg_attrdef TO PUBLIC;
