"""HTTP caching: ETags from the served index generation, 304 answers, Cache-Control per kind of page.

A page's ETag names what produced it: the index generation, the portal's own files and the URL.
It is known before the page is built, so a matching ``If-None-Match`` is answered 304 without
searching, and a rebuild changes every tag. It is weak (``W/``): it vouches for what the page says,
not for its bytes (a search cut short by the time limit may differ; proxies may compress), and
``If-None-Match`` compares weakly anyway. Files (static, originals) keep Werkzeug's own validators.
"""

import functools
import hashlib
import os

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from werkzeug.security import safe_join

from portal import search as search_service

# Seconds a browser or proxy may reuse a page before asking again; the answer is then a cheap 304
# while the index is unchanged. An archivist's correction reaches the public search within seconds
# (issue 12 promises 5), so pages and notices may not be reused for longer than that.
PAGE_MAX_AGE = 5
MAX_AGE = {"home.opensearch": 86400}
# A versioned static URL (``?v=`` the file's hash) names one content forever.
STATIC_MAX_AGE = 365 * 86400
# Served by send_file, which sets ETag and Last-Modified from the file itself.
FILE_ENDPOINTS = {"static", "doc.original", "doc.original_number"}
RELEASE_FOLDERS = ("portal", "templates", "static")
PRIVATE_PREFIX = "/quan-tri"


@functools.lru_cache(maxsize=64)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def file_version(path: str) -> str | None:
    """Return a short hash of a file's content (recomputed when it changes), or None if it is absent."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def release(root: str) -> str:
    """Hash the portal's code, templates and static files once per process: a deploy changes the ETags."""
    digest = hashlib.sha256()
    for folder in RELEASE_FOLDERS:
        for directory, dirs, files in sorted(os.walk(os.path.join(root, folder))):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(directory, name)
                digest.update(os.path.relpath(path, root).encode() + b"\0" + (file_version(path) or "").encode())
    return digest.hexdigest()[:12]


def page_tag() -> str | None:
    """Return the opaque ETag of the requested page, or None when no index has been published."""
    generation = search_service.generation_tag()
    if generation is None:
        return None
    identity = "\n".join((release(os.path.dirname(current_app.root_path)), request.host, request.path,
                          request.query_string.decode("latin-1")))
    return f"{generation}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def _private(path: str) -> bool:
    # The archivists' workspace is per account: never tagged or cached (it sets no-store itself).
    return path == PRIVATE_PREFIX or path.startswith(PRIVATE_PREFIX + "/")


def _answer_known_page():
    """Answer 304 before any work when the client already holds this page of this generation."""
    if request.endpoint is None or request.endpoint in FILE_ENDPOINTS or _private(request.path):
        return None
    # Taken before the view runs: a build published meanwhile gives an older tag to newer content
    # (the next request gets a 200), never a newer tag to older content (304s for a stale page).
    g.page_tag = page_tag()
    wanted = request.if_none_match
    # "*" matches only a page that exists: left to the view, then to make_conditional.
    if g.page_tag and request.method in ("GET", "HEAD") and not wanted.star_tag and wanted.contains_weak(g.page_tag):
        return Response(status=304)
    return None


def _static_is_versioned() -> bool:
    path = safe_join(current_app.static_folder, (request.view_args or {}).get("filename", ""))
    return bool(path) and request.args.get("v") == file_version(path)


def _cache_headers(response: Response) -> Response:
    if _private(request.path):
        return response
    if response.status_code >= 400:
        # Errors pass: a missing notice may arrive with the next build, a 503 ends with the first.
        response.headers["Cache-Control"] = "no-store"
    elif request.endpoint == "static" and _static_is_versioned():
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    elif g.get("page_tag") and response.status_code in (200, 304):
        response.set_etag(g.page_tag, weak=True)
        max_age = MAX_AGE.get(request.endpoint, PAGE_MAX_AGE)
        response.headers["Cache-Control"] = f"public, max-age={max_age}, must-revalidate"
        if response.status_code == 200:
            response.make_conditional(request)
    return response


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        path = safe_join(current_app.static_folder, values["filename"])
        version = file_version(path) if path else None
        if version:
            values["v"] = version


def init_app(app: Flask) -> None:
    """Tag pages, answer conditional requests, version static URLs, set Cache-Control."""
    app.before_request(_answer_known_page)
    app.after_request(_cache_headers)
    app.url_defaults(_version_static_urls)
