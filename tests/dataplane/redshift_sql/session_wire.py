"""Messages of the PostgreSQL protocol and a session with a stand-in query recorder: what the
session's tests (test_session.py, test_session_holds.py, test_super_text.py) feed the hook."""

from __future__ import annotations

import struct

from localshift.dataplane.redshift_sql.session import SqlSession


def msg(typ: bytes, body: bytes) -> bytes:
    return typ + struct.pack("!I", len(body) + 4) + body


def query(sql: str) -> bytes:
    return msg(b"Q", sql.encode() + b"\0")


def parse(sql: str, name: bytes = b"") -> bytes:
    return msg(b"P", name + b"\0" + sql.encode() + b"\0" + struct.pack("!H", 0))


def bind(portal: bytes = b"", statement: bytes = b"") -> bytes:
    return msg(b"B", portal + b"\0" + statement + b"\0" + struct.pack("!HHH", 0, 0, 0))


def execute(portal: bytes = b"") -> bytes:
    return msg(b"E", portal + b"\0" + struct.pack("!I", 0))


SYNC = msg(b"S", b"")
DESCRIBE = msg(b"D", b"P\0")
READY = msg(b"Z", b"I")
ROW = msg(b"D", struct.pack("!HI", 1, 1) + b"1")


def complete(tag: str) -> bytes:
    return msg(b"C", tag.encode() + b"\0")


def error(code: str, message: str, context: str = "") -> bytes:
    fields = [b"SERROR", b"C" + code.encode(), b"M" + message.encode()]
    if context:
        fields.append(b"W" + context.encode())
    return msg(b"E", b"\0".join(fields) + b"\0\0")


class Recorder:
    """What the session asks of history.QueryRecorder: tickets, and how far it has written."""

    def __init__(self) -> None:
        self.entries: list = []
        self.written = 0

    def record(self, engine_key, database, entry) -> tuple[int, int]:
        self.entries.append((engine_key, database) + entry)
        return len(self.entries), 100 + len(self.entries)

    def written_for(self, engine_key: str) -> int:
        return self.written

    def flush(self, engine_key: str | None = None) -> None:
        self.written = len(self.entries)


def new_session(recorder=None) -> SqlSession:
    session = SqlSession("awsuser", "dev", recorder, "/sock/.s.PGSQL.5432")
    session.backend_key(4242)
    return session


def feed_bytewise(feed, data: bytes) -> bytes:
    return b"".join(feed(data[i:i + 1]) for i in range(len(data)))
