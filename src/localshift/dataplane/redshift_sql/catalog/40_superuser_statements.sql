-- ALTER, DROP, GRANT and REVOKE by a Redshift superuser on what another superuser owns
-- (owner_reach.py).  Redshift's superusers bypass every check, an owner's included; here no
-- superuser can be a member of another (the engine refuses circular memberships), so such a
-- statement runs again as localshift_owners: a role that the master user, every CREATEUSER user
-- (localshift.set_superuser, install.py) and localshift_superuser (so every other user) are
-- granted to, that logs in as nobody, is granted to nobody and so is reached only by
-- localshift.as_owner, a SECURITY DEFINER function of its own.

-- Whether the session runs as a Redshift superuser who is none of the engine's: its login user, or
-- the user SET ROLE (SET SESSION AUTHORIZATION) took.  Inside a SECURITY DEFINER function too, which
-- this does not mistake for its caller: a superuser's function a user runs runs as the superuser,
-- but the session is the user's.
CREATE OR REPLACE FUNCTION localshift.session_is_superuser() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.is_confined_superuser((SELECT oid FROM pg_roles WHERE rolname = CASE
    WHEN current_setting('role') = 'none' THEN session_user ELSE current_setting('role') END)) $$;

-- The statement as localshift_owners, which has the owner's rights on every cluster user's objects
-- (never the internal role's).  The caller's search path stays (the statement's names are the
-- caller's): everything here is qualified.  Only a superuser's session passes, whoever may EXECUTE
-- it (its owner, localshift_owners, could grant that through it).
CREATE OR REPLACE FUNCTION localshift.as_owner(statement text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NOT localshift.session_is_superuser() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied for function as_owner';
    END IF;
    EXECUTE statement;
END $$;
ALTER FUNCTION localshift.as_owner(text) OWNER TO localshift_owners;
REVOKE ALL ON FUNCTION localshift.as_owner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.as_owner(text) TO localshift_superuser;

-- What the translator runs an ALTER or DROP of a table, view, schema or routine, a COMMENT ON or an
-- ALTER DEFAULT PRIVILEGES FOR USER by (grants false),
-- or a GRANT or REVOKE on an object (grants true): as the caller, and again as the owners' role when
-- a superuser's session is refused (42501: "must be owner of ...").  A superuser's GRANT and REVOKE go
-- to the owners' role at once (the engine would only warn that nothing was granted), and are recorded
-- as the object owner's, as PostgreSQL records its superusers'.  In a routine's body too, where the
-- statement runs with the routine's rights: a superuser's session running a routine as a superuser
-- (its own, another's SECURITY DEFINER routine) is served; one running an ordinary user's SECURITY
-- DEFINER routine is not (the statement has that user's rights alone), nor is a superuser's SECURITY
-- DEFINER routine an ordinary user's session runs (as_owner serves superusers' sessions only).
-- Whether the caller is a superuser is asked only when it matters: an ALTER or DROP the caller
-- may run (its own object: every one of dbt's) runs as it is.
CREATE OR REPLACE FUNCTION localshift.run_as_owner(statement text, grants boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF grants AND localshift.runs_as_confined_superuser() THEN
        PERFORM localshift.as_owner(statement);
        RETURN;
    END IF;
    BEGIN
        EXECUTE statement;
    EXCEPTION WHEN insufficient_privilege THEN
        IF grants OR NOT localshift.runs_as_confined_superuser() THEN
            RAISE;
        END IF;
        PERFORM localshift.as_owner(statement);
    END;
END $$;

-- A superuser's session running with a superuser's rights (its own, or another superuser's SECURITY
-- DEFINER routine's).
CREATE OR REPLACE FUNCTION localshift.runs_as_confined_superuser() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.session_is_superuser()
       AND localshift.is_confined_superuser((SELECT oid FROM pg_roles WHERE rolname = current_user)) $$;
