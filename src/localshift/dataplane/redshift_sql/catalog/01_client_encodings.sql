-- Client encodings whose characters may hold ASCII bytes (PostgreSQL's client-only encodings:
-- SJIS's second byte may be 0x5C, a backslash to any reader but one that knows SJIS) are not
-- served: the translator reads statements as UTF-8, and in such an encoding the engine could read
-- a string's end where the translator reads an escaped quote, running what it took for a string
-- past its refusals.  Without a default conversion, setting one fails (startup packet, SET,
-- set_config): "conversion between SJIS and UTF8 is not supported".
UPDATE pg_catalog.pg_conversion SET condefault = false
WHERE condefault
  AND (pg_catalog.pg_encoding_to_char(conforencoding) IN ('SJIS', 'SHIFT_JIS_2004', 'BIG5', 'GBK', 'UHC',
                                                          'GB18030', 'JOHAB')
       OR pg_catalog.pg_encoding_to_char(contoencoding) IN ('SJIS', 'SHIFT_JIS_2004', 'BIG5', 'GBK', 'UHC',
                                                            'GB18030', 'JOHAB'));
