"""A procedure's EXCEPTION blocks rewritten with Redshift's meaning (the engine's behaviour:
test_procedure_transactions.py)."""

from __future__ import annotations

from localshift.dataplane.redshift_sql.procedure_handlers import redshift_handlers
from localshift.dataplane.redshift_sql.tokens import render, tokenize


def body(text: str, nonatomic: bool = False) -> str:
    return render(redshift_handlers(tokenize(text), nonatomic))


def counted(statement: str) -> str:
    """A NONATOMIC procedure's wrapped statement, counting itself (its statements commit)."""
    return f"PERFORM localshift.handled_call(1); {statement}; PERFORM localshift.handled_call(-1);"


def test_a_body_without_a_handler_is_left_alone():
    text = "begin if x then raise exception 'no'; end if; drop table if exists t; end"
    assert body(text) == text


def test_an_atomic_handler_rolls_back_runs_commits_and_rethrows_around_each_statement():
    assert body("begin a; b; exception when others then h; end") == (
        "begin BEGIN a; EXCEPTION  when others then IF NOT localshift.atomic_call() THEN ROLLBACK; END IF; h;  "
        "IF NOT localshift.atomic_call() THEN COMMIT; END IF; RAISE; END; "
        "BEGIN b; EXCEPTION  when others then IF NOT localshift.atomic_call() THEN ROLLBACK; END IF; h;  "
        "IF NOT localshift.atomic_call() THEN COMMIT; END IF; RAISE; END; end")


def test_a_nonatomic_handler_leaves_the_block_and_a_continue_handler_goes_on():
    assert body("begin a; b; exception when others then h; end", nonatomic=True) == (
        f"begin <<ls_handled_0>> BEGIN BEGIN {counted('a')} EXCEPTION  when others then h;  EXIT ls_handled_0; END; "
        f"BEGIN {counted('b')} EXCEPTION  when others then h;  EXIT ls_handled_0; END; END; end")
    assert body("begin a; exception continue_handler when others then h; end") == (
        "begin BEGIN a; EXCEPTION  when others then h;  END; end")
    assert body("begin a; exception exit_handler when others then h; end", nonatomic=True) == (
        f"begin <<ls_handled_0>> BEGIN BEGIN {counted('a')} EXCEPTION  when others then h;  EXIT ls_handled_0; END; "
        "END; end")


def test_the_handler_is_copied_on_one_line_so_that_line_numbers_stay():
    rewritten = body("begin\n  a;\n  b;\nexception when others then\n  -- note\n  h;\nend")
    assert rewritten.count("\n") == 3
    assert rewritten.splitlines()[2].startswith("  BEGIN b;")


def test_statements_ending_the_transaction_are_not_wrapped():
    assert body("begin truncate t; commit; if x then rollback; end if; start transaction; a; "
                "exception when others then h; end", nonatomic=True) == (
        "begin <<ls_handled_0>> BEGIN truncate t; commit; if x then rollback; end if; start transaction; "
        f"BEGIN {counted('a')} EXCEPTION  when others then h;  EXIT ls_handled_0; END; END; end")


def test_a_block_statement_is_wrapped_whole_and_its_inner_handler_only_rethrows():
    rewritten = body("declare n int; begin if n is null then n := 1; end if; "
                     "begin declare m int; begin x; end; y; exception when others then inner; end; "
                     "loop exit; end loop; case n when 1 then z; end case; "
                     "exception when others then outer; end")
    assert "BEGIN if n is null then n := 1; end if; EXCEPTION" in rewritten
    assert "BEGIN loop exit; end loop; EXCEPTION" in rewritten
    assert "BEGIN case n when 1 then z; end case; EXCEPTION" in rewritten
    # the inner block: its DECLARE ... BEGIN x; END is one statement, and its handler only re-throws
    assert "BEGIN declare m int; begin x; end; EXCEPTION  when others then inner;  RAISE; END;" in rewritten
    assert rewritten.count("ROLLBACK") == 4  # the outer block's four statements


def test_raise_exception_and_if_exists_open_no_block():
    text = "begin raise exception 'x'; drop table if exists t; select case when a then 1 end into v; end"
    assert body(text) == text


def test_a_statement_calling_a_procedure_counts_itself_as_a_handled_call():
    assert body("begin call q(); exception when others then h; end") == (
        f"begin BEGIN {counted('call q()')} EXCEPTION  when others then IF NOT localshift.atomic_call() THEN "
        "ROLLBACK; END IF; h;  IF NOT localshift.atomic_call() THEN COMMIT; END IF; RAISE; END; end")
