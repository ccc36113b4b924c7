"""Which formats the indexer reads, and what a file really is: told by its content, not its name."""

import re
import types

from indexer.rawtext import UnreadableFile

TXT, HTML, DOCX, DOC, RTF, PDF, PNG, JPEG, TIFF = "txt", "html", "docx", "doc", "rtf", "pdf", "png", "jpeg", "tiff"
IMAGE_FORMATS = frozenset({PNG, JPEG, TIFF})
SUFFIXES = types.MappingProxyType({
    ".txt": TXT, ".text": TXT, ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".docx": DOCX, ".doc": DOC,
    ".rtf": RTF, ".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".tif": TIFF, ".tiff": TIFF,
})
NOTICE_SUFFIXES = frozenset(SUFFIXES)
# When one notice is there in several files, the first readable one in this order gives its text:
# what was typed before what was printed, and digital text before any scan.
PREFERENCE = (TXT, DOCX, DOC, RTF, HTML, PDF, TIFF, PNG, JPEG)
MIME_TYPES = types.MappingProxyType({
    TXT: "text/plain", HTML: "text/html",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DOC: "application/msword", RTF: "application/rtf", PDF: "application/pdf", PNG: "image/png",
    JPEG: "image/jpeg", TIFF: "image/tiff",
})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = (
    (b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF), (b"{\\rtf", RTF),
)
# Binary kinds we recognise but do not read, with how to name them to the archivist.
_OTHER_BINARY = (
    (b"GIF8", "ảnh GIF (hãy lưu thành PNG hoặc TIFF)"),
    (b"Rar!", "tệp nén RAR"), (b"\x1f\x8b", "tệp nén gzip"), (b"7z\xbc\xaf", "tệp nén 7z"),
)
# Stream names as an OLE directory stores them.
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def format_of_name(path: str) -> str | None:
    """Return the format a file's suffix claims, or None when the indexer does not read it."""
    dot = path.rfind(".")
    return SUFFIXES.get(path[dot:].lower()) if dot >= 0 else None


def detect(head: bytes, data_for_ole=None) -> str | None:
    """Return the binary format the first bytes show, or None for text (plain or HTML).

    ``data_for_ole`` reads the whole file when the head shows an OLE container (old Office, or a
    password-protected new one).

    :raise UnreadableFile: a binary kind the indexer does not read, or an encrypted document
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return DOCX  # the reader says so if the package is not a Word document
    if head.startswith(_OLE):
        data = data_for_ole() if data_for_ole else head
        if _ENCRYPTED_OOXML in data:
            raise UnreadableFile("tệp Word có mật khẩu (đã mã hóa), không đọc được: hãy lưu lại bản không đặt mật khẩu")
        if _WORD_STREAM in data:
            return DOC
        raise UnreadableFile("tệp Office cũ không phải văn bản Word (có thể là Excel hoặc PowerPoint)")
    for magic, kind in _OTHER_BINARY:
        if head.startswith(magic):
            raise UnreadableFile(f"tệp nhị phân ({kind}), không phải văn bản")
    if head.startswith(b"BM") and head[6:10] == b"\0\0\0\0":
        raise UnreadableFile("tệp nhị phân (ảnh BMP: hãy lưu thành PNG hoặc TIFF), không phải văn bản")
    return None


_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<meta)", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Tell whether decoded text is a web page (whatever its name says)."""
    return _HTML_SNIFF.match(text[:512]) is not None
