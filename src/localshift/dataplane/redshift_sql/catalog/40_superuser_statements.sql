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
CREATE OR REPLACE FUNCTION localshift.session_role() RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT CASE WHEN current_setting('role') = 'none' THEN session_user ELSE current_setting('role')::name END $$;

CREATE OR REPLACE FUNCTION localshift.session_is_superuser() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.is_confined_superuser((SELECT oid FROM pg_roles WHERE rolname = localshift.session_role())) $$;

-- Whether as_owner is as this file makes it: localshift_owners's, SECURITY DEFINER, and EXECUTE
-- granted to localshift_superuser alone (so that only a superuser, or a superuser's SECURITY DEFINER
-- routine, calls it: PostgreSQL checks EXECUTE for the caller's current user).
CREATE OR REPLACE FUNCTION localshift.as_owner_is_confined() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce((SELECT p.proowner = 'localshift_owners'::regrole AND p.prosecdef AND p.proacl IS NOT NULL
                        AND NOT EXISTS (SELECT FROM aclexplode(p.proacl) AS item
                                        WHERE item.grantee NOT IN ('localshift_owners'::regrole,
                                                                   'localshift_superuser'::regrole))
                 FROM pg_proc p WHERE p.oid = to_regprocedure('localshift.as_owner(text)')), false) $$;

-- The statement as localshift_owners, which has the owner's rights on every cluster user's objects
-- (never the internal role's).  The caller's search path stays (the statement's names are the
-- caller's): everything here is qualified.  Its owner, localshift_owners, may alter it and grant it to
-- anyone, which it would do through itself: a statement that leaves it otherwise than confined is
-- undone, and it serves no one once it is not.
CREATE OR REPLACE FUNCTION localshift.as_owner(statement text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NOT localshift.as_owner_is_confined() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied for function as_owner';
    END IF;
    EXECUTE statement;
    IF NOT localshift.as_owner_is_confined() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied for function as_owner';
    END IF;
END $$;
ALTER FUNCTION localshift.as_owner(text) OWNER TO localshift_owners;
REVOKE ALL ON FUNCTION localshift.as_owner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.as_owner(text) TO localshift_superuser;

-- What the translator runs an ALTER or DROP of a table, view, schema, routine or database, a COMMENT ON
-- or an ALTER DEFAULT PRIVILEGES FOR USER by (grants false),
-- or a GRANT or REVOKE on an object (grants true): as the caller, and again as the owners' role when
-- a superuser is refused (42501: "must be owner of ...").  A superuser's GRANT and REVOKE go
-- to the owners' role at once (the engine would only warn that nothing was granted), and are recorded
-- as the object owner's, as PostgreSQL records its superusers'.  In a routine's body too, where the
-- statement runs with the routine's rights: a routine running as a superuser (a superuser's session
-- running its own routine or anyone's SECURITY INVOKER one, anyone running a superuser's SECURITY
-- DEFINER routine, which Redshift runs with its owner's privileges) is served; one running as an
-- ordinary user (its SECURITY DEFINER routine in a superuser's session too) is not.
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

-- The text a routine's EXECUTE runs (routines.py rewrites ``EXECUTE text`` as ``EXECUTE
-- localshift.owner_reach_text(text)``): the text as it is, or, for a statement the translator would run
-- through run_as_owner (owner_reach.py: ALTER or DROP of a table, view, schema or routine, ALTER
-- DATABASE's RENAME TO, OWNER TO and CONNECTION LIMIT, COMMENT ON, ALTER DEFAULT PRIVILEGES FOR USER,
-- GRANT and REVOKE on objects), a DO block running it so, with the routine's rights: a superuser's
-- procedure dropping the master user's table by dynamic SQL does, as Redshift's would.
CREATE OR REPLACE FUNCTION localshift.owner_reach_text(statement text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $f$
SELECT CASE
    WHEN strpos(statement, '$localshift_dynamic$') > 0 THEN statement
    WHEN statement ~* $re$^\s*((alter|drop)\s+(table|view|materialized|schema|function|procedure)|comment\s+on|alter\s+default\s+privileges\s+for\s+(user|role)|alter\s+database\s+("([^"]|"")+"|[^\s"]+)\s+(rename|owner|connection))\M$re$
        THEN format('DO $localshift_dynamic$BEGIN PERFORM localshift.run_as_owner(%L, false); END$localshift_dynamic$',
                    statement)
    WHEN statement ~* $re$^\s*(grant|revoke)\M.*\mon\M$re$
        THEN format('DO $localshift_dynamic$BEGIN PERFORM localshift.run_as_owner(%L, true); END$localshift_dynamic$',
                    statement)
    ELSE statement
END $f$;

-- Running with a superuser's rights: the current user (a SECURITY DEFINER routine's owner inside it) is a
-- Redshift superuser, confined as localshift keeps them.
CREATE OR REPLACE FUNCTION localshift.runs_as_confined_superuser() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT localshift.is_confined_superuser((SELECT oid FROM pg_roles WHERE rolname = current_user)) $$;
