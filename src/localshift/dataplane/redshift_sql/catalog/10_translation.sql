-- Functions the translator's rewrites call (see docs/sql.md, internals).

-- The encoding Redshift gives a column by default (ENCODE AUTO): RAW for sort
-- key columns and BOOLEAN/REAL/DOUBLE PRECISION, AZ64 for integers, decimals,
-- dates and times, LZO for character and binary types.
CREATE OR REPLACE FUNCTION localshift.default_encoding(type_oid oid, is_sortkey boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE
        WHEN is_sortkey THEN 'raw'
        WHEN type_oid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
                          'date'::regtype, 'time'::regtype, 'timetz'::regtype,
                          'timestamp'::regtype, 'timestamptz'::regtype) THEN 'az64'
        WHEN type_oid IN ('bpchar'::regtype, 'varchar'::regtype, 'text'::regtype,
                          'bytea'::regtype, 'name'::regtype) THEN 'lzo'
        ELSE 'raw'
    END
$fn$;

-- ANALYZE COMPRESSION [table [(columns)]]: Redshift's result shape.  The
-- estimate needs Redshift's storage; localshift reports the default encodings.
CREATE OR REPLACE FUNCTION localshift.analyze_compression(rel regclass, columns text[])
RETURNS TABLE ("table" name, "column" name, encoding text, est_reduction_pct numeric(5, 2))
LANGUAGE sql STABLE AS $fn$
    SELECT c.relname, a.attname,
           localshift.default_encoding(a.atttypid, a.attname = ANY (COALESCE(t.sortkey, '{}'))),
           0.00
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN localshift.table_attributes t ON t.table_oid = c.oid
    WHERE c.relkind = 'r'
      AND (rel IS NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'localshift')
           AND n.nspname NOT LIKE 'pg_toast%' AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
           OR c.oid = rel)
      AND (columns IS NULL OR a.attname = ANY (columns))
    ORDER BY n.nspname, c.relname, a.attnum
$fn$;

-- ALTER TABLE target APPEND FROM source [IGNOREEXTRA | FILLTARGET]: moves every
-- row of source into target; columns are matched by name and must have the
-- same types.  Runs with the caller's privileges (INSERT on target, SELECT and
-- DELETE on source).
CREATE OR REPLACE FUNCTION localshift.append_table(target regclass, source regclass, mode text)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    target_only text[];
    source_only text[];
    common text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute t JOIN pg_catalog.pg_attribute s
                   ON s.attrelid = source AND s.attname = t.attname AND s.attnum > 0 AND NOT s.attisdropped
               WHERE t.attrelid = target AND t.attnum > 0 AND NOT t.attisdropped
                 AND (t.atttypid, t.atttypmod) IS DISTINCT FROM (s.atttypid, s.atttypmod)) THEN
        RAISE EXCEPTION 'Columns don''t match.' USING ERRCODE = '42804';
    END IF;
    target_only := ARRAY(SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = target
                         AND attnum > 0 AND NOT attisdropped
                         EXCEPT SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = source);
    source_only := ARRAY(SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = source
                         AND attnum > 0 AND NOT attisdropped
                         EXCEPT SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = target);
    IF cardinality(target_only) > 0 AND mode <> 'filltarget'
       OR cardinality(source_only) > 0 AND mode <> 'ignoreextra' THEN
        RAISE EXCEPTION 'Target table and source table attributes don''t match.'
            USING ERRCODE = '42804';
    END IF;
    SELECT string_agg(quote_ident(t.attname), ', ' ORDER BY t.attnum) INTO common
        FROM pg_catalog.pg_attribute t
        JOIN pg_catalog.pg_attribute s ON s.attrelid = source AND s.attname = t.attname
             AND s.attnum > 0 AND NOT s.attisdropped
        WHERE t.attrelid = target AND t.attnum > 0 AND NOT t.attisdropped;
    EXECUTE format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s',
                   target, common, common, source);
    EXECUTE format('DELETE FROM %s', source);
END
$fn$;
