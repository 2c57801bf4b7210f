"""Start, probe and stop the localshift and moto servers under test, and read their CPU use."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


# CPUs the servers run on, and the load clients on the others (None: anywhere): a server then
# has one core of its own, and a 1-connection cell always crosses cores the same way.
SERVER_CPUS: set[int] | None = None
CLIENT_CPUS: set[int] | None = None


def pin_cpus() -> None:
    """Servers on CPU 0, clients on the rest (needs at least 2 CPUs and Linux)."""
    global SERVER_CPUS, CLIENT_CPUS
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) >= 2:
        SERVER_CPUS, CLIENT_CPUS = {cpus[0]}, set(cpus[1:])


def _on_server_cpus() -> None:
    if SERVER_CPUS is not None:
        os.sched_setaffinity(0, SERVER_CPUS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen | None, log_path: Path | None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
            raise RuntimeError(f"server exited with {process.returncode}: {tail}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@dataclass
class ServerProcess:
    name: str
    url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def cpu_seconds(self) -> float | None:
        """User+system CPU the server process has used so far (Linux /proc), all threads."""
        if self.pid is None:
            return None
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes on the machine have used so far, all cores (Linux /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def start_localshift(workdir: Path, log_level: str) -> ServerProcess:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "LOCALSHIFT_TRANSITION_DELAY": "0.01",
        "LOCALSHIFT_MANUAL_SNAPSHOT_QUOTA": "100000",
        "LOCALSHIFT_LOG_LEVEL": log_level,
    })
    log_path = workdir / "localshift.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "localshift", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--no-data-plane", "--ephemeral"],
        env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, preexec_fn=_on_server_cpus,
    )
    server = ServerProcess("localshift", f"http://127.0.0.1:{port}", process, log_path)
    _wait_http(server.url + "/_localshift/health", process, log_path)
    return server


def start_moto(workdir: Path) -> ServerProcess:
    port = free_port()
    log_path = workdir / "moto.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, preexec_fn=_on_server_cpus,
    )
    server = ServerProcess("moto", f"http://127.0.0.1:{port}", process, log_path)
    _wait_http(server.url + "/moto-api/", process, log_path)
    return server


def start_ceiling(workdir: Path, name: str, stack: str, body_bytes: int) -> ServerProcess:
    """A server answering every request with a fixed body of ``body_bytes`` (throughput/ceiling.py)."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    script = Path(__file__).resolve().parent / "ceiling.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "--stack", stack, "--port", str(port), "--body-bytes", str(body_bytes)],
        stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, preexec_fn=_on_server_cpus,
    )
    server = ServerProcess(name, f"http://127.0.0.1:{port}", process, log_path)
    _wait_http(server.url + "/", process, log_path)
    return server
