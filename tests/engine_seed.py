"""New data planes of a test session start from one seed, as a restarted service starts from what
it left: the internal role's secret and the engine template (engine_template.py) a first data plane
made.  Building a template (initdb, start, the catalog installed in two databases, stop) takes most
of a data plane's first engine, and every test server or `dp` fixture used to build its own.

The seed is built once per session by the first worker that needs it (a flock keeps the others
waiting) in pytest's shared temporary directory.  A seeded data plane still makes its own TLS
files, engines, users and snapshots; what it shares with the others is the internal role's
password, which no test's SQL user sees.  Tests of the template itself, and of what a data plane
makes of an empty root, use unseeded ones.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.dataplane import default_engine_root

SECRET = "admin-secret"

_seed_dir: list[Path] = []  # where this session's seed lives (set by conftest)


def use_seed_dir(directory: Path) -> None:
    _seed_dir[:] = [directory]


def _seed() -> Path:
    """The session's seed: ``dataplane/admin-secret`` and ``templates/<template>``, built on first use."""
    seed = _seed_dir[0]
    seed.mkdir(parents=True, exist_ok=True)
    with open(seed.parent / f"{seed.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (seed / "ready").exists():
            plane = PostgresDataPlane(seed / "dataplane")
            try:
                assert plane.template is not None and plane.template.data() is not None, "no engine template"
                shutil.copytree(plane.template.dir, seed / "templates" / plane.template.dir.name, symlinks=True)
            finally:
                plane.close()
                shutil.rmtree(plane.engine_root, ignore_errors=True)
            (seed / "ready").touch()
    return seed


def seed_data_plane(root: Path) -> None:
    """Give the data plane about to be made over ``root`` the seed's secret and engine template."""
    seed = _seed()
    # Made as the service makes what it lacks (its umask is 077): a server's data dir too.
    for directory in reversed([d for d in (root, *root.parents) if not d.exists()]):
        directory.mkdir(mode=0o700)
    shutil.copy2(seed / "dataplane" / SECRET, root / SECRET)  # 0600, as the data plane writes it
    engine_root = default_engine_root(root.resolve())
    engine_root.mkdir(parents=True, exist_ok=True)
    for template in (seed / "templates").iterdir():
        shutil.copytree(template, engine_root / template.name, symlinks=True)


def seeded_plane(root: Path, **options) -> PostgresDataPlane:  # type: ignore[no-untyped-def]
    """A data plane over ``root`` (a new directory) that starts from the session's seed."""
    seed_data_plane(root)
    return PostgresDataPlane(root, **options)


def remove_engine_root(root: Path) -> None:
    """Remove the engines' directory of a closed data plane over ``root`` when it is not under it
    (a template is the service's and outlives its engines)."""
    engine_root = default_engine_root(root.resolve())
    if not engine_root.is_relative_to(root.resolve()):
        shutil.rmtree(engine_root, ignore_errors=True)
