-- Redshift's superusers reach every object; here they are members of localshift_superuser, no
-- superusers of the engine.  A user who is no superuser is granted to localshift_superuser
-- (users.py), whose members so have its privileges, an owner's included.  A superuser cannot be
-- (the engine refuses circular memberships): what a superuser (the master user, a CREATEUSER
-- user) owns is granted to localshift_superuser instead, every privilege its kind has, so that
-- the other superusers create in its schemas and databases, read, write and truncate its tables,
-- refresh its materialized views, use its sequences and run its routines.  What only an owner
-- may do (ALTER, DROP, GRANT) stays the owner's, and its creator's (createrole_self_grant).
-- The catalog views leave grants to localshift's roles out (localshift.redshift_acl, 35_grant_views.sql).

-- A Redshift superuser who is none of the engine's (the internal role is, and reaches everything).
CREATE OR REPLACE FUNCTION localshift.is_confined_superuser(role oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce((SELECT NOT r.rolsuper AND pg_has_role(r.oid, s.oid, 'MEMBER')
                 FROM pg_roles r, pg_roles s WHERE r.oid = $1 AND s.rolname = 'localshift_superuser'), false) $$;

-- Grant every privilege on the object (class: pg_class, pg_namespace, pg_proc or pg_database) to
-- localshift_superuser when a superuser owns it and the grant is not there yet.  Run by the object's
-- owner (or a member of it: the grant is recorded as the owner's) or the internal role.
CREATE OR REPLACE FUNCTION localshift.reach_object(class oid, object oid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner oid;
    target text;
    acl aclitem[];
BEGIN
    IF class = 'pg_class'::regclass THEN
        SELECT c.relowner, CASE WHEN c.relkind = 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || c.oid::regclass::text,
               c.relacl
        INTO owner, target, acl
        FROM pg_class c WHERE c.oid = object AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relpersistence <> 't';
    ELSIF class = 'pg_namespace'::regclass THEN
        SELECT n.nspowner, 'SCHEMA ' || quote_ident(n.nspname), n.nspacl INTO owner, target, acl
        FROM pg_namespace n WHERE n.oid = object;
    ELSIF class = 'pg_proc'::regclass THEN
        SELECT p.proowner, 'ROUTINE ' || p.oid::regprocedure::text, p.proacl INTO owner, target, acl
        FROM pg_proc p WHERE p.oid = object AND p.prokind IN ('f', 'p');
    ELSIF class = 'pg_database'::regclass THEN
        SELECT d.datdba, 'DATABASE ' || quote_ident(d.datname), d.datacl INTO owner, target, acl
        FROM pg_database d WHERE d.oid = object;
    END IF;
    IF target IS NOT NULL AND localshift.is_confined_superuser(owner)
       AND NOT EXISTS (SELECT FROM unnest(acl) AS item WHERE item::text LIKE 'localshift_superuser=%') THEN
        EXECUTE format('GRANT ALL ON %s TO localshift_superuser', target);
    END IF;
END $$;

-- After DDL, what it made or gave a superuser (ALTER ... OWNER TO) is granted by the event trigger of
-- ddl_command_end (46_event_triggers.sql), as the user who ran the DDL, who owns what it made (or is a
-- member of its owner).

-- Before CREATE SCHEMA: a database a superuser made after this database's catalog was installed
-- (CREATE DATABASE runs no event trigger) is granted to localshift_superuser, as the internal
-- role (no other superuser may grant on it), when a Redshift superuser creates a schema there.
CREATE OR REPLACE FUNCTION localshift.reach_current_database() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- The user running CREATE SCHEMA (current_user is this function's owner here): the session's,
    -- or the one SET ROLE (SET SESSION AUTHORIZATION) took.
    IF localshift.is_confined_superuser((SELECT oid FROM pg_roles WHERE rolname = localshift.session_role())) THEN
        PERFORM localshift.reach_object('pg_database'::regclass,
                                        (SELECT oid FROM pg_database WHERE datname = current_database()));
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.reach_current_database() FROM PUBLIC;

DROP EVENT TRIGGER IF EXISTS localshift_reach_current_database;
CREATE EVENT TRIGGER localshift_reach_current_database ON ddl_command_start WHEN TAG IN ('CREATE SCHEMA')
    EXECUTE FUNCTION localshift.reach_current_database();

-- What superusers owned before this catalog (an engine of an older localshift, a snapshot).
DO $$
DECLARE
    owned record;
BEGIN
    FOR owned IN
        SELECT 'pg_database'::regclass::oid AS class, d.oid FROM pg_database d
        WHERE d.datname = current_database() AND localshift.is_confined_superuser(d.datdba)
        UNION ALL
        SELECT 'pg_namespace'::regclass, n.oid FROM pg_namespace n
        WHERE localshift.is_confined_superuser(n.nspowner)
        UNION ALL
        SELECT 'pg_class'::regclass, c.oid FROM pg_class c
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND localshift.is_confined_superuser(c.relowner)
        UNION ALL
        SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p
        WHERE p.prokind IN ('f', 'p') AND localshift.is_confined_superuser(p.proowner)
    LOOP
        PERFORM localshift.reach_object(owned.class, owned.oid);
    END LOOP;
END $$;

-- CREATE USER ... CREATEUSER, ALTER USER ... CREATEUSER / NOCREATEUSER (users.py), for any Redshift superuser on any user, as
-- Redshift allows: PostgreSQL would let only a user's creator (ADMIN OPTION) change its attributes or
-- take back grants another role made, and a user a temporary login made (temporary_login.py) was
-- created, and granted to localshift_superuser, by the internal role, so no cluster user could make
-- it a superuser (the grant's revocation found no grant of the caller's, and the grant the other way
-- was then circular).  Run as the internal role, on a login user only (never a superuser of the
-- engine, PostgreSQL's or localshift's own roles); EXECUTE is localshift_superuser's alone.
-- Becoming a superuser: the user's grant to localshift_superuser is taken back, whoever made it, and so
-- is every membership in it of a user who is no superuser (its creator demoted since: through it, that
-- user would be one too); it gets CREATEROLE and CREATEDB (a Redshift superuser creates databases) and
-- localshift_superuser and localshift_syslog_unrestricted, granted by the internal role without ADMIN
-- OPTION: no superuser may alter, rename, drop or log in as localshift's roles (install.py); it is
-- granted to localshift_owners (what it owns, other superusers alter and drop), which reaches it
-- through localshift_superuser again once it is no superuser.  Ceasing to be one: every grant of
-- localshift_superuser to it is taken back and CREATEROLE and CREATEDB go (a user who was none keeps
-- its CREATEDB), and it is granted to localshift_superuser (WITH ADMIN OPTION, so that every superuser
-- may alter it).
CREATE OR REPLACE FUNCTION localshift.set_superuser(username text, superuser boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target oid;
    was_superuser boolean;
    grant_row record;
BEGIN
    SELECT r.oid INTO target FROM pg_roles r
    WHERE r.rolname = username AND r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^(pg|localshift)_';
    IF target IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format('user "%s" does not exist', username);
    END IF;
    was_superuser := pg_has_role(target, 'localshift_superuser', 'MEMBER');
    IF NOT superuser THEN
        -- Nor does it stay one through the superusers it made, whose member its creation made it
        -- (ADMIN OPTION, createrole_self_grant): a superuser it made is no longer its to manage (CASCADE:
        -- nor the grants of that user it made with its ADMIN OPTION).
        FOR grant_row IN SELECT pg_get_userbyid(a.roleid) AS granted, pg_get_userbyid(a.grantor) AS grantor
                         FROM pg_auth_members a
                         WHERE a.member = target AND a.roleid <> 'localshift_superuser'::regrole
                           AND pg_has_role(a.roleid, 'localshift_superuser', 'MEMBER') LOOP
            EXECUTE format('REVOKE %I FROM %I GRANTED BY %I CASCADE', grant_row.granted, username, grant_row.grantor);
        END LOOP;
    END IF;
    FOR grant_row IN SELECT pg_get_userbyid(a.roleid) AS granted, pg_get_userbyid(a.member) AS grantee,
                            pg_get_userbyid(a.grantor) AS grantor
                     FROM pg_auth_members a
                     WHERE CASE WHEN superuser
                                THEN a.roleid = target AND a.member <> 'localshift_owners'::regrole
                                     AND (a.member = 'localshift_superuser'::regrole
                                          OR NOT localshift.is_confined_superuser(a.member))
                                ELSE a.roleid = 'localshift_superuser'::regrole AND a.member = target
                                     OR a.roleid = target AND a.member = 'localshift_owners'::regrole END LOOP
        EXECUTE format('REVOKE %I FROM %I GRANTED BY %I CASCADE', grant_row.granted, grant_row.grantee,
                       grant_row.grantor);
    END LOOP;
    IF superuser THEN
        EXECUTE format('ALTER ROLE %I CREATEROLE CREATEDB', username);
        EXECUTE format('GRANT localshift_superuser, localshift_syslog_unrestricted TO %I', username);
        EXECUTE format('GRANT %I TO localshift_owners', username);  -- 40_superuser_statements.sql
    ELSE
        IF was_superuser THEN
            EXECUTE format('ALTER ROLE %I NOCREATEROLE NOCREATEDB', username);
        END IF;
        EXECUTE format('GRANT %I TO localshift_superuser WITH ADMIN OPTION', username);
    END IF;
END $$;
REVOKE ALL ON FUNCTION localshift.set_superuser(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.set_superuser(text, boolean) TO localshift_superuser;

-- ALTER USER ... SYSLOG ACCESS { RESTRICTED | UNRESTRICTED } (users.py), for any Redshift superuser on
-- any login user: membership of localshift_syslog_unrestricted, granted and taken back by the internal
-- role (no superuser holds ADMIN OPTION on localshift's roles).
CREATE OR REPLACE FUNCTION localshift.set_syslog_access(username text, unrestricted boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    grant_row record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = username AND r.rolcanlogin AND NOT r.rolsuper
                   AND r.rolname !~ '^(pg|localshift)_') THEN
        RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format('user "%s" does not exist', username);
    END IF;
    IF unrestricted THEN
        EXECUTE format('GRANT localshift_syslog_unrestricted TO %I', username);
        RETURN;
    END IF;
    FOR grant_row IN SELECT pg_get_userbyid(a.grantor) AS grantor FROM pg_auth_members a
                     WHERE a.roleid = 'localshift_syslog_unrestricted'::regrole
                       AND a.member = username::regrole LOOP
        EXECUTE format('REVOKE localshift_syslog_unrestricted FROM %I GRANTED BY %I', username, grant_row.grantor);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION localshift.set_syslog_access(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION localshift.set_syslog_access(text, boolean) TO localshift_superuser;
