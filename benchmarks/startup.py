"""How long a test waits for a server: `localshift.running()` from its call to a healthy server,
with the data plane off and on, and what that time is made of.

    python benchmarks/startup.py --runs 10

For each mode, --runs times in a row: the time `with localshift.running(...)` takes to enter
(start `localshift serve --ephemeral` on a free port, wait until /_localshift/health answers,
set the environment) and to leave (stop the server, which removes its state).  Then the parts
a server process pays before it can answer, each in a fresh interpreter: starting Python
alone, and importing what `localshift serve` imports.  A server in a thread of the caller's
process would save at most these (less what the caller has imported already, botocore say).

Beside each start, the CPU time the server process used until it answered: unlike the wall
time, it hardly moves with the load other work puts on the machine.  Every interpreter runs
with its bytecode cache, as an installed package has it (pip compiles it): a shell with
PYTHONDONTWRITEBYTECODE set would make each start compile the sources again.  One untimed
start per mode writes the cache first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SOURCE = str(Path(__file__).resolve().parent.parent / "src")
sys.path.insert(0, SOURCE)
# The servers and interpreters started here run this checkout's code too.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")]))
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import localshift  # noqa: E402  (after the path)

SERVE_IMPORTS = "import localshift.cli, localshift.server.app, localshift.server.runtime"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a running process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_block(data_plane: bool) -> tuple[float, float, float]:
    """(seconds to enter, seconds to leave, the server's CPU seconds until healthy) of one
    `localshift.running()` block."""
    started = time.perf_counter()
    block = localshift.running(data_plane=data_plane)
    handle = block.__enter__()
    entered = time.perf_counter()
    cpu = cpu_seconds(handle.server.process.pid)
    block.__exit__(None, None, None)
    return entered - started, time.perf_counter() - entered, cpu


def fresh_interpreter(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def summary(label: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"| {label} | {statistics.median(ms):.0f} | {ms[0]:.0f} | {ms[-1]:.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    for data_plane in (False, True):
        timed_block(data_plane)  # writes the bytecode cache
        times = [timed_block(data_plane) for _ in range(args.runs)]
        plane = "on" if data_plane else "off"
        rows.append(summary(f"`running(data_plane={data_plane})`: start to healthy (data plane {plane})",
                            [t[0] for t in times]))
        rows.append(summary(f"`running(data_plane={data_plane})`: the server's CPU time until healthy",
                            [t[2] for t in times]))
        rows.append(summary(f"`running(data_plane={data_plane})`: stop, state removed", [t[1] for t in times]))
    rows.append(summary("a fresh `python3 -c pass`", [fresh_interpreter("pass") for _ in range(args.runs)]))
    rows.append(summary("a fresh interpreter importing what `serve` imports",
                        [fresh_interpreter(SERVE_IMPORTS) for _ in range(args.runs)]))
    print(f"{args.runs} runs each, milliseconds\n")
    print("| what | median | min | max |\n| --- | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
