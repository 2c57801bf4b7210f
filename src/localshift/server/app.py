"""The ASGI application: admin endpoints, then AWS API requests."""

from __future__ import annotations

import json
import uuid
from typing import Any, Awaitable, Callable

from localshift.errors import ApiError
from localshift.server.admin import handle_admin, is_admin_path
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
        admin = is_admin_path(path)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            # Refused from its Content-Length, without reading the body.
            await self._send_too_large(send, headers, admin)
            return
        body = await _read_body(receive)
        if body is _DISCONNECTED:
            # The client went away mid-body: never act on a truncated request.
            return
        if body is None:
            await self._send_too_large(send, headers, admin)
            return
        request = SignedRequest(method, path, scope.get("query_string", b"").decode("latin-1"), headers, body)
        if admin:
            answer = await handle_admin(self.runtime, request)
            extra = [(name.encode(), value.encode()) for name, value in answer.headers]
            await _respond(send, answer.status, answer.encoded(), answer.content_type, extra)
            return
        handle = handle_json_request if is_json_request(headers) else handle_query_request
        await self._send(send, handle(self.runtime, request))

    async def _send_too_large(self, send: Send, headers: dict[str, str], admin: bool) -> None:
        if admin:
            await _json(send, 413, {"code": "RequestEntityTooLarge", "error": "The request body is too large."})
        else:
            await self._send(send, _too_large(headers))

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
