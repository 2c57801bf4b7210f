"""Audit log records in Redshift's formats from an engine's server log (no engine needed)."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from localshift.dataplane.api import LogTarget
from localshift.dataplane.audit_logs import (activity_records, connection_records, read_lines, user_records,
                                             write_records)
from localshift.dataplane.errors import DataPlaneError

LOG = """\
2026-01-05 10:00:00.000 UTC [100] LOG:  checkpoint starting: time
LSAUDIT|2026-01-05 10:00:01.250 UTC|200|abc.1|0|[unknown]|[unknown]|[local]| LOG:  connection received: host=[local]
LSAUDIT|2026-01-05 10:00:01.260 UTC|200|abc.1|0|admin|dev|[local]| LOG:  connection authorized: user=admin database=dev application_name=psql
LSAUDIT|2026-01-05 10:00:02.000 UTC|200|abc.1|0|admin|dev|[local]| LOG:  statement: select 1,
\t  2
LSAUDIT|2026-01-05 10:00:02.100 UTC|200|abc.1|742|admin|dev|[local]| LOG:  statement: create user bob password 'Secret1x'
LSAUDIT|2026-01-05 10:00:02.200 UTC|200|abc.1|0|admin|dev|[local]| LOG:  statement: ALTER USER bob PASSWORD E'S\\e''c\\'r3t' VALID UNTIL 'infinity'
LSAUDIT|2026-01-05 10:00:02.300 UTC|200|abc.1|0|admin|dev|[local]| LOG:  statement: DO $x$ BEGIN EXECUTE E'CREATE ROLE carol LOGIN PASSWORD E''Secret2x'''; EXECUTE E'GRANT carol TO localshift_superuser'; END $x$
LSAUDIT|2026-01-05 10:00:03.500 UTC|200|abc.1|0|admin|dev|[local]| LOG:  disconnection: session time: 0:00:02.250 user=admin database=dev host=[local]
LSAUDIT|2026-01-05 10:00:04.000 UTC|300|abc.2|0|[unknown]|[unknown]|[local]| LOG:  connection received: host=[local]
LSAUDIT|2026-01-05 10:00:04.010 UTC|300|abc.2|0|admin|dev|[local]| FATAL:  password authentication failed for user "admin"
LSAUDIT|2026-01-05 10:00:05.000 UTC|400|abc.3|0|[unknown]|[unknown]|[local]| LOG:  connection received: host=[local]
LSAUDIT|2026-01-05 10:00:05.010 UTC|400|abc.3|0|rdsdb|postgres|[local]| LOG:  connection authorized: user=rdsdb database=postgres
LSAUDIT|2026-01-05 10:00:05.020 UTC|400|abc.3|0|rdsdb|postgres|[local]| LOG:  statement: SELECT 1
LSAUDIT|2026-01-05 10:00:06.000 UTC|500|abc.4|0|admin|dev|[local]| LOG:  statement: select 'not yet ended'"""


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "postgres.log"
    path.write_text(LOG)
    return path


def test_only_whole_marked_lines_are_read_and_the_offset_moves(log: Path):
    lines, offset = read_lines(log, 0)
    # The last line has no newline yet: it is read next time.
    assert offset == LOG.rindex("\n") + 1
    assert [line.pid for line in lines] == ["200"] * 7 + ["300", "300"] + ["400"] * 3
    assert lines[2].message == "statement: select 1,\n  2"
    assert lines[0].time == datetime(2026, 1, 5, 10, 0, 1, 250000, tzinfo=timezone.utc)
    assert read_lines(log, 10**9)[0] == lines  # a log shorter than the offset was replaced: start over
    with open(log, "a") as f:
        f.write("\n")
    more, _ = read_lines(log, offset)
    assert [line.message for line in more] == ["statement: select 'not yet ended'"]


def test_lines_written_before_a_rotation_are_read_from_the_rotated_log(log: Path):
    """Engine.bound_log copies the log to postgres.log.1 and empties it: a delivery whose offset is past
    the emptied log's end reads the rest of the rotated log, then the new one from its start."""
    _, offset = read_lines(log, 0)
    rotated = log.with_name("postgres.log.1")
    with open(log, "a") as f:
        f.write("\n" + LOG.splitlines()[1] + "\n")  # the unended line ends; one more before the rotation
    rotated.write_bytes(log.read_bytes())
    log.write_text(LOG.splitlines()[2] + "\nLSAUDIT|partial")
    lines, new_offset = read_lines(log, offset, rotated)
    assert [line.message for line in lines] == ["statement: select 'not yet ended'", "connection received: host=[local]",
                                                "connection authorized: user=admin database=dev application_name=psql"]
    assert new_offset == len(LOG.splitlines()[2]) + 1
    assert read_lines(log, new_offset, rotated) == ([], new_offset)


def test_connection_log_records(log: Path):
    lines, _ = read_lines(log, 0)
    records = [record.split("|") for record in connection_records(lines)]
    assert [r[0] for r in records] == ["initiating session", "authenticated", "disconnecting session",
                                       "initiating session", "authentication failure"]
    authenticated = records[1]
    assert authenticated[1] == "Mon, 05 Jan 2026 10:00:01:260"
    assert (authenticated[2], authenticated[4], authenticated[5], authenticated[6]) == ("[local]", "200", "dev", "admin")
    assert authenticated[15] == "psql" and authenticated[20] == "abc.1"
    assert records[2][8] == "2250000"  # the session's duration in microseconds
    assert len(authenticated) == 22  # STL_CONNECTION_LOG's columns


def test_user_activity_log_masks_passwords_and_leaves_out_the_internal_role(log: Path):
    lines, _ = read_lines(log, 0)
    records = activity_records(lines, {"admin": 100})
    assert records == [
        "'2026-01-05T10:00:02Z UTC [ db=dev user=admin pid=200 userid=100 xid=0 ]' LOG: select 1,\n  2",
        "'2026-01-05T10:00:02Z UTC [ db=dev user=admin pid=200 userid=100 xid=742 ]' LOG: "
        "create user bob password '***'",
        # The SQL front writes string literals as escape strings (E'...'): masked as well.
        "'2026-01-05T10:00:02Z UTC [ db=dev user=admin pid=200 userid=100 xid=0 ]' LOG: "
        "ALTER USER bob PASSWORD '***' VALID UNTIL 'infinity'",
        "'2026-01-05T10:00:02Z UTC [ db=dev user=admin pid=200 userid=100 xid=0 ]' LOG: "
        "DO $x$ BEGIN EXECUTE E'CREATE ROLE carol LOGIN PASSWORD '***''; EXECUTE E'GRANT carol TO localshift_superuser'; "
        "END $x$",
    ]


def test_user_log_compares_users_between_deliveries():
    now = datetime(2026, 1, 5, 10, 0, 0, tzinfo=timezone.utc)
    before = {"10": ["alice", False, False, "", "h1"], "11": ["bob", False, False, "", "h2"],
              "12": ["carol", True, False, "", "h3"]}
    after = {"10": ["alice", False, False, "", "h9"], "11": ["robert", False, False, "", "h2"],
             "13": ["dave", True, False, "2030-01-01", "h4"]}
    records = [r.split("|") for r in user_records(before, after, now)]
    assert [(r[0], r[1], r[2], r[3]) for r in records] == [
        ("10", "alice", "", "alter"), ("11", "robert", "bob", "rename"), ("13", "dave", "", "create"),
        ("12", "carol", "", "drop")]
    assert records[2][4:8] == ["1", "0", "0", "2030-01-01"]
    assert records[0][10] == "Mon, 05 Jan 2026 10:00:00:000"


def test_a_user_log_record_is_one_line_whatever_the_users_name():
    """A user's name may hold a newline (CREATE USER "x<newline>..."; the engine takes any name): its
    record would end there and the rest of its name be a record of its own."""
    now = datetime(2026, 1, 5, 10, 0, 0, tzinfo=timezone.utc)
    forged = "x\n100|ceo||drop|0|0|0||0|0|Mon, 05 Jan 2026 09:00:00:000"
    records = user_records({}, {"10": [forged, False, False, "", "h1"]}, now)
    assert len(records) == 1 and "\n" not in records[0]
    assert records[0].startswith("10|x\\x0a100|ceo||drop|") and records[0].endswith("|create|0|0|0||0|0|"
                                                                                    "Mon, 05 Jan 2026 10:00:00:000")


def test_records_go_where_the_target_says(tmp_path: Path):
    now = datetime(2026, 1, 5, 10, 7, tzinfo=timezone.utc)
    s3 = LogTarget("s3", ("s3", "bucket", "team", "AWSLogs", "1", "redshift", "us-east-1"), "1_redshift_us-east-1_c1")
    first = write_records(tmp_path, s3, "userlog", ["a"], now)
    second = write_records(tmp_path, s3, "userlog", ["b"], now)
    assert first == second == tmp_path / "s3/bucket/team/AWSLogs/1/redshift/us-east-1/2026/01/05" \
        / "1_redshift_us-east-1_c1_userlog_2026-01-05T10:07.gz"
    assert gzip.decompress(first.read_bytes()) == b"a\nb\n"  # two gzip members, read as one
    cloudwatch = LogTarget("cloudwatch", ("cloudwatch", "1", "us-east-1", "aws", "redshift", "cluster", "c1"))
    path = write_records(tmp_path, cloudwatch, "connectionlog", ["x", "y"], now)
    assert path.read_text() == "x\ny\n" and path.name == "connectionlog.log"
    for bad in ("..", "", "a/b"):
        with pytest.raises(DataPlaneError):
            write_records(tmp_path, LogTarget("s3", ("s3", bad)), "userlog", ["x"], now)
