"""The web console's files: static HTML, CSS and JavaScript shipped in the package (no build step).

The page polls the state endpoint (admin.py, state.py) and draws it; it holds no data itself,
so its files are served to anyone.  Scripts and styles come from this server only (the
Content-Security-Policy says so): the console works offline and loads nothing from elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

CONSOLE_PATH = "/_localshift/console"
_FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/sigv4.js": ("sigv4.js", "text/javascript; charset=utf-8"),
}
HEADERS = (
    ("content-security-policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
    ("x-content-type-options", "nosniff"),
    ("cache-control", "no-cache"),
)


def is_console_path(path: str) -> bool:
    return path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/")


@lru_cache(maxsize=None)
def console_file(path: str) -> tuple[bytes, str] | None:
    """The body and content type of the console file at ``path``; None when there is none."""
    found = _FILES.get(path.removeprefix(CONSOLE_PATH).rstrip("/"))
    if found is None:
        return None
    name, content_type = found
    return (resources.files("localshift.server") / "console_static" / name).read_bytes(), content_type
