"""A localshift server for tests: a `localshift serve --ephemeral` process started here, or one
already running that is reached by its URL.

A started server listens on a free port, keeps its state in temporary directories, and
removes everything (engines and snapshot data included) when it stops.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

# How long a server may take to answer its health check after it was started.
START_TIMEOUT_SECONDS = 60.0
# A port found free may be taken before the server binds it: try another, this many times.
PORT_ATTEMPTS = 3
HEALTH_PATH = "/_localshift/health"


class ServerError(RuntimeError):
    """The server could not be started or reached, or refused an admin request."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class LocalshiftServer:
    """A localshift server's URL, and the process behind it when this code started it."""

    def __init__(self, url: str, process: subprocess.Popen | None = None, log_path: Path | None = None,
                 admin_key: tuple[str, str] | None = None) -> None:
        self.url = url.rstrip("/")
        self.process = process
        self._log_path = log_path
        # (access key, secret) signing admin requests, for a server in strict mode.
        self.admin_key = admin_key

    @property
    def started_here(self) -> bool:
        return self.process is not None

    @classmethod
    def start(cls, *, data_plane: bool = True, args: Iterable[str] = (), env: Mapping[str, str] | None = None,
              timeout: float = START_TIMEOUT_SECONDS) -> "LocalshiftServer":
        """Start `localshift serve --ephemeral` on a free port and wait until it answers."""
        environment = dict(os.environ if env is None else env)
        command = [sys.executable, "-m", "localshift", "serve", "--ephemeral", *args]
        if not data_plane:
            command.append("--no-data-plane")
        attempt = 1
        while True:
            port = free_port()
            with tempfile.NamedTemporaryFile(prefix=f"localshift-{port}-", suffix=".log", delete=False) as log:
                process = subprocess.Popen([*command, "--port", str(port)], env=environment, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            server = cls(f"http://127.0.0.1:{port}", process, Path(log.name))
            try:
                server.wait_until_healthy(timeout)
                return server
            except ServerError:
                port_taken = "cannot listen" in server.log()
                server.stop()
                if not port_taken or attempt == PORT_ATTEMPTS:
                    raise
                attempt += 1

    @classmethod
    def attach(cls, url: str, timeout: float = 10.0, admin_key: tuple[str, str] | None = None) -> "LocalshiftServer":
        """A server already running at ``url`` (it is never stopped from here)."""
        server = cls(url, admin_key=admin_key)
        server.wait_until_healthy(timeout)
        return server

    def log(self) -> str:
        """What a server started here wrote (its last lines)."""
        if self._log_path is None:
            return ""
        return self._log_path.read_text(errors="replace")[-4000:]

    def wait_until_healthy(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(f"localshift exited with status {self.process.returncode}:\n{self.log()}")
            try:
                return self.health()
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    raise ServerError(f"localshift did not answer at {self.url} within {timeout:.0f} s\n{self.log()}")
                time.sleep(0.01)

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + HEALTH_PATH, timeout=2) as response:
            return json.loads(response.read())

    def sql_ca_file(self) -> str | None:
        """The CA certificate the SQL endpoints' TLS is signed with (None without the data plane)."""
        return self.health().get("sql_ca_file")

    def admin(self, path: str, method: str = "POST", query: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Call an admin endpoint (signed with admin_key when one is set); its JSON answer."""
        url = self.url + path + (f"?{urlencode(query, doseq=True)}" if query else "")
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        for name, value in self._signature(method, url).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                text = json.loads(text)["error"]
            except (ValueError, KeyError, TypeError):
                pass
            raise ServerError(f"{method} {path}: {error.code} {text}") from None

    def _signature(self, method: str, url: str) -> dict[str, str]:
        if self.admin_key is None:
            return {}
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(method=method, url=url, data=b"")
        SigV4Auth(Credentials(*self.admin_key), "localshift", "us-east-1").add_auth(request)
        return {name: request.headers[name] for name in ("Authorization", "X-Amz-Date")}

    def reset(self, accounts: Iterable[str] | None = None) -> None:
        """Remove every resource of every account, or of ``accounts`` only."""
        self.admin("/_localshift/reset", query={"account": sorted(accounts)} if accounts is not None else None)

    def state(self) -> dict[str, Any]:
        return self.admin("/_localshift/state", method="GET")

    def stop(self) -> None:
        """Stop a server started here (it removes its state); a server attached to stays up."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None
