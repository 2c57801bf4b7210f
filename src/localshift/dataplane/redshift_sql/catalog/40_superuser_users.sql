-- DROP USER and ALTER USER ... PASSWORD by a Redshift superuser on another superuser (users.py).
-- Redshift lets any superuser drop any user and set any user's password; PostgreSQL lets only a
-- role's creator (ADMIN OPTION) do it, and no superuser can hold another's (the engine refuses
-- circular memberships).  So a superuser's session refused (42501) runs the statement again as the
-- internal role, in one of two forms only, built here from the user's name: no statement text of
-- the caller's reaches the internal role.

-- The statement for ``clause``: 'DROP' (DROP ROLE), 'DROP IF EXISTS', or 'PASSWORD ' and NULL or an
-- escape string literal (E'...', as the translator writes them: a plain '...' would end at another
-- quote than this pattern sees when standard_conforming_strings is on); NULL for anything else.
CREATE OR REPLACE FUNCTION localshift.user_statement(username text, clause text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $f$
SELECT CASE WHEN clause = 'DROP' THEN format('DROP ROLE %I', username)
            WHEN clause = 'DROP IF EXISTS' THEN format('DROP ROLE IF EXISTS %I', username)
            WHEN clause ~ $re$^PASSWORD (NULL|E'([^'\\]|''|\\.)*')$$re$ THEN format('ALTER ROLE %I %s', username, clause)
       END $f$;

-- As the internal role, for a superuser's session, on a login user who is a Redshift superuser
-- (another user every superuser reaches already, through localshift_superuser's ADMIN OPTION) and
-- none of the engine's or localshift's roles; false (the caller's refusal stands) for any other user
-- or clause.
CREATE OR REPLACE FUNCTION localshift.change_superuser(username text, clause text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    statement text := localshift.user_statement(username, clause);
BEGIN
    IF NOT localshift.session_is_superuser() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied for function change_superuser';
    END IF;
    IF statement IS NULL OR NOT EXISTS (
            SELECT FROM pg_roles r WHERE r.rolname = username AND r.rolcanlogin AND NOT r.rolsuper
              AND r.rolname !~ '^(pg|localshift)_' AND localshift.is_confined_superuser(r.oid)) THEN
        RETURN false;
    END IF;
    EXECUTE statement;
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION localshift.change_superuser(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.change_superuser(text, text) TO localshift_superuser;

-- What the translator runs DROP USER (one call a user) and ALTER USER u PASSWORD by: as the caller,
-- and, when a superuser's session is refused, again as the internal role.
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
    IF NOT localshift.session_is_superuser() OR NOT localshift.change_superuser(username, clause) THEN
        RAISE;
    END IF;
END $$;
