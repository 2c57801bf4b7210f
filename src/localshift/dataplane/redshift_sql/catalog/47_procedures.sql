-- Stored procedures.

-- Whether the CALL running was sent where no procedure may end the transaction (inside a transaction
-- block, or in a Query of several statements): the front marks such a CALL's text (atomic_calls.py).
-- A procedure's exception handler then neither rolls back nor commits (procedure_handlers.py).
CREATE OR REPLACE FUNCTION localshift.atomic_call() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT strpos(current_query(), '/* localshift: atomic call */') > 0 $$;
