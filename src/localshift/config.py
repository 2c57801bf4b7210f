"""Settings: command-line options over LOCALSHIFT_* environment variables over defaults.

Every setting is listed in docs/settings.md; tests/test_docs.py keeps the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "LOCALSHIFT_"


def _default_data_dir() -> str:
    return str(Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "localshift")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8439
    data_dir: str = ""
    ephemeral: bool = False
    default_account: str = "123456789012"
    accounts: str = ""
    accounts_file: str = ""
    data_plane: bool = True
    pg_bin_dir: str = ""
    engine_dir: str = ""
    engine_uids: str = "2000000000-2000999999"
    sql_startup_timeout: float = 10.0
    sql_max_connections: int = 500
    transition_delay: float = 0.2
    automated_snapshot_interval: float = 8 * 3600
    manual_snapshot_quota: int = 20
    log_level: str = "info"

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir or _default_data_dir())


def _convert(kind: Any, raw: str) -> Any:
    if kind in (bool, "bool"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    return raw


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment, then apply non-None overrides (CLI options)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is not None and raw != "":
            values[f.name] = _convert(f.type, raw)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return Settings(**values)
