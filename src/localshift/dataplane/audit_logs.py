"""Audit logs in Redshift's formats, made from what an engine logged (docs/logging.md).

While audit logging is on (engine_settings.set_audit_logging), the engine writes every
connection, disconnection and (for the user activity log) statement to its server log
with a marked prefix.  A delivery reads what was appended since the last one and writes:

* connectionlog: one pipe-separated record per event (initiating session, authenticated,
  authentication failure, disconnecting session), in STL_CONNECTION_LOG's column order;
* useractivitylog: ``'<time> UTC [ db=... user=... pid=... userid=... xid=... ]' LOG: <sql>``,
  passwords in the SQL masked;
* userlog: one record per change of a database user (create, rename, alter, drop), found
  by comparing the engine's users with those the previous delivery saw, in STL_USERLOG's
  column order.

Activity of the internal role (``rdsdb``: set-up, backups, these deliveries) is left out.
Where they go is a LogTarget (api.py): Amazon S3's key layout as gzip files, one per
delivery and log type, or one file per CloudWatch log group, appended to.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Collection, Iterable

import psycopg

from .api import LogTarget
from .engine import Engine
from .engine_files import open_regular
from .masking import mask_passwords
from .errors import DataPlaneError
from .roles import ADMIN_USER
from .wire_messages import CONTROL_CHARACTERS

LOG_TYPES = ("connectionlog", "useractivitylog", "userlog")
_LINE = re.compile(
    r"LSAUDIT\|(?P<time>[^|]+)\|(?P<pid>\d+)\|(?P<session>[^|]*)\|(?P<xid>\d*)\|(?P<user>[^|]*)\|"
    r"(?P<db>[^|]*)\|(?P<host>[^|]*)\| (?P<level>[A-Z0-9]+):  (?P<message>.*)"
)
_AUTHORIZED = re.compile(r"connection authorized: user=(?P<user>\S*) database=(?P<db>\S*)(?: application_name=(?P<app>.*))?")
_DISCONNECTION = re.compile(r"disconnection: session time: (?P<h>\d+):(?P<m>\d+):(?P<s>[\d.]+) ")
_STATEMENT = re.compile(r"(?:statement|execute [^:]*): (?P<sql>.*)", re.DOTALL)
_INTERNAL_USERS = {ADMIN_USER, "[unknown]", ""}
# The users of a cluster: everything but PostgreSQL's own roles, the internal one and localshift's.
_ROLES = """
SELECT oid::int, rolname, rolcreatedb, rolsuper, coalesce(rolvaliduntil::text, ''), coalesce(rolpassword, '')
FROM pg_catalog.pg_authid
WHERE rolname !~ '^pg_' AND rolname <> %s AND rolname !~ '^localshift_' AND rolcanlogin
"""


@dataclass
class LogLine:
    time: datetime
    pid: str
    session: str
    xid: str
    user: str
    database: str
    host: str
    level: str
    message: str


def _read_from(path: Path | None, offset: int) -> tuple[bytes | None, int]:
    """What the log ``path`` holds from ``offset`` on (None when it is shorter, or there is none), and
    its inode (0: none)."""
    try:
        # The engine's logging collector writes it: a regular file with no other name, never a link.
        fd = open_regular(path, os.O_RDONLY) if path else None
    except FileNotFoundError:
        fd = None
    if fd is None:
        return None, 0
    with os.fdopen(fd, "rb") as log:
        st = os.fstat(fd)
        if st.st_size < offset:
            return None, st.st_ino
        log.seek(offset)
        return log.read(), st.st_ino


def log_inode(path: Path) -> int:
    """Which file the log ``path`` is now (its inode; 0: none): a rotation renames it (engine_log.py)."""
    try:
        return os.stat(path, follow_symlinks=False).st_ino
    except FileNotFoundError:
        return 0


def read_lines(log_path: Path, offset: int, rotated_path: Path | None = None,
               inode: int = 0) -> tuple[list[LogLine], int]:
    """Marked lines appended to the engine's log since ``offset`` (whole lines only), and the new offset
    (in the log as it is now: log_inode tells which file that is).  ``inode``: the file ``offset`` is
    in.  When the log is another file (or, ``inode`` unknown, shorter than ``offset``), it was rotated
    since (engine_log.py): what followed ``offset`` is at the end of ``rotated_path`` (when that is the
    file), read first, and the log is read from its start.  A second rotation since loses the file
    between."""
    before = b""
    current, current_inode = _read_from(log_path, offset)
    if current is None or (inode and current_inode != inode):
        rotated, rotated_inode = _read_from(rotated_path, offset)
        before = (rotated or b"") if not inode or rotated_inode == inode else b""
        offset = 0
        current = _read_from(log_path, 0)[0] or b""
    data = before + current
    end = data.rfind(b"\n") + 1
    new_offset = offset + max(end - len(before), 0)
    lines: list[LogLine] = []
    for raw in data[:end].decode("utf-8", "replace").split("\n"):
        if raw.startswith("\t") and lines:
            lines[-1].message += "\n" + raw[1:]  # PostgreSQL continues a message on lines starting with a tab
            continue
        match = _LINE.fullmatch(raw)
        if match is None:
            continue
        fields = match.groupdict()
        time = datetime.strptime(fields["time"].removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
        lines.append(LogLine(time, fields["pid"], fields["session"], fields["xid"] or "0", fields["user"],
                             fields["db"], fields["host"], fields["level"], fields["message"]))
    return lines, new_offset


def _record_time(time: datetime) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S:") + f"{time.microsecond // 1000:03d}"


def connection_records(lines: Iterable[LogLine]) -> list[str]:
    """The connection log: event | recordtime | remotehost | remoteport | pid | dbname | username |
    authmethod | duration | sslversion | sslcipher | mtu | sslcompression | sslexpansion | iamauthguid |
    application_name | os_version | driver_version | plugin_name | protocol_version | sessionid | compression."""
    lines = list(lines)
    internal = {line.session for line in lines if line.user == ADMIN_USER}
    records = []
    for line in lines:
        event, duration, app = _connection_event(line)
        if event is None or line.session in internal:
            continue
        fields = [event, _record_time(line.time), line.host, "", line.pid, line.database if event != "initiating session"
                  else "", line.user if event != "initiating session" else "", "password", str(duration), "", "", "",
                  "", "", "", app, "", "", "", "", line.session, ""]
        records.append("|".join(fields))
    return records


def _connection_event(line: LogLine) -> tuple[str | None, int, str]:
    message = line.message
    if message.startswith("connection received:"):
        return "initiating session", 0, ""
    authorized = _AUTHORIZED.match(message)
    if authorized:
        return "authenticated", 0, authorized.group("app") or ""
    if line.level == "FATAL" and "authentication failed" in message:
        return "authentication failure", 0, ""
    disconnection = _DISCONNECTION.match(message)
    if disconnection:
        seconds = int(disconnection["h"]) * 3600 + int(disconnection["m"]) * 60 + float(disconnection["s"])
        return "disconnecting session", int(seconds * 1_000_000), ""
    return None, 0, ""


def activity_records(lines: Iterable[LogLine], user_ids: dict[str, int]) -> list[str]:
    """The user activity log: each statement before it runs, passwords masked."""
    records = []
    for line in lines:
        statement = _STATEMENT.fullmatch(line.message) if line.level == "LOG" else None
        if statement is None or line.user in _INTERNAL_USERS:
            continue
        text = mask_passwords(statement.group("sql"))
        stamp = line.time.strftime("%Y-%m-%dT%H:%M:%SZ")
        records.append(f"'{stamp} UTC [ db={line.database} user={line.user} pid={line.pid} "
                       f"userid={user_ids.get(line.user, 0)} xid={line.xid} ]' LOG: {text}")
    return records


def read_users(conn: psycopg.Connection) -> dict[str, list]:
    """The engine's users by oid: name, createdb, superuser, valid until, a digest of the password."""
    return {
        str(oid): [name, createdb, superuser, valid_until, hashlib.sha256(password.encode()).hexdigest()[:16]]
        for oid, name, createdb, superuser, valid_until, password in conn.execute(_ROLES, (ADMIN_USER,))
    }


def _escaped(name: str) -> str:
    """A user's name with its control characters as ``\\xNN``: no Redshift name holds one, while the
    engine takes any (CREATE USER "x<newline>..."), and a newline would begin a record of the
    creator's making."""
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def user_records(before: dict[str, list], after: dict[str, list], now: datetime) -> list[str]:
    """The user log: userid | username | oldusername | action | usecreatedb | usesuper | usecatupd |
    valuntil | pid | xid | recordtime, one record per user created, renamed, altered or dropped."""
    stamp = _record_time(now)
    records = []

    def record(oid: str, user: list, old_name: str, action: str) -> None:
        flags = [str(int(user[1])), str(int(user[2])), "0"]
        names = [_escaped(user[0]), _escaped(old_name)]
        records.append("|".join([oid, *names, action, *flags, user[3], "0", "0", stamp]))

    for oid, user in after.items():
        old = before.get(oid)
        if old is None:
            record(oid, user, "", "create")
        elif old[0] != user[0]:
            record(oid, user, old[0], "rename")
        elif old[1:] != user[1:]:
            record(oid, user, "", "alter")
    for oid, user in before.items():
        if oid not in after:
            record(oid, user, "", "drop")
    return records


def write_records(root: Path, target: LogTarget, log_type: str, records: list[str], now: datetime) -> Path:
    """Put one delivery's records of a log type where ``target`` says; the file written."""
    for part in target.path:
        if not part or part in (".", "..") or "/" in part or "\0" in part:
            raise DataPlaneError(f"invalid log path part {part!r}")
    directory = root.joinpath(*target.path)
    text = "".join(record + "\n" for record in records).encode()
    if target.destination == "s3":
        directory = directory / now.strftime("%Y") / now.strftime("%m") / now.strftime("%d")
        path = directory / f"{target.file_prefix}_{log_type}_{now.strftime('%Y-%m-%dT%H:%M')}.gz"
        _private_dirs(root, directory)
        with open(path, "ab") as out:  # a second delivery in the same minute adds a gzip member
            out.write(gzip.compress(text))
    else:
        path = directory / f"{log_type}.log"
        _private_dirs(root, directory)
        with open(path, "ab") as out:
            out.write(text)
    os.chmod(path, 0o600)
    return path


def discard_logs(root: Path, accounts: Collection[str] | None) -> None:
    """Delete the logs delivered for ``accounts`` (all logs: None).  An account's logs are where the
    LogTargets put them: ``cloudwatch/<account>/...`` and, in any bucket under any key prefix,
    ``s3/<bucket>/.../AWSLogs/<account>/...`` (Amazon S3's layout for Redshift's logs)."""
    if accounts is None:
        shutil.rmtree(root, ignore_errors=True)
        return
    for account in accounts:
        shutil.rmtree(root / "cloudwatch" / account, ignore_errors=True)
        for logs in (root / "s3").glob(f"**/AWSLogs/{account}"):
            shutil.rmtree(logs, ignore_errors=True)


def _private_dirs(root: Path, directory: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    directory.mkdir(parents=True, exist_ok=True)


def start_capture(eng: Engine, log_types: Collection[str]) -> None:
    """Remember where the engine's log ends and who its users are: deliveries report what comes after.
    Changing the log types of a capture already on keeps what is not delivered yet."""
    meta = eng.read_meta()
    if log_types and not meta.get("audit_log_types"):
        with eng.connect() as conn:
            users = read_users(conn)
        size = eng.log_path.stat().st_size if eng.log_path.exists() else 0
        meta.update(audit_log_offset=size, audit_log_inode=log_inode(eng.log_path), audit_users=users)
    meta["audit_log_types"] = sorted(log_types)
    eng.write_meta(meta)


def deliver(eng: Engine, root: Path, log_types: Collection[str], target: LogTarget, now: datetime) -> list[str]:
    """Write what the engine logged since the last delivery; the log types that had records."""
    meta = eng.read_meta()
    lines, offset = read_lines(eng.log_path, meta.get("audit_log_offset", 0), eng.rotated_log_path,
                               meta.get("audit_log_inode", 0))
    users_before = meta.get("audit_users")
    users = users_before
    if eng.is_running() and {"userlog", "useractivitylog"} & set(log_types):
        with eng.connect() as conn:
            users = read_users(conn)
    user_ids = {user[0]: int(oid) for oid, user in (users or {}).items()}
    records = {
        "connectionlog": lambda: connection_records(lines),
        "useractivitylog": lambda: activity_records(lines, user_ids),
        "userlog": lambda: user_records(users_before or {}, users or {}, now) if users_before is not None else [],
    }
    delivered = []
    for log_type in log_types:
        found = records[log_type]()
        if found:
            write_records(root, target, log_type, found, now)
            delivered.append(log_type)
    eng.write_meta(dict(meta, audit_log_offset=offset, audit_log_inode=log_inode(eng.log_path), audit_users=users))
    return delivered
