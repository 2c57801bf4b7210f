"""The ASGI application: admin endpoints, then AWS API requests."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Awaitable, Callable

from localshift import __version__
from localshift.errors import ApiError
from localshift.server.auth import SignedRequest
from localshift.server.aws_requests import Response, error_response, handle_query_request
from localshift.server.json_requests import handle_json_request, is_json_request, json_error_response
from localshift.server.runtime import Runtime

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# AWS caps Query requests well below this; larger bodies are refused unread.
MAX_BODY_BYTES = 4 * 1024 * 1024


class LocalshiftApp:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = scope["method"]
        path = scope["path"]
        if path.startswith("/_localshift/") or path == "/moto-api/reset":
            await self._admin(method, path, scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            # Refused from its Content-Length, without reading the body.
            await self._send(send, _too_large(headers))
            return
        body = await _read_body(receive)
        if body is _DISCONNECTED:
            # The client went away mid-body: never act on a truncated request.
            return
        if body is None:
            response = _too_large(headers)
        else:
            request = SignedRequest(method, path, scope.get("query_string", b"").decode("latin-1"), headers, body)
            handle = handle_json_request if is_json_request(headers) else handle_query_request
            response = handle(self.runtime, request)
        await self._send(send, response)

    @staticmethod
    async def _send(send: Send, response: Response) -> None:
        await _respond(send, response.status, response.body, response.content_type,
                       [(b"x-amzn-requestid", response.request_id.encode())])

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.runtime.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _admin(self, method: str, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        await _read_body(receive)
        if path == "/_localshift/health" and method == "GET":
            payload = {
                "status": "running",
                "version": __version__,
                "uptime_seconds": round(time.monotonic() - self.runtime.started, 3),
                "data_dir": str(self.runtime.data_dir),
                "data_plane": self.runtime.settings.data_plane,
                "schema_version": self.runtime.db.schema_version,
                "strict_auth": self.runtime.authenticator.strict,
            }
            await _json(send, 200, payload)
        elif path in ("/_localshift/reset", "/moto-api/reset") and method == "POST":
            self.runtime.reset()
            await _json(send, 200, {"status": "reset"})
        elif path == "/_localshift/time-travel" and method == "POST":
            query = dict(part.split("=", 1) for part in scope.get("query_string", b"").decode().split("&") if "=" in part)
            try:
                seconds = float(query.get("seconds", ""))
            except ValueError:
                await _json(send, 400, {"error": "give ?seconds=N"})
                return
            now = self.runtime.clock.advance(seconds)
            await _json(send, 200, {"now": now.isoformat()})
        else:
            await _json(send, 404, {"error": f"no admin endpoint {method} {path}"})


_DISCONNECTED = object()


def _too_large(headers: dict[str, str]) -> Response:
    """413 in the protocol the client speaks."""
    error = ApiError("RequestEntityTooLarge", "The request body is too large.", status=413)
    answer = json_error_response if is_json_request(headers) else error_response
    return answer(error, str(uuid.uuid4()))


async def _read_body(receive: Receive) -> bytes | None | object:
    """The body; None when it exceeds MAX_BODY_BYTES; _DISCONNECTED when the client left mid-body."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return _DISCONNECTED
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks) if size <= MAX_BODY_BYTES else None


async def _respond(send: Send, status: int, body: bytes, content_type: str, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    await _respond(send, status, json.dumps(payload).encode(), "application/json", [])
