"""What an uploaded file is, told by its content, and what it is called: shown, offered, stored."""

import datetime
import os
import re
import secrets
import unicodedata

from indexer import formats

EXTENSIONS = {
    formats.TXT: ".txt", formats.HTML: ".html", formats.DOCX: ".docx", formats.DOC: ".doc", formats.RTF: ".rtf",
    formats.PDF: ".pdf", formats.PNG: ".png", formats.JPEG: ".jpg", formats.TIFF: ".tif",
}
MAX_NAME = 150
UNNAMED = "tệp không tên"
# Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


# -- names -------------------------------------------------------------------------------------

def display_name(raw: str | None) -> str:
    """Return a client's file name fit to show and to offer for download: NFC, its last path segment,
    no control, bidi or zero-width characters, no leading or trailing dots, at most :data:`MAX_NAME` characters.

    Werkzeug's ``secure_filename`` would drop every Vietnamese letter; this keeps them.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if c.isspace() else c for c in name if c.isspace() or
                   unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME:
        stem, suffix = os.path.splitext(name)
        suffix = suffix if len(suffix) <= 10 else ""
        name = stem[: MAX_NAME - len(suffix) - 1].rstrip(". ") + "…" + suffix
    return name or UNNAMED


def download_name(name: str, fmt: str) -> str:
    """Return ``name`` with the extension of the format the content shows (``x.exe`` -> ``x.exe.docx``)."""
    if formats.format_of_name(name) == fmt:
        return name
    stem, suffix = os.path.splitext(name)
    return (stem if suffix.lower() in formats.SUFFIXES else name) + EXTENSIONS[fmt]


def stored_name(now: float, fmt: str) -> str:
    """Return a new generated name for an upload: its date, random hex, the format's extension."""
    day = datetime.datetime.fromtimestamp(now, datetime.UTC).date().isoformat()
    return f"{day}-{secrets.token_hex(6)}{EXTENSIONS[fmt]}"


# -- what a file is ----------------------------------------------------------------------------

def _text_kind(head: bytes) -> str:
    """A saved web page or plain text, sniffed as the indexer's text reader does."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", "replace")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    return formats.HTML if formats.looks_like_html(text) else formats.TXT


def detect_format(path: str) -> str:
    """Return the format of a file from its content, as the indexer tells it.

    :raise UnreadableFile: a kind the indexer does not read (GIF, archives, an encrypted Word file...)
    """
    with open(path, "rb") as f:
        head = f.read(4096)

    def whole() -> bytes:
        with open(path, "rb") as f:
            return f.read()

    return formats.detect(head[:16], whole) or _text_kind(head)


def file_size(stream) -> int:
    """Return the size of an uploaded file's stream (left at its start)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size
