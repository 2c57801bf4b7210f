"""moto's own Redshift tests, run against localshift: a fair check of what suites written for moto meet.

    python -m localshift.tools.moto_suite                  # moto 5.2.5, its tests/test_redshift/test_redshift.py
    python -m localshift.tools.moto_suite -- -k snapshot   # arguments after -- go to pytest

Downloads moto's sdist from PyPI (``pip download``) into a temporary directory, starts
``localshift serve --ephemeral --no-data-plane`` with LOCALSHIFT_TRANSITION_DELAY=0 (moto's
clusters are available at once; localshift's still pass through AWS's statuses), and runs
the tests in moto's server mode (TEST_SERVER_MODE) pointed at it, resetting localshift
before each test (moto's own reset endpoint does not exist here).  Inputs real AWS refuses
today are adapted first, in the temporary copy only (``adapt``).  What still fails, and why,
is in docs/behaviour.md ("moto's Redshift tests").  Nothing of moto's is kept or committed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from localshift.testing.process import LocalshiftServer

TESTS = "tests/test_redshift/test_redshift.py"
PLUGIN = "localshift.tools.moto_suite"
# Literal for literal: retired node types (dense storage and dc1: dc2, whose ports may be 1150-65535 as theirs
# could), a reserved master user name, passwords without an uppercase letter or a digit, a database name with
# a hyphen.
REPLACED = {"ds2.xlarge": "dc2.large", "dw.hs1.xlarge": "dc2.large", "ds2.8xlarge": "dc2.8xlarge",
            "dc1.large": "dc2.large", "user": "awsuser", "password": "Passw0rd1", "new_password": "New-passw0rd1",
            "test-db": "testdb"}
# A cluster type given as the node type.
_CLUSTER_TYPE_AS_NODE_TYPE = 'NodeType="single-node"'
# Quoted names with underscores that are identifiers (AWS allows letters, digits and hyphens) get hyphens;
# user names, tag keys, database names, descriptions and the cluster_restored waiter keep their underscores.
_UNDERSCORED_IDENTIFIER = re.compile(r'"((?:my|security|invalid|vpc|cluster)_[a-z0-9_]*)"')
_NOT_IDENTIFIERS = {"security_group_description", "my_db", "cluster_restored"}


def adapt(source: str) -> str:
    """The test module with only inputs AWS accepts today (see the module's docstring)."""
    for refused, accepted in REPLACED.items():
        source = source.replace(f'"{refused}"', f'"{accepted}"')
    source = source.replace(_CLUSTER_TYPE_AS_NODE_TYPE, 'NodeType="dc2.large"')
    return _UNDERSCORED_IDENTIFIER.sub(
        lambda m: m.group(0) if m.group(1) in _NOT_IDENTIFIERS else f'"{m.group(1).replace("_", "-")}"', source)


def fetch(version: str, into: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", f"moto=={version}", "--no-deps", "--no-binary", ":all:",
                    "--quiet", "-d", str(into)], check=True)
    with tarfile.open(into / f"moto-{version}.tar.gz") as archive:
        archive.extractall(into, filter="data")
    return into / f"moto-{version}"


def pytest_runtest_setup(item) -> None:  # type: ignore[no-untyped-def]
    """This module is also the pytest plugin of the run: every test starts on an empty localshift."""
    request = urllib.request.Request(os.environ["TEST_SERVER_MODE_ENDPOINT"] + "/_localshift/reset", method="POST",
                                     data=b"")
    urllib.request.urlopen(request, timeout=30).read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto-version", default="5.2.5")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="moto-suite-") as tmp:
        root = fetch(args.moto_version, Path(tmp))
        tests = root / TESTS
        tests.write_text(adapt(tests.read_text()))
        # moto's clusters are available at once: background work takes no time here either.
        server = LocalshiftServer.start(data_plane=False, env=dict(os.environ, LOCALSHIFT_TRANSITION_DELAY="0"))
        try:
            env = dict(os.environ, TEST_SERVER_MODE="true", TEST_SERVER_MODE_ENDPOINT=server.url,
                       MOTO_CALL_RESET_API="false",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
            return subprocess.run([sys.executable, "-m", "pytest", "-p", PLUGIN, "-p", "no:cacheprovider", "-q",
                                   "-rf", "--tb=line", TESTS, *args.pytest_args], cwd=root, env=env).returncode
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
