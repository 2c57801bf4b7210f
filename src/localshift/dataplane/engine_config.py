"""The configuration files an engine is made with: initdb's locale, what localshift appends to
postgresql.conf, and pg_hba.conf (engine.py writes them; engine_template.py's fingerprint holds
them, so a change makes a new template)."""

from __future__ import annotations

RUNTIME_CONF = "localshift.runtime.conf"
# Databases sort and compare as C does (by code point), and their default collation is PostgreSQL's
# builtin C.UTF-8: LOWER, UPPER, INITCAP, ILIKE and regular expressions' classes know every UTF-8
# character, as Redshift's ("LOWER supports UTF-8 multibyte characters"), where libc's C knows ASCII.
INITDB_LOCALE = ("--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8")

HBA_CONF = """\
# localshift: the engine only listens on its Unix socket; the wire front
# forwards TCP clients here.  md5 (not scram-sha-256): redshift_connector
# 2.2.0 mis-parses the SASL mechanism list and fails with SCRAM.  A role whose
# stored password is SCRAM (the internal admin) is still authenticated with
# SCRAM under the md5 method.
local   all           all      md5
local   replication   {admin}  md5
"""


def localshift_config(version: tuple[int, int]) -> str:
    """What localshift appends to an engine's postgresql.conf (PostgreSQL ``version``)."""
    lines = [
        "", "# --- localshift ---",
        "listen_addresses = ''",
        # redshift_connector cannot do SCRAM (see pg_hba.conf): store md5 hashes.
        "password_encryption = 'md5'",
        # max_connections comes from the service's settings at each start (see _start).
        # base backups: wal_level=replica and wal senders are PG defaults.
        "max_wal_senders = 10",
        "max_replication_slots = 10",
        # Fresh, sparse WAL segments instead of recycled ones: the unused tail
        # of every segment in a snapshot then reads as zeros and deduplicates,
        # instead of carrying 16 MiB of stale WAL into each incremental snapshot.
        "wal_recycle = off",
        "wal_init_zero = off",
        # Written only while an engine restored from a snapshot starts: see start().
        f"include_if_exists = '{RUNTIME_CONF}'",
    ]
    if version[0] >= 18:
        # PG 18 warns on every md5 password; the setting does not exist before.
        lines.append("md5_password_warnings = off")
    return "\n".join(lines) + "\n"


# Only during the first start of a restored engine (see start()).
RESTORE_HBA = "local   all           {admin}  trust\n"
