"""The admin endpoints: health, reset, time travel, the state document and the web console.

In open mode anyone may call them, as before.  In strict mode they need a request
signed (SigV4, header or presigned URL) by a configured access key, with ``localshift``
as the credential scope's service.  An admin account (LOCALSHIFT_ADMIN_ACCOUNTS; unset,
the one account configured when there is one alone) may call every one.  While none are
named, any other configured account administers itself alone: it may reset its own
resources (``?account=`` its own id) and read its state, but not reset another account
or every one, nor move the clock every account shares.  Health answers anyone but names
paths only to a caller who may administer itself.  Refusals are 403 with a JSON
body ``{"code": ..., "error": ...}``.  Reset stops engines, so it runs in a worker
thread: the event loop keeps serving other requests meanwhile; ``?account=`` (repeated)
resets those accounts alone.

The state document (state.py) follows the same rule, and in strict mode holds only the
signing admin's own account; the console's files (console.py) hold no data and are
served to anyone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qs

from localshift import __version__
from localshift.errors import ApiError
from localshift.protocol.wire import Request
from localshift.server.auth import Caller
from localshift.server.console import HEADERS as CONSOLE_HEADERS
from localshift.server.console import console_file, is_console_path
from localshift.server.runtime import Runtime
from localshift.server.state import document
from localshift.server.state_sections import SECTIONS

log = logging.getLogger("localshift")

# The service name an admin request's credential scope carries.
ADMIN_SIGNING_NAME = "localshift"
# How far time travel may move the service's clock from real time, either way.
MAX_CLOCK_OFFSET_SECONDS = 10 * 365 * 24 * 3600
RESET_PATHS = ("/_localshift/reset", "/moto-api/reset")
# Each endpoint's method, for the refusal of another (`curl .../_localshift/reset` sends a GET).
METHODS = {"/_localshift/health": "GET", "/_localshift/state": "GET", "/_localshift/time-travel": "POST",
           **{path: "POST" for path in RESET_PATHS}}
JSON = "application/json"
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class AdminResponse:
    status: int
    payload: dict[str, Any]
    # A console file is sent as it is, in its own content type, instead of the JSON payload.
    body: bytes | None = None
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()

    def encoded(self) -> bytes:
        return self.body if self.body is not None else json.dumps(self.payload).encode()


def is_admin_path(path: str) -> bool:
    return path.startswith("/_localshift/") or path == "/moto-api/reset"


def _refusal(status: int, code: str, message: str) -> AdminResponse:
    return AdminResponse(status, {"code": code, "error": message})


class _Refused(Exception):
    def __init__(self, response: AdminResponse) -> None:
        super().__init__(response.payload["error"])
        self.response = response


async def handle_admin(runtime: Runtime, request: Request) -> AdminResponse:
    route = (request.method, request.path)
    try:
        if route == ("GET", "/_localshift/health"):
            return _health(runtime, request)
        if request.method == "POST" and request.path in RESET_PATHS:
            _require_admin(runtime, request, "reset another account or every one", _resets_itself)
            return await _reset(runtime, request.query_string)
        if route == ("POST", "/_localshift/time-travel"):
            _require_admin(runtime, request, "move the clock, which every account shares")
            return _time_travel(runtime, request.query_string)
        if route == ("GET", "/_localshift/state"):
            caller = _check_admin(runtime, request) if runtime.authenticator.strict else None
            state = await asyncio.to_thread(document, runtime, caller.account if caller else None, SECTIONS)
            return AdminResponse(200, state)
        if request.method == "GET" and is_console_path(request.path):
            found = console_file(request.path)
            if found is not None:
                return AdminResponse(200, {}, found[0], found[1], CONSOLE_HEADERS)
    except _Refused as refused:
        return refused.response
    except Exception:
        log.exception("internal failure in %s %s", request.method, request.path)
        return _refusal(500, "InternalFailure", "The admin request failed; the service log says why.")
    method = METHODS.get(request.path)
    hint = f" (it takes {method})" if method is not None and method != request.method else ""
    return _refusal(404, "NotFound", f"no admin endpoint {request.method} {request.path}{hint}")


def _check_admin(runtime: Runtime, request: Request) -> Caller:
    """Who signed the request; _Refused unless it is an account that may administer (at least itself)."""
    authenticator = runtime.authenticator
    try:
        caller = authenticator.authenticate(request, ADMIN_SIGNING_NAME)
    except ApiError as error:
        raise _Refused(_refusal(403, error.code, error.message)) from None
    if not authenticator.may_administer_itself(caller):
        raise _Refused(_refusal(403, "AccessDenied", f"Account {caller.account} may not call the admin endpoints."))
    return caller


def _require_admin(runtime: Runtime, request: Request, what: str,
                   on_itself: Callable[[Caller, Request], bool] = lambda caller, request: False) -> None:
    """In strict mode: _Refused unless an admin account signed the request, or an account that
    administers itself asks what ``on_itself`` finds reaches itself alone."""
    if not runtime.authenticator.strict:
        return
    caller = _check_admin(runtime, request)
    if not runtime.authenticator.may_administer(caller) and not on_itself(caller, request):
        raise _Refused(_refusal(403, "AccessDenied", f"Account {caller.account} may not {what}: only the accounts "
                                                     "of LOCALSHIFT_ADMIN_ACCOUNTS may."))


def _resets_itself(caller: Caller, request: Request) -> bool:
    """Whether a reset names the signing account alone (``?account=`` its own id)."""
    return set(parse_qs(request.query_string, keep_blank_values=True).get("account", [])) == {caller.account}


def _is_signed(request: Request) -> bool:
    return "authorization" in request.headers or "X-Amz-Signature" in parse_qs(request.query_string)


def _health(runtime: Runtime, request: Request) -> AdminResponse:
    payload: dict[str, Any] = {
        "status": "running",
        "version": __version__,
        "uptime_seconds": round(time.monotonic() - runtime.started, 3),
        "data_plane": runtime.settings.data_plane,
        "schema_version": runtime.db.schema_version,
        "strict_auth": runtime.authenticator.strict,
    }
    # Paths only to those who may administer: anyone in open mode, a signed admin in strict mode.
    shows_paths = not runtime.authenticator.strict
    if not shows_paths and _is_signed(request):
        _check_admin(runtime, request)
        shows_paths = True
    if shows_paths:
        payload["data_dir"] = str(runtime.data_dir)
        payload["directories"] = {label: str(path) for label, path in runtime.directories().items()}
        if runtime.sql_ca_file is not None:
            payload["sql_ca_file"] = str(runtime.sql_ca_file)
    return AdminResponse(200, payload)


async def _reset(runtime: Runtime, query_string: str) -> AdminResponse:
    accounts = parse_qs(query_string, keep_blank_values=True).get("account")
    if accounts is None:
        await asyncio.to_thread(runtime.reset)
        return AdminResponse(200, {"status": "reset"})
    wrong = [account for account in accounts if not _ACCOUNT.fullmatch(account)]
    if wrong:
        return _refusal(400, "InvalidParameterValue", f"{wrong[0]!r} is not a 12-digit account id.")
    await asyncio.to_thread(runtime.reset, set(accounts))
    return AdminResponse(200, {"status": "reset", "accounts": sorted(set(accounts))})


def _time_travel(runtime: Runtime, query_string: str) -> AdminResponse:
    values = parse_qs(query_string).get("seconds", [])
    try:
        seconds = float(values[0]) if len(values) == 1 else math.nan
    except ValueError:
        seconds = math.nan
    limit = MAX_CLOCK_OFFSET_SECONDS
    if not math.isfinite(seconds):
        return _refusal(400, "InvalidParameterValue", "Give ?seconds=N once, N a finite number of seconds.")
    if abs(runtime.clock.offset_seconds + seconds) > limit:
        return _refusal(
            400, "InvalidParameterValue",
            f"The clock may move at most {limit} seconds (10 years) from real time, either way; "
            f"it is {runtime.clock.offset_seconds:.0f} seconds away now.",
        )
    now = runtime.clock.advance(seconds)
    return AdminResponse(200, {"now": now.isoformat(), "offset_seconds": runtime.clock.offset_seconds})
