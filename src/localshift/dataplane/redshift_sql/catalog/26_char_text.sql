-- The catalog's "char" columns (pg_class.relkind, pg_constraint.contype, pg_type.typtype...) meet
-- text as Redshift's PostgreSQL 8.0 had them meet it: a UNION, CASE or IN of the two is text
-- (8.0 chose the type both convert to implicitly).  PostgreSQL 18 puts "char" in a category of its
-- own (Z, internal use) and refuses to mix it with a string ("UNION types "char" and text cannot be
-- matched"): OpenMetadata's relation listing unions c.relkind with 'r' typed text by its own
-- parenthesized branch.  In the string category "char" resolves to text, the category's preferred
-- type, through its implicit cast; "char" against "char" stays "char".
UPDATE pg_catalog.pg_type SET typcategory = 'S' WHERE oid = '"char"'::regtype AND typcategory = 'Z';
