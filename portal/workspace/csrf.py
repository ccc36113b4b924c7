"""CSRF defences for every state-changing request under /quan-tri, forms and JSON alike.

A request must carry its token, in the form field ``csrf_token`` or the header ``X-CSRF-Token``,
and, when the browser names where it comes from (``Origin``, else ``Referer``), come from this site.
Signed in, the token is the session's own; on the sign-in form, which has no session yet, it is the
value of a cookie the form was served with (double submit), so nobody can sign a browser into their
own account behind its back.
"""

import hmac
import re
import secrets
from urllib.parse import urlsplit

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SIGN_IN_COOKIE = "qt_signin"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def new_token() -> str:
    """Return a fresh random token."""
    return secrets.token_urlsafe(32)


def well_formed(token: str | None) -> bool:
    """Return whether a token looks like one we issue (a cookie may hold anything)."""
    return bool(token) and bool(_TOKEN.match(token))


def submitted(headers, form) -> str | None:
    """Return the token a request carries: the header first (JSON, scripts), else the form field."""
    return headers.get(HEADER) or form.get(FIELD)


def token_matches(expected: str | None, given: str | None) -> bool:
    """Compare tokens in constant time; a missing one never matches."""
    if not well_formed(expected) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _origin(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def same_origin(origin: str | None, referer: str | None, host_url: str) -> bool:
    """Return whether the browser's ``Origin`` (else ``Referer``) names this site; absent both, it passes.

    ``Origin: null`` (sandboxed frames, some redirects) is a foreign origin.
    """
    ours = _origin(host_url)
    if origin is not None:
        return _origin(origin) == ours
    if referer:
        return _origin(referer) == ours
    return True
