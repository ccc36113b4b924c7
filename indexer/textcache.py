"""Text already obtained from slow formats (OCR, LibreOffice), kept by content hash.

A full rebuild (a vocabulary changed) reads every file again; a scan whose bytes did not change
is not recognized again. Entries are JSON files named by the SHA-256 of the file's bytes and the
reader version, so a renamed or copied file hits the same entry.
"""

import hashlib
import json
import os

from indexer.rawtext import Origin
from indexer.rawtext import RawText
from indexer.store import write_atomic

# Bump when a reader's output changes: older entries are then not used.
READER_VERSION = 1


def content_key(data: bytes, *settings) -> str:
    """Return the cache key of a file's bytes read with the given settings."""
    digest = hashlib.sha256(data)
    digest.update(repr((READER_VERSION, settings)).encode())
    return digest.hexdigest()


class TextCache:
    """A folder of cached reading results."""

    def __init__(self, folder: str):
        self.folder = folder

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], f"{key}.json")

    def get(self, key: str) -> RawText | None:
        """Return the cached result for a key, or None."""
        try:
            with open(self._path(key), encoding="utf-8") as f:
                data = json.load(f)
            return RawText(data["text"], Origin.from_dict(data["origin"]), list(data["warnings"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, raw: RawText) -> None:
        """Store a result; a cache that cannot be written only costs time later."""
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomic(path, json.dumps(
                {"text": raw.text, "origin": raw.origin.as_dict(), "warnings": raw.warnings}, ensure_ascii=False
            ))
        except OSError:
            pass
