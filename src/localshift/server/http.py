"""HTTP/1.1 for the API: requests parsed by llhttp (httptools) on uvloop, answered in order.

One connection runs one request at a time: requests a client pipelines wait their turn, and
reading pauses while an answer is computed on a worker thread.  Header values may hold any
byte from 0x80 to 0xFF (llhttp takes them as obs-text), so a signature with such bytes reaches
the request path and gets an AWS error.  Requests that are not HTTP get a 400 AWS error
document, and the connection is closed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import socket
import time
from collections import deque
from email.utils import formatdate
from http import HTTPStatus
from typing import Awaitable, Protocol
from urllib.parse import unquote

import httptools

from localshift.errors import ApiError
from localshift.protocol.wire import Answer, Request

log = logging.getLogger("localshift.http")

# AWS caps Query requests well below this; larger bodies are refused unread.
MAX_BODY_BYTES = 4 * 1024 * 1024
# Request line and headers together.
MAX_HEAD_BYTES = 64 * 1024
# An idle keep-alive connection is closed after this long (as uvicorn and most servers do).
KEEP_ALIVE_SECONDS = 5.0
# How long a stopping server waits for the answers it is computing.
SHUTDOWN_GRACE_SECONDS = 10.0


class Front(Protocol):
    """What the HTTP layer hands requests to (app.py)."""

    def handle(self, request: Request) -> Answer | Awaitable[Answer]: ...

    def refusal(self, request: Request, error: ApiError) -> Answer:
        """``error`` answered before the request was read, in the form its path and headers call for."""


class _Refusal(Exception):
    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


class HttpConnection(asyncio.Protocol):
    def __init__(self, front: Front, connections: set[HttpConnection]) -> None:
        self.front = front
        self.connections = connections
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        # Complete requests, with whether the connection stays open after each, in arrival order.
        self.waiting: deque[tuple[Request | Answer, bool]] = deque()
        self.busy = False  # an answer is being computed off the event loop
        self.write_paused = False  # the client is not reading its answers as fast as they come
        self.closing = False  # close once the answers due are written
        self.idle_timer: asyncio.TimerHandle | None = None
        self.last_activity = self.loop.time()  # the last bytes read or answer written
        self.completed = 0  # messages parsed so far
        # Bytes since the parser was last between messages at the end of a read, kept while
        # they may be a head llhttp refuses only for a repeated Content-Length (see _repaired).
        self.unparsed = bytearray()
        self.completed_before_unparsed = 0
        self.in_message = False
        self._new_message()

    def _new_message(self) -> None:
        self.url = b""
        self.header_list: list[tuple[bytes, bytes]] = []
        self.head_bytes = 0
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.body_bytes = 0
        self.refused = False

    # --- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connections.add(self)
        self.idle_timer = self.loop.call_later(KEEP_ALIVE_SECONDS, self._check_idle)

    def connection_lost(self, error: Exception | None) -> None:
        self.connections.discard(self)
        self.closing = True
        self.waiting.clear()
        if self.idle_timer is not None:
            self.idle_timer.cancel()

    def pause_writing(self) -> None:
        # Answers pile up unread (a client pipelining without reading): read nothing more until they go.
        self.write_paused = True
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.transport is not None and not self.busy:
            self.transport.resume_reading()
        self._answer_waiting()

    def eof_received(self) -> bool:
        # The client sent all it will: answer what came complete, then close.
        if self.busy or self.waiting:
            self.closing = True
            return True
        return False

    def data_received(self, data: bytes) -> None:
        self.last_activity = self.loop.time()
        if self.closing:
            return
        if not self.in_message:
            self.unparsed = bytearray()
            self.completed_before_unparsed = self.completed
        if len(self.unparsed) <= MAX_HEAD_BYTES:
            self.unparsed += data
        try:
            self.parser.feed_data(data)
        except _Refusal as refusal:
            self._refuse(refusal.error)
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _Refusal):
                self._refuse(error.__context__.error)
            else:
                log.error("failure reading a request", exc_info=error.__context__ or error)
                self._refuse(_malformed("it could not be read"))
        except httptools.HttpParserUpgrade:
            self._refuse(_malformed("protocol upgrades are not served"))
        except httptools.HttpParserError as error:
            if not self._repaired():
                self._refuse(_malformed(str(error) or type(error).__name__))
        self._answer_waiting()

    # --- llhttp callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.in_message = True
        self._new_message()

    def on_url(self, url: bytes) -> None:
        self.url += url
        self.head_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_list.append((name, value))
        self.head_bytes += len(name) + len(value) + 4
        if self.head_bytes > MAX_HEAD_BYTES:
            raise _Refusal(ApiError(
                "RequestHeaderFieldsTooLarge", f"The request line and headers exceed {MAX_HEAD_BYTES} bytes.", status=431
            ))

    def on_headers_complete(self) -> None:
        self.headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.header_list}
        declared = self.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            # Refused from its Content-Length, without reading the body.
            raise _Refusal(_too_large())
        if self.headers.get("expect", "").lower() == "100-continue" and self.transport is not None:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > MAX_BODY_BYTES:
            raise _Refusal(_too_large())
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.in_message = False
        self.completed += 1
        path, query = _target(self.url)
        method = self.parser.get_method().decode("ascii")
        request = Request(method, path, query, self.headers, b"".join(self.body))
        self.waiting.append((request, self.parser.should_keep_alive()))

    # --- answering ---------------------------------------------------------------------------

    def _repaired(self) -> bool:
        """Parse the current head again without repeated identical Content-Length headers.

        RFC 9110 (section 8.6) lets a server take ``Content-Length: 3`` sent twice as one; llhttp
        refuses it, and some clients send it (a header set twice by hand).
        """
        if self.completed != self.completed_before_unparsed or len(self.unparsed) > MAX_HEAD_BYTES:
            return False
        head, separator, rest = bytes(self.unparsed).partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        lengths = [line for line in lines if line.lower().startswith(b"content-length:")]
        if len(lengths) < 2 or len({line.partition(b":")[2].strip() for line in lengths}) != 1:
            return False
        first = lines.index(lengths[0])
        kept = [line for index, line in enumerate(lines) if index == first or line not in lengths]
        self.parser = httptools.HttpRequestParser(self)
        self._new_message()
        self.unparsed = bytearray()
        try:
            self.parser.feed_data(b"\r\n".join(kept) + separator + rest)
        except httptools.HttpParserError:
            return False
        return True

    def _refuse(self, error: ApiError) -> None:
        """Answer ``error`` once the answers due before it are written, then close."""
        headers = self.headers or {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.header_list
        }
        try:
            path, query = _target(self.url)
        except httptools.HttpParserError:
            path, query = "/", ""
        request = Request("POST", path, query, headers, b"")
        self.waiting.append((self.front.refusal(request, error), False))
        self.closing = True

    def _answer_waiting(self) -> None:
        while self.waiting and not self.busy and not self.write_paused:
            item, keep_alive = self.waiting.popleft()
            if isinstance(item, Answer):
                self._write(item, keep_alive)
                continue
            try:
                result = self.front.handle(item)
            except Exception:
                log.exception("internal failure answering %s %s", item.method, item.path)
                result = self.front.refusal(item, ApiError("InternalFailure", "The request failed.", status=500))
            if isinstance(result, Answer):
                self._write(result, keep_alive)
            else:
                self.busy = True
                if self.transport is not None:
                    self.transport.pause_reading()
                self.loop.create_task(self._answer_later(result, keep_alive))
        if not self.busy and not self.waiting and self.closing:
            self._close()

    async def _answer_later(self, pending: Awaitable[Answer], keep_alive: bool) -> None:
        try:
            answer = await pending
        finally:
            self.busy = False
        self._write(answer, keep_alive)
        if self.transport is not None and not self.transport.is_closing() and not self.write_paused:
            self.transport.resume_reading()
        self._answer_waiting()

    def _write(self, answer: Answer, keep_alive: bool) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        close = self.closing or not keep_alive
        transport.write(_head(answer, close) + answer.body)
        self.last_activity = self.loop.time()
        if close:
            self.closing = True
            self._close()

    def _close(self) -> None:
        self.waiting.clear()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _check_idle(self) -> None:
        """Close a connection silent for KEEP_ALIVE_SECONDS (between requests, or a client stalled
        mid-request), unless an answer is being computed; else look again when it could be."""
        silent = self.loop.time() - self.last_activity
        if not self.busy and not self.waiting and silent >= KEEP_ALIVE_SECONDS:
            self.idle_timer = None
            self._close()
        else:
            self.idle_timer = self.loop.call_later(max(0.1, KEEP_ALIVE_SECONDS - silent), self._check_idle)

    def shutdown(self) -> None:
        """Close now if idle; else once the answer being computed is written."""
        self.closing = True
        if not self.busy:
            self._close()


def _target(url: bytes) -> tuple[str, str]:
    """The path (percent-decoded) and query string of a request target."""
    if url.startswith(b"/"):
        raw_path, _, query = url.partition(b"?")
        query = query.partition(b"#")[0]
    else:  # absolute form: http://host/path?query
        parsed = httptools.parse_url(url)
        raw_path, query = parsed.path or b"/", parsed.query or b""
    path = raw_path.decode("latin-1")
    return (unquote(path) if "%" in path else path), query.decode("latin-1")


def _too_large() -> ApiError:
    return ApiError("RequestEntityTooLarge", "The request body is too large.", status=413)


def _malformed(reason: str) -> ApiError:
    return ApiError("MalformedHttpRequest", f"The request is not valid HTTP/1.1: {reason}.", status=400)


_REASONS = {status.value: status.phrase.encode() for status in HTTPStatus}
_date = [0, b""]


def _date_line() -> bytes:
    now = int(time.time())
    if _date[0] != now:
        _date[:] = [now, b"date: " + formatdate(now, usegmt=True).encode() + b"\r\n"]
    return _date[1]  # type: ignore[return-value]


def _head(answer: Answer, close: bool) -> bytes:
    parts = [
        b"HTTP/1.1 %d %s\r\n" % (answer.status, _REASONS.get(answer.status, b"")),
        b"content-type: " + answer.content_type.encode() + b"\r\n",
        b"content-length: %d\r\n" % len(answer.body),
        _date_line(),
    ]
    if answer.request_id:
        parts.append(b"x-amzn-requestid: " + answer.request_id.encode() + b"\r\n")
    for name, value in answer.headers:
        parts.append(f"{name}: {value}\r\n".encode("latin-1"))
    if close:
        parts.append(b"connection: close\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


class Lifecycle(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def run_server(front: Front, lifecycle: Lifecycle, listener: socket.socket) -> None:
    """Serve on ``listener`` until SIGINT or SIGTERM, then finish the answers under way and stop."""

    async def until_signalled() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stopping.set)
        await serve(front, lifecycle, listener, stopping)

    try:
        import uvloop
    except ImportError:  # no uvloop on Windows: plain asyncio
        asyncio.run(until_signalled())
    else:
        uvloop.run(until_signalled())


async def serve(front: Front, lifecycle: Lifecycle, listener: socket.socket, stopping: asyncio.Event) -> None:
    """Start ``lifecycle``, serve on ``listener`` until ``stopping`` is set, finish the answers under way, stop."""
    loop = asyncio.get_running_loop()
    lifecycle.start()
    _freeze_start_up_objects()
    connections: set[HttpConnection] = set()
    server = await loop.create_server(lambda: HttpConnection(front, connections), sock=listener)
    try:
        await stopping.wait()
    finally:
        server.close()
        for connection in list(connections):
            connection.shutdown()
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        while any(connection.busy for connection in connections) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        lifecycle.stop()


def _freeze_start_up_objects() -> None:
    """Leave what start-up made (the service models above all) out of every
    later garbage collection.

    CPython collects its oldest generation once a quarter as many objects as it holds have lived
    through the younger ones.  A page of the Data API's results (20,000 records decoded, then encoded)
    is that many: without the freeze nearly every page paid a full collection walking the models
    (about 40 ms, a third of the page's time)."""
    gc.collect()
    gc.freeze()
