-- Redshift's catalog tables have columns PostgreSQL's lack (pg_class.reldiststyle,
-- pg_attribute.attencodingtype / attisdistkey / attsortkeyord, pg_attrdef.adsrc).
-- A statement that reads one of them gets these views in place of the
-- pg_catalog relations (expressions.REDSHIFT_CATALOG_COLUMNS).

-- attencodingtype codes, and their names as Redshift's format_encoding()
-- returns them (RAW reads "none", as in PG_TABLE_DEF).
CREATE OR REPLACE FUNCTION localshift.encoding_code(encoding text)
RETURNS smallint LANGUAGE sql IMMUTABLE AS $fn$
    SELECT (array_position(ARRAY['raw', 'bytedict', 'delta', 'delta32k', 'lzo', 'mostly8',
                                 'mostly16', 'mostly32', 'runlength', 'text255', 'text32k',
                                 'zstd', 'az64'], lower(encoding)) - 1)::smallint
$fn$;
CREATE OR REPLACE FUNCTION localshift.format_encoding(code integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT (ARRAY['none', 'bytedict', 'delta', 'delta32k', 'lzo', 'mostly8', 'mostly16',
                  'mostly32', 'runlength', 'text255', 'text32k', 'zstd', 'az64'])[code + 1]
$fn$;

-- reldiststyle: 0 EVEN, 1 KEY, 8 ALL, 10 AUTO(ALL), 11 AUTO(EVEN), 12 AUTO(KEY).
CREATE OR REPLACE VIEW localshift.pg_class AS
    SELECT c.*,
           CASE t.diststyle WHEN 'EVEN' THEN 0 WHEN 'KEY' THEN 1 WHEN 'ALL' THEN 8
                ELSE 11 END::integer AS reldiststyle,
           NULL::timestamp AS relcreationtime
    FROM pg_catalog.pg_class c
    LEFT JOIN localshift.table_attributes t ON t.table_oid = c.oid;

CREATE OR REPLACE VIEW localshift.pg_attribute AS
    SELECT a.*,
           CASE WHEN c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 THEN
               localshift.encoding_code(COALESCE(ca.encoding, localshift.default_encoding(
                   a.atttypid, a.attname = ANY (COALESCE(t.sortkey, '{}')))))
           ELSE 0 END::smallint AS attencodingtype,
           COALESCE(t.distkey = a.attname, false) AS attisdistkey,
           (COALESCE(array_position(t.sortkey, a.attname::text), 0)
            * CASE WHEN t.sortkey_type = 'interleaved' THEN -1 ELSE 1 END)::integer AS attsortkeyord
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    LEFT JOIN localshift.table_attributes t ON t.table_oid = a.attrelid
    LEFT JOIN localshift.column_attributes ca ON ca.table_oid = a.attrelid AND ca.attnum = a.attnum;

CREATE OR REPLACE VIEW localshift.pg_attrdef AS
    SELECT d.*, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS adsrc
    FROM pg_catalog.pg_attrdef d;

GRANT SELECT ON localshift.pg_class, localshift.pg_attribute, localshift.pg_attrdef TO PUBLIC;
