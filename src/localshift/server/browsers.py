"""Requests a web browser sends for a page of another site: refused, whatever their path.

A page the user visits can make the browser send requests to 127.0.0.1: a form's POST, an
image's GET, a ``fetch`` in ``no-cors`` mode.  The page cannot read the answers, but the
request is carried out: in open mode, where any signature is taken, a Query API request
with its credential in the URL (``?X-Amz-Credential=...&Action=DeleteCluster``) would run,
and so would the admin endpoints' reset and time travel.  AWS's own endpoints are not on
the user's machine, so no browser ever sends them such a request; SDKs and the CLI send
neither ``Origin`` nor ``Sec-Fetch-Site``, and the web console's requests are its own
origin's.  So a request is refused when a browser says it comes from elsewhere: a
``Sec-Fetch-Site`` other than ``same-origin`` or ``none`` (typed into the address bar), or an
``Origin`` other than the request's own.

A page may also rename itself to 127.0.0.1 (DNS rebinding: ``evil.example`` resolving to
127.0.0.1 a moment later), and then its requests are "same-origin" with the server under the
page's name.  A server that listens on the loopback interface can only be reached by a name
of this machine, so a browser's request to it must name it so in ``Host``: an IP address,
``localhost`` or a ``*.localhost`` name, or the address the server was told to listen on.
"""

from __future__ import annotations

import ipaddress

from localshift.errors import ApiError
from localshift.protocol.wire import Request

# Sec-Fetch-Site values of a request the user or the server's own pages made.
_OWN_FETCHES = ("same-origin", "none")


def listens_on_loopback(host: str) -> bool:
    """Whether the address the server listens on is reachable from this machine alone."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_not_cross_site(request: Request, listen_host: str) -> None:
    """ApiError AccessDenied (403) when a browser sent ``request`` for another site's page."""
    headers = request.headers
    fetch_site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    if fetch_site is None and origin is None:
        return  # not a browser's request (or a browser too old to say; it sends Origin with a POST)
    host = headers.get("host", "")
    if fetch_site is not None and fetch_site.lower() not in _OWN_FETCHES:
        raise _refused(f"a request a browser sent for a page of another site (Sec-Fetch-Site: {fetch_site})")
    if origin is not None and origin.lower() != f"http://{host}".lower():
        raise _refused(f"a request a browser sent for a page of another origin (Origin: {origin})")
    if listens_on_loopback(listen_host) and not _names_this_machine(host, listen_host):
        raise _refused(f"a request a browser sent to {host!r}, which is no name of this machine")


def _names_this_machine(host: str, listen_host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower().rstrip(".")
    if name in ("localhost", listen_host.strip("[]").lower()) or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _refused(what: str) -> ApiError:
    return ApiError("AccessDenied", f"localshift refuses {what}.", status=403)
