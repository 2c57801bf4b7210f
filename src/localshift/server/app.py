"""What the HTTP layer (http.py) hands every request to: the admin endpoints, else the AWS request path;
neither takes a browser's request for another site's page (browsers.py)."""

from __future__ import annotations

from typing import Awaitable

from localshift.errors import ApiError
from localshift.protocol.wire import Answer, Request
from localshift.server.admin import AdminResponse, handle_admin, is_admin_path
from localshift.server.browsers import check_not_cross_site
from localshift.server.requests import RequestPath
from localshift.server.runtime import Runtime
from localshift.server.services import Service


class LocalshiftApp:
    def __init__(self, runtime: Runtime, services: list[Service] | None = None) -> None:
        self.runtime = runtime
        self.requests = RequestPath(runtime, services)

    def start(self) -> None:
        self.runtime.start()

    def stop(self) -> None:
        self.requests.close()
        self.runtime.stop()

    def handle(self, request: Request) -> Answer | Awaitable[Answer]:
        try:
            check_not_cross_site(request, self.runtime.settings.host)
        except ApiError as error:
            return self.refusal(request, error)
        if is_admin_path(request.path):
            return self._admin(request)
        return self.requests.handle(request)

    def refusal(self, request: Request, error: ApiError) -> Answer:
        if is_admin_path(request.path):
            return _admin_answer(AdminResponse(error.status or 400, {"code": error.code, "error": error.message}))
        return self.requests.refusal(request, error)

    async def _admin(self, request: Request) -> Answer:
        return _admin_answer(await handle_admin(self.runtime, request))


def _admin_answer(response: AdminResponse) -> Answer:
    return Answer(response.status, response.content_type, response.encoded(), "", response.headers)
