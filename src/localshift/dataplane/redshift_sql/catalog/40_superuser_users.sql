-- DROP USER and ALTER USER by a Redshift superuser on another superuser (users.py).  Redshift lets
-- any superuser drop and alter any user; PostgreSQL lets only a role's creator (ADMIN OPTION) do it,
-- and no superuser can hold another's (the engine refuses circular memberships).  So a superuser's
-- session refused (42501) runs the statement again as the internal role, in the forms below only,
-- built here from the user's name: no statement text of the caller's reaches the internal role.

-- The statement for ``clause``: 'DROP' (DROP ROLE), 'DROP IF EXISTS', or ALTER ROLE's: options one
-- after the other (PASSWORD NULL or a literal, VALID UNTIL a literal, CONNECTION LIMIT n, CREATEDB,
-- NOCREATEDB), RENAME TO "name", SET "parameter" TO literals, RESET "parameter"; NULL for anything
-- else.  Literals are escape string literals (E'...', as the translator writes them: a plain '...'
-- would end at another quote than these patterns see when standard_conforming_strings is on), names
-- quoted identifiers.
CREATE OR REPLACE FUNCTION localshift.user_statement(username text, clause text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $f$
SELECT CASE WHEN clause = 'DROP' THEN format('DROP ROLE %I', username)
            WHEN clause = 'DROP IF EXISTS' THEN format('DROP ROLE IF EXISTS %I', username)
            WHEN clause ~ replace(replace($re$^OPTION( OPTION)*$$re$, 'OPTION',
                                          $re$(PASSWORD (NULL|LITERAL)|VALID UNTIL LITERAL|CONNECTION LIMIT -?[0-9]{1,10}|NOCREATEDB|CREATEDB)$re$),
                                  'LITERAL', $re$E'([^'\\]|''|\\.)*'$re$)
              OR clause ~ $re$^(RENAME TO|RESET) "([^"]|"")+"$$re$
              OR clause ~ replace($re$^SET "([^"]|"")+" TO LITERAL(, LITERAL)*$$re$, 'LITERAL', $re$E'([^'\\]|''|\\.)*'$re$)
            THEN format('ALTER ROLE %I %s', username, clause)
       END $f$;

-- As the internal role, for a superuser's session, on a login user who is a Redshift superuser
-- (another user every superuser reaches already, through localshift_superuser's ADMIN OPTION on it)
-- and none of the engine's or localshift's roles; false (the caller's refusal stands) for any other
-- user or clause.  Not RENAME TO (the service knows the master user by its name), nor SET of a
-- parameter the session's user could not set itself: the internal role may store any, and a stored
-- setting is applied at login with a superuser's rights (session_preload_libraries would load any
-- library of the host).
CREATE OR REPLACE FUNCTION localshift.change_superuser(username text, clause text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    statement text := localshift.user_statement(username, clause);
    parameter text := replace(substring(clause FROM '^SET "((?:[^"]|"")+)" TO '), '""', '"');
BEGIN
    IF NOT localshift.session_is_superuser() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied for function change_superuser';
    END IF;
    IF statement IS NULL OR clause LIKE 'RENAME TO %' OR NOT EXISTS (
            SELECT FROM pg_roles r WHERE r.rolname = username AND r.rolcanlogin AND NOT r.rolsuper
              AND r.rolname !~ '^(pg|localshift)_' AND localshift.is_confined_superuser(r.oid)) THEN
        RETURN false;
    END IF;
    -- (A placeholder, a name with a dot, shows in pg_settings as anyone's once set in the session.)
    IF parameter IS NOT NULL AND NOT (CASE
            WHEN parameter LIKE '%.%' THEN has_parameter_privilege(localshift.session_role(), parameter, 'SET')
            ELSE EXISTS (SELECT FROM pg_settings s WHERE s.name = lower(parameter) AND s.context = 'user') END) THEN
        RETURN false;
    END IF;
    EXECUTE statement;
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION localshift.change_superuser(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.change_superuser(text, text) TO localshift_superuser;

-- What the translator runs DROP USER (one call a user) and ALTER USER by (but CREATEUSER, NOCREATEUSER
-- and SYSLOG ACCESS: localshift.set_superuser, localshift.set_syslog_access): as the caller, and, when
-- a superuser's session is refused, again as the internal role.  (Nested IFs: SQL does not say in
-- which order an OR's operands run, and change_superuser refuses ordinary users' sessions with a
-- message of its own.)
CREATE OR REPLACE FUNCTION localshift.change_user(username text, clause text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    statement text := localshift.user_statement(username, clause);
BEGIN
    IF statement IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '42601', MESSAGE = 'syntax error';
    END IF;
    EXECUTE statement;
EXCEPTION WHEN insufficient_privilege THEN
    IF NOT localshift.session_is_superuser() THEN
        RAISE;
    END IF;
    IF NOT localshift.change_superuser(username, clause) THEN
        RAISE;
    END IF;
END $$;
