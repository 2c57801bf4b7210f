"""A localshift server run in the test's own process, for services that exist only in a test.

It is the real HTTP layer, request path, signature check and protocol code that
`localshift serve` runs (localshift.server.http.serve on a thread), with the registered
services the test gives.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import boto3
from botocore.config import Config

from localshift.config import load_settings
from localshift.server.app import LocalshiftApp
from localshift.server.http import serve
from localshift.server.runtime import Runtime
from localshift.server.services import Service
from support import OWNER, REGION


class InProcessServer:
    def __init__(self, services: list[Service], accounts: list[str] | None = None) -> None:
        """``accounts``: AKID:SECRET:ACCOUNT entries, for strict mode (open mode without)."""
        options = {"ephemeral": True, "data_plane": False, "port": "1"}
        if accounts:
            options["accounts"] = ",".join(accounts)
        settings = load_settings(options)
        self.app = LocalshiftApp(Runtime(settings), services)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.loop = asyncio.new_event_loop()
        self.stopping = asyncio.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop.run_until_complete(serve(self.app, self.app, self.listener, self.stopping))

    def __enter__(self) -> "InProcessServer":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(timeout=30)
        self.loop.close()

    def client(self, service: str, validate: bool = True, access_key: str = OWNER,  # type: ignore[no-untyped-def]
               secret: str = "secret"):
        config = Config(retries={"max_attempts": 1}, parameter_validation=validate, read_timeout=60)
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, aws_access_key_id=access_key,
                            aws_secret_access_key=secret, config=config)
