-- Stored procedures.

-- Whether the procedure running may not end the transaction: its CALL was sent inside a transaction
-- block, or in a Query of several statements (the front marks such a CALL's text: atomic_calls.py), or
-- it was called by a statement of a block with an exception handler, which runs in a subtransaction
-- (procedure_handlers.py counts those in localshift.handled_calls).  A procedure's exception handler
-- then neither rolls back nor commits, and its COMMIT, ROLLBACK and TRUNCATE fail with Redshift's words.
CREATE OR REPLACE FUNCTION localshift.atomic_call() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT strpos(current_query(), '/* localshift: atomic call */') > 0
          OR coalesce(nullif(current_setting('localshift.handled_calls', true), ''), '0') <> '0' $$;

-- A statement of a handled block holding a CALL starts (1) and ends without error (-1); an error
-- rolls the setting back with the statement's subtransaction.
CREATE OR REPLACE FUNCTION localshift.handled_call(step integer) RETURNS void LANGUAGE sql VOLATILE
AS $$ SELECT set_config('localshift.handled_calls',
                        (coalesce(nullif(current_setting('localshift.handled_calls', true), ''), '0')::integer
                         + step)::text, true) $$;

-- Run before a procedure's COMMIT, ROLLBACK or TRUNCATE (routines.py): called inside a transaction block,
-- or in a procedure created with SET options (``configured``), Redshift refuses them with its own words.
CREATE OR REPLACE FUNCTION localshift.check_transaction_end(statement text, configured boolean) RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  IF configured OR localshift.atomic_call() THEN
    RAISE EXCEPTION '% cannot be invoked from a procedure that is executing in an atomic context.', statement
      USING ERRCODE = '2D000', HINT = 'Try calling the procedure as a top-level call i.e. not from within an '
        'explicit transaction block. Or, if this procedure (or one of its ancestors in the call chain) was created '
        'with SET config options, recreate the procedure without them.';
  END IF;
END $$;

-- A new procedure's EXECUTE, which PostgreSQL grants PUBLIC by default, taken back (46_event_triggers.sql), as
-- its owner, who created it.
CREATE OR REPLACE FUNCTION localshift.revoke_public_execute(procedure oid) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE pg_catalog.format('REVOKE EXECUTE ON PROCEDURE %s FROM PUBLIC', procedure::pg_catalog.regprocedure);
END $$;

-- Whether a NONATOMIC procedure's statement commits as it ends (nonatomic_commits.py): where the procedure
-- may end the transaction, and not after a START TRANSACTION until the transaction ends.
CREATE OR REPLACE FUNCTION localshift.autocommits() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT NOT localshift.atomic_call()
             AND coalesce(current_setting('localshift.explicit_block', true), '') <> 'on' $$;
