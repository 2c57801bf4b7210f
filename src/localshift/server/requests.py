"""The one path of every AWS API request, whatever its protocol.

route (services.py) -> authenticate (auth.py, the service's signing name) -> find the
operation and parse its input (the service's wire protocol) -> run the handler -> serialize
the result, or the error, in that protocol -> log one line.

Reads (services.READ_PREFIXES) run on the event loop: they take microseconds.  Every other
operation runs on the request thread, one at a time, so a write waiting for the disk, or a
handler that calls the data plane (restores take a lease on the snapshot's data, deletes
remove it), never stalls the reads of other clients (other writes wait their turn).

A read's answer depends only on the request, the caller's account and region, the store
and the service clock.  Reads see the clock in whole seconds (rounded up), so an identical
read from the same account in the same second with no write committed in between gets the
same answer: it is kept (AnswerCache) and sent again with a new request id.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Hashable

from botocore.model import OperationModel

from localshift.errors import ApiError
from localshift.protocol.wire import Answer, Request
from localshift.server.runtime import Runtime
from localshift.server.services import SERVICES, Handler, Router, Service
from localshift.services.context import RequestContext

log = logging.getLogger("localshift.requests")

UNKNOWN_FAILURE = "The request processing has failed because of an unknown error."
# Operations other than reads run one at a time, in arrival order, as they did on the event loop:
# handlers check and then write in steps (quotas, a status that allows the change), and two of them
# running at once could both pass a check only one of them should.
REQUEST_THREADS = 1


_random = random.Random()  # seeded from os.urandom


def new_request_id() -> str:
    """A random (version 4) UUID, as AWS's request ids are; made without a system call."""
    bits = _random.getrandbits(128)
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{'89ab'[bits & 3]}{text[17:20]}-{text[20:]}"


class RequestPath:
    def __init__(self, runtime: Runtime, services: list[Service] | None = None) -> None:
        self.runtime = runtime
        self.router = Router(SERVICES if services is None else services)
        self.answers = AnswerCache()
        self._pool = ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="localshift-request")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def refusal(self, request: Request, error: ApiError) -> Answer:
        """``error`` in the protocol of the service ``request`` is for, before reading any of it."""
        service = self.router.route(request)
        return service.protocol.error(service.name, error, new_request_id())

    def handle(self, request: Request) -> Answer | Awaitable[Answer]:
        """The answer to one request; a read's at once, any other operation's once its thread is done."""
        started = time.perf_counter()
        service = self.router.route(request)
        protocol = service.protocol
        request_id = new_request_id()
        account = "-"
        action = "-"
        try:
            try:
                if service.is_unsigned_call(request):
                    caller = self.runtime.authenticator.anonymous()
                else:
                    caller = self.runtime.authenticator.authenticate(request, service.signing_name)
            except ApiError as error:
                raise protocol.signature_error(error) from None
            account = caller.account
            # Only reads' answers are kept: the same bytes from the same identity name the same read.
            key = (service.name, caller.access_key, caller.account, caller.region, request.method, request.query_string,
                   request.headers.get("x-amz-target"), request.body)
            now = _next_whole_second(self.runtime.clock.now())
            generation = self.runtime.db.generation
            kept = self.answers.get(key, generation, now, request_id)
            if kept is not None:
                answer, action = kept
                self._log(answer, account, action, started)
                return answer
            try:
                operation, raw_input = protocol.operation_of(service.name, request)
            except ApiError:
                action = protocol.action_name(request)
                raise
            action = operation.name
            handler = service.operations.get(action)
            if handler is None:
                raise protocol.not_served(action, service.why_not_served(action))
            if action not in service.reads:
                ctx = RequestContext(caller.account, caller.region, request_id, self.runtime.clock.now(),
                                     caller.access_key, caller.principal)
                call = _Call(self.runtime, service, operation, handler, protocol.parse(operation, raw_input), ctx)
                return self._in_thread(call, account, started)
            ctx = RequestContext(caller.account, caller.region, request_id, now, caller.access_key, caller.principal)
            answer = _Call(self.runtime, service, operation, handler, protocol.parse(operation, raw_input), ctx).run()
            self.answers.put(key, generation, now, answer, action, len(request.body) + len(request.query_string))
        except ApiError as error:
            answer = protocol.error(service.name, error, request_id)
        except Exception:
            log.exception("internal failure in %s", action)
            answer = protocol.error(service.name, ApiError(protocol.internal_error_code, UNKNOWN_FAILURE), request_id)
        self._log(answer, account, action, started)
        return answer

    def _log(self, answer: Answer, account: str, action: str, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.runtime.recent_calls.record(account, action, answer.status, elapsed_ms, answer.request_id, answer.error)
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s %s %d %.1fms", answer.request_id[:8], account, action, answer.status, elapsed_ms)

    async def _in_thread(self, call: _Call, account: str, started: float) -> Answer:
        answer = await asyncio.get_running_loop().run_in_executor(self._pool, call.run)
        self._log(answer, account, call.operation.name, started)
        return answer


@dataclass(frozen=True)
class _Call:
    """One operation to run, its input parsed."""

    runtime: Runtime
    service: Service
    operation: OperationModel
    handler: Handler
    arguments: dict[str, Any]
    ctx: RequestContext

    def run(self) -> Answer:
        protocol, request_id = self.service.protocol, self.ctx.request_id
        try:
            result = self.handler(self.service.backend(self.runtime), self.ctx, self.arguments)
            return protocol.serialize(self.operation, result, request_id)
        except ApiError as error:
            return protocol.error(self.service.name, error, request_id)
        except Exception:
            log.exception("internal failure in %s", self.operation.name)
            return protocol.error(self.service.name, ApiError(protocol.internal_error_code, UNKNOWN_FAILURE), request_id)


def _next_whole_second(now: datetime) -> datetime:
    """The clock as reads see it: rounded up, never down, so that nothing recorded since
    the last whole second (a snapshot's completion, say) is later than the time a read sees."""
    return now if not now.microsecond else now.replace(microsecond=0) + timedelta(seconds=1)




@dataclass(frozen=True)
class _Kept:
    generation: int
    now: datetime
    action: str
    size: int  # bytes held: the answer's and the request's that keys it
    status: int
    content_type: str
    # The body is head + request id + tail when the body carries the request id (Query), else head.
    head: bytes
    tail: bytes
    carries_id: bool


class AnswerCache:
    """Successful answers to reads, valid while the store's generation and the clock's second
    are those they were computed at.  Used from the event loop's thread only."""

    MAX_BYTES = 32 * 1024 * 1024

    def __init__(self) -> None:
        self._kept: dict[Hashable, _Kept] = {}
        self._generation = -1
        self._bytes = 0

    def get(self, key: Hashable, generation: int, now: datetime, request_id: str) -> tuple[Answer, str] | None:
        """The kept answer to ``key``, with ``request_id``, and its operation's name."""
        if generation != self._generation:
            # Something was written: nothing kept can be reused.
            self._kept.clear()
            self._bytes = 0
            self._generation = generation
            return None
        kept = self._kept.get(key)
        if kept is None or kept.now != now:
            return None
        body = kept.head + request_id.encode() + kept.tail if kept.carries_id else kept.head
        return Answer(kept.status, kept.content_type, body, request_id), kept.action

    def put(self, key: Hashable, generation: int, now: datetime, answer: Answer, action: str,
            request_bytes: int) -> None:
        size = len(answer.body) + request_bytes
        if answer.status != 200 or generation != self._generation or size > self.MAX_BYTES // 8:
            return
        replaced = self._kept.pop(key, None)
        if replaced is not None:
            self._bytes -= replaced.size
        if self._bytes + size > self.MAX_BYTES:
            self._kept.clear()
            self._bytes = 0
        head, found, tail = answer.body.rpartition(answer.request_id.encode())
        if not found:
            head, tail = answer.body, b""
        self._kept[key] = _Kept(generation, now, action, size, answer.status, answer.content_type, head, tail,
                                bool(found))
        self._bytes += size
