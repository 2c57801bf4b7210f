"""A server that answers every request with one fixed body: the ceiling of an HTTP stack.

``localshift`` is localshift's own HTTP layer (localshift.server.http, the code that serves
the API) with a handler that returns a prepared answer; ``uvicorn-h11`` and
``uvicorn-httptools`` are uvicorn (on uvloop) with a minimal ASGI app, for comparison.

    python benchmarks/throughput/ceiling.py --stack localshift --port 18500 --body-bytes 2700
"""

from __future__ import annotations

import argparse
import socket
import uuid
from typing import Any

STACKS = ("localshift", "uvicorn-h11", "uvicorn-httptools")


def fixed_body(size: int) -> bytes:
    head, tail = b'<DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">', \
        b"</DescribeClustersResponse>"
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


def serve_localshift(port: int, body: bytes) -> None:
    from localshift.errors import ApiError
    from localshift.protocol.wire import Answer, Request
    from localshift.server.http import run_server

    answer = Answer(200, "text/xml", body, str(uuid.uuid4()))

    class Fixed:
        def handle(self, request: Request) -> Answer:
            return answer

        def refusal(self, request: Request, error: ApiError) -> Answer:
            return Answer(error.status or 400, "text/plain", error.message.encode(), "")

        def start(self) -> None:
            pass

        def stop(self) -> None:
            pass

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(2048)
    fixed = Fixed()
    run_server(fixed, fixed, listener)


def serve_uvicorn(port: int, body: bytes, http: str) -> None:
    import uvicorn

    headers = [(b"content-type", b"text/xml"), (b"content-length", str(len(body)).encode()),
               (b"x-amzn-requestid", str(uuid.uuid4()).encode())]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, http=http, log_level="warning", access_log=False,
                lifespan="off")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", choices=STACKS, default="localshift")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-bytes", type=int, default=2700)
    args = parser.parse_args()
    body = fixed_body(args.body_bytes)
    if args.stack == "localshift":
        serve_localshift(args.port, body)
    else:
        serve_uvicorn(args.port, body, args.stack.removeprefix("uvicorn-"))


if __name__ == "__main__":
    main()
