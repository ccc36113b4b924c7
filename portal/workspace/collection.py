"""Where the served collection lives on disk: the sources its last build recorded, each notice's file.

Ids are looked up in the index manifest, never joined onto a path: an id from a URL cannot name a
file the build did not index, and a file that resolves outside the corpus folder is refused.
"""

import functools
import json
import os

from flask import current_app

from indexer.store import MANIFEST
from indexer.store import IndexStore


def manifest() -> dict:
    """Return the served generation's manifest (empty before the first build); treat it as read-only.

    At 35,000 notices it is a 7 MB file: it is read again only when the file changes.
    """
    folder = IndexStore(current_app.config["INDEX_PATH"]).current_path()
    if not folder:
        return {}
    path = os.path.join(folder, MANIFEST)
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    return _read_manifest(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read_manifest(path: str, mtime_ns: int, size: int) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return {}


def sources() -> dict:
    """Return what the index is built from: ``{"corpus", "jsonl", "vocab"}`` (absolute paths)."""
    return manifest().get("sources") or {"corpus": None, "jsonl": [], "vocab": None}


def corpus_folder() -> str | None:
    """Return the folder of notice files the index is built from, if any."""
    return sources().get("corpus")


def vocabulary_folder() -> str | None:
    """Return the folder holding the vocabularies (topics.toml, units.toml, people.toml)."""
    return sources().get("vocab")


def entry(doc_id: str) -> dict | None:
    """Return the manifest's entry for a notice: its source, signature and hash; None if unknown."""
    found = manifest().get("docs", {}).get(doc_id)
    return found if isinstance(found, dict) else None


def notice_file(doc_id: str) -> str | None:
    """Return the absolute path of a notice's file; None for a bulk record or an unknown id."""
    found, corpus = entry(doc_id), corpus_folder()
    if not found or found.get("bulk") or not corpus:
        return None
    root = os.path.realpath(corpus)
    path = os.path.realpath(os.path.join(root, found["source"]))
    return path if os.path.commonpath([root, path]) == root else None


def is_bulk(doc_id: str) -> bool:
    """Return whether a notice came from a JSONL bulk file (it has no file or sidecar of its own)."""
    found = entry(doc_id)
    return bool(found and found.get("bulk"))
