"""Settings: command-line options over LOCALSHIFT_* environment variables over defaults.

Every setting is listed in docs/settings.md; tests/test_docs.py keeps the two in step.
A value that cannot be used raises SettingsError, whose message names the variable or
option it came from: the command line prints it as one line and exits non-zero.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "LOCALSHIFT_"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_TEN_YEARS = 10 * 365 * 24 * 3600

# Numeric settings and the values they accept, inclusive (None: no bound on that side).
RANGES: dict[str, tuple[float | None, float | None]] = {
    "port": (1, 65535),
    "transition_delay": (0, 3600),
    "automated_snapshot_interval": (1, _TEN_YEARS),
    "manual_snapshot_quota": (0, 1_000_000_000),
    "sql_startup_timeout": (0.1, 3600),
    "sql_max_connections": (1, 100_000),
    "engine_check_interval": (0, 3600),
    "engine_timeout": (1, 3600),
    "engine_memory_limit": (256, 1_048_576),
    "engine_temp_file_limit": (1, 1_048_576 * 1024),
    "engine_log_limit": (1, 1_048_576),
    "engine_disk_limit": (0, 1_048_576 * 1024),
    "mv_autorefresh_interval": (0, 3600),
    "mv_autorefresh_timeout": (1, 86400),
}


class SettingsError(ValueError):
    """A setting that cannot be used; the message says which and why, in one line."""


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
    admin_accounts: str = ""
    data_plane: bool = True
    pg_bin_dir: str = ""
    engine_dir: str = ""
    engine_uids: str = "2000000000-2000999999"
    sql_startup_timeout: float = 10.0
    sql_max_connections: int = 500
    engine_check_interval: float = 1.0
    engine_timeout: float = 120.0
    engine_memory_limit: int = 4096
    engine_temp_file_limit: int = 10240
    engine_log_limit: int = 64
    engine_disk_limit: int = 20480
    mv_autorefresh_interval: float = 60.0
    mv_autorefresh_timeout: float = 3600.0
    transition_delay: float = 0.2
    automated_snapshot_interval: float = 8 * 3600
    manual_snapshot_quota: int = 20
    log_level: str = "info"

    def resolved_data_dir(self) -> Path:
        # `~` too: a variable set where no shell expands it (a .env file, a unit file, quotes).
        return Path(self.data_dir or _default_data_dir()).expanduser()


def _convert(kind: Any, raw: str, source: str) -> Any:
    text = raw.strip()
    if kind in (bool, "bool"):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SettingsError(f"{source}: '{raw}' is not a boolean (use true or false)")
    if kind in (int, "int"):
        try:
            return int(text)
        except ValueError:
            raise SettingsError(f"{source}: '{raw}' is not a whole number") from None
    if kind in (float, "float"):
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise SettingsError(f"{source}: '{raw}' is not a number")
        return number
    return raw


def _check(name: str, value: Any, source: str) -> None:
    low, high = RANGES.get(name, (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise SettingsError(f"{source}: {value} is out of range (it must be {bounds})")
    if name == "log_level" and str(value).lower() not in LOG_LEVELS:
        raise SettingsError(f"{source}: unknown log level '{value}' (use one of {', '.join(LOG_LEVELS)})")
    if name == "host" and not str(value).strip():
        raise SettingsError(f"{source}: the address to listen on is empty")
    if name == "default_account" and not re.fullmatch(r"\d{12}", str(value)):
        raise SettingsError(f"{source}: '{value}' is not a 12-digit account id")


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment, then apply non-None overrides (CLI options).

    An override given as text (a command-line option) is converted like a variable.
    """
    env = os.environ if environ is None else environ
    kinds = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    sources: list[tuple[str, Any, str]] = []
    for name in kinds:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            sources.append((name, raw, ENV_PREFIX + name.upper()))
    for name, value in (overrides or {}).items():
        if value is not None:
            sources.append((name, value, "--" + name.replace("_", "-")))
    for name, value, source in sources:
        converted = _convert(kinds[name], value, source) if isinstance(value, str) else value
        _check(name, converted, source)
        values[name] = converted
    return Settings(**values)
