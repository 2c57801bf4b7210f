"""``localshift.running()``: a server for a ``with`` block or a decorated function.

    with localshift.running(data_plane=False) as ls:
        ls.redshift().create_cluster(...)            # a client of the server
        boto3.client("redshift").describe_clusters()  # AWS_ENDPOINT_URL points at it too

    @localshift.running(data_plane=False)
    def test_something():
        boto3.client("redshift").create_cluster(...)

The server is a `localshift serve --ephemeral` process of its own on a free port (a process
rather than a thread: its engines, signals and logging stay out of the caller's process, and it
starts in about half a second, docs/benchmarks.md), or the one at ``url``.  It is stopped, and
the environment variables set back, when the block ends.
"""

from __future__ import annotations

from contextlib import ContextDecorator, ExitStack
from typing import Any, Iterable, Mapping

from localshift.testing.handle import DEFAULT_ACCOUNTS, DEFAULT_REGION, Localshift
from localshift.testing.process import LocalshiftServer


class Running(ContextDecorator):
    def __init__(self, *, data_plane: bool = True, url: str | None = None, region: str = DEFAULT_REGION,
                 accounts: Iterable[str] = DEFAULT_ACCOUNTS, set_environment: bool = True,
                 args: Iterable[str] = (), env: Mapping[str, str] | None = None) -> None:
        """``data_plane``: PostgreSQL engines behind clusters (off: control plane alone, faster).
        ``url``: use the server already running there (reset at the start) instead of starting one.
        ``set_environment``: set AWS_ENDPOINT_URL and friends for the block.
        ``args``, ``env``: more `localshift serve` options, and its environment."""
        self.data_plane = data_plane
        self.url = url
        self.region = region
        self.accounts = tuple(accounts)
        self.set_environment = set_environment
        self.args = tuple(args)
        self.env = env
        # A decorated function may run again (or recursively): each run has its own server.
        self._stacks: list[ExitStack] = []

    def __enter__(self) -> Localshift:
        with ExitStack() as stack:
            if self.url is None:
                server = LocalshiftServer.start(data_plane=self.data_plane, args=self.args, env=self.env)
                stack.callback(server.stop)
            else:
                server = LocalshiftServer.attach(self.url)
            handle = Localshift(server, self.accounts, self.region)
            if self.url is not None:
                handle.reset()
            if self.set_environment:
                stack.enter_context(handle.environment())
            self._stacks.append(stack.pop_all())
        return handle

    def __exit__(self, *exc: Any) -> None:
        self._stacks.pop().close()


# Used like a function (``with localshift.running(): ...``), as contextlib's helpers are.
running = Running
