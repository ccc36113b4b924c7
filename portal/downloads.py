"""Serve a notice's original file, found only through what the index stored for it."""

import os
import re
from urllib.parse import quote

from flask import abort
from flask import send_file
from werkzeug.http import dump_options_header

from indexer.normalize import fold_accents
from portal.provenance import MISSING
from portal.provenance import content_type

# Types browsers show without running anything: opened in place; any other file is downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/tiff"}
# A signed original is rarely replaced; when it is, its ETag and Last-Modified (from the file) change.
ORIGINAL_MAX_AGE = 86400
# Controls, path separators, and the invisible marks that reorder or hide letters (a right-to-left
# override makes "x\u202egpj.exe" look like "xexe.jpg").
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")


def content_disposition(kind: str, name: str) -> str:
    """Return an RFC 6266 header value: the UTF-8 name (RFC 5987) plus an ASCII fallback.

    The fallback drops diacritics the Vietnamese way (``Đảng`` -> ``Dang``), where Werkzeug's
    decomposition would lose the ``Đ`` altogether.
    """
    name = _UNSAFE_NAME.sub(" ", name).strip() or "ban-goc"
    plain = fold_accents(name).encode("ascii", "ignore").decode("ascii").strip() or "ban-goc"
    if plain == name:
        return dump_options_header(kind, {"filename": name})
    # RFC 5987 attr-chars stay as they are; everything else is percent-encoded UTF-8.
    return dump_options_header(kind, {"filename": plain, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")})


def send_original(original: dict):
    """Send a stored original: in place when browsers show it safely, else as a download.

    :raise NotFound: the stored file is no longer on the server
    """
    path = original.get("path")
    if not isinstance(path, str) or not os.path.isfile(path):
        abort(404, MISSING)
    mime = content_type(original)
    kind = "inline" if mime.split(";")[0].strip().lower() in INLINE_TYPES else "attachment"
    try:
        response = send_file(path, mimetype=mime, conditional=True, max_age=ORIGINAL_MAX_AGE)
    except OSError:  # removed or unreadable since the check above
        abort(404, MISSING)
    # As stored: Werkzeug would add a second charset to a text type that already names one.
    response.headers["Content-Type"] = mime
    name = original.get("name")
    name = name if isinstance(name, str) else os.path.basename(path)
    response.headers["Content-Disposition"] = content_disposition(kind, name)
    return response
