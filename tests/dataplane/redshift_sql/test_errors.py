"""Errors: refused statements raise in the engine; PostgreSQL's wording becomes Redshift's."""

from __future__ import annotations

import struct

from localshift.dataplane.redshift_sql.errors import (TranslationError, do_block, error_statement,
                                                      failed_refresh, redshift_error)
from localshift.dataplane.redshift_sql.translator import MAX_PARAMETERS, translate


def response(*fields: bytes) -> bytes:
    body = b"\0".join(fields) + b"\0\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


def fields(msg: bytes) -> list[bytes]:
    return [f for f in msg[5:-1].split(b"\0") if f]


def test_error_statement_keeps_the_parameters_of_the_original():
    error = TranslationError("nope", "0A000", "why")
    assert error_statement(error, 2) == \
        "SELECT localshift.raise_error(E'0A000', E'nope', E'why', $1::text, $2::text)"
    assert do_block("PERFORM 1;").startswith("DO $localshift$DECLARE ls_detail text; BEGIN PERFORM 1;")


def test_a_failed_refresh_names_its_view_to_the_history_only():
    failed = response(b"SERROR", b"C42501", b"Mpermission denied for table sales", b"Wsome context",
                      b"slocalshift_failed_refresh", b"t16384")
    assert failed_refresh(b"  Refresh\nmaterialized view s.mv", failed) == 16384
    assert failed_refresh(b"select localshift.raise_refresh_error(16384, 'P0001', 'x', null)", failed) is None
    assert failed_refresh(b"refresh materialized view s.mv",
                          response(b"SERROR", b"C23505", b"Mduplicate", b"spublic", b"tsales")) is None
    client = redshift_error(failed)
    assert client is not None and fields(client) == [
        b"SERROR", b"C42501", b"Mpermission denied for relation sales", b"Wsome context"]


def test_a_refusal_passes_along_no_more_parameters_than_a_bind_can_carry():
    """``$9999999`` in a refused statement made a 159 MB error statement, 23 s of the front's loop
    (which serves every cluster); a bind carries at most 65535 (found by secprobe3)."""
    for number in ("9999999", "9" * 5000):
        refusal = translate(f"select * exclude (a) from t where a = ${number}")
        assert refusal is not None and refusal.refused
        assert refusal.sql.count("::text") == MAX_PARAMETERS == 65535
    assert translate("select * exclude (a) from t where a = $3").sql.count("::text") == 3


def test_postgresql_wording_becomes_redshifts():
    identity = response(b"SERROR", b"C428C9", b'Mcannot insert a non-DEFAULT value into column "id"',
                        b'DColumn "id" is an identity column defined as GENERATED ALWAYS.', b"HUse OVERRIDING")
    assert fields(redshift_error(identity)) == [b"SERROR", b"C0A000", b"Mcannot set an identity column to a value"]
    denied = response(b"SERROR", b"C42501", b"Mpermission denied for table secret")
    assert fields(redshift_error(denied))[2] == b"Mpermission denied for relation secret"
    serial = response(b"SERROR", b"C40001", b"Mcould not serialize access due to concurrent update")
    assert fields(redshift_error(serial))[1:] == [b"C40001", b"M1023",
                                                  b"DSerializable isolation violation on a table in Redshift"]
    for name in (b'"otherdb.public.t"', b"otherdb.public.t.col"):
        other = response(b"SERROR", b"C0A000", b"Mcross-database references are not implemented: " + name)
        assert fields(redshift_error(other))[1:] == [
            b"C0A000", b'Mcross-database reference to database "otherdb" is not supported']
    renamed = response(b"SERROR", b"C0A000", b"Mcurrent database cannot be renamed")
    assert fields(redshift_error(renamed))[1:] == [b"C0A000", b"Mcurrent database may not be renamed"]


def test_context_of_localshift_functions_is_dropped_and_other_errors_stay():
    raised = response(b"SERROR", b"C0A000", b"Mnope", b"WPL/pgSQL function localshift.raise_error(text) line 4")
    assert fields(redshift_error(raised)) == [b"SERROR", b"C0A000", b"Mnope"]
    plain = response(b"SERROR", b"C42P01", b'Mrelation "t" does not exist')
    assert redshift_error(plain) is None


def test_a_statement_timeout_names_the_query_it_stopped():
    timeout = response(b"SERROR", b"C57014", b"Mcanceling statement due to statement timeout")
    assert fields(redshift_error(timeout, 150))[1:] == [b"C57014", b"MQuery (150) canceled on user's request"]
    cancelled = response(b"SERROR", b"C57014", b"Mcanceling statement due to user request")
    assert redshift_error(cancelled, 150) is None
