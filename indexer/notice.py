"""One notice, from its source (a corpus file or a bulk record) to text plus metadata."""

import dataclasses
import os
import re

from indexer.extract import Metadata
from indexer.extract import extract_metadata
from indexer.layout import split_layout
from indexer.normalize import normalize_line
from indexer.normalize import normalize_text
from indexer.reading import DEFAULT_MAX_BYTES
from indexer.reading import read_notice
from indexer.sidecar import OVERRIDABLE
from indexer.sidecar import apply_overrides
from indexer.sidecar import read_sidecar
from indexer.vocab import Vocabulary

_UNSAFE_ID = re.compile(r"[^\w.-]+")


@dataclasses.dataclass
class Notice:
    """A notice ready to index: where it came from, its normalized text and its metadata."""

    meta: Metadata
    text: str
    source: str
    body_offset: int = 0

    def as_dict(self) -> dict:
        """Return the metadata with ``path`` and ``warnings``, as ``indexer extract`` prints it."""
        return {**self.meta.as_dict(), "path": self.source}


def safe_id(raw: str) -> str:
    """Make an id usable in a URL path segment: letters, digits, ``_``, ``-`` and ``.`` only."""
    return _UNSAFE_ID.sub("-", normalize_line(raw)).strip("-.") or "van-ban"


def doc_id_for(path: str) -> str:
    """Return the stable id of a notice file: its name without extension, made URL-safe."""
    return safe_id(os.path.splitext(os.path.basename(path))[0])


def load_file(path: str, vocab: Vocabulary, max_bytes: int = DEFAULT_MAX_BYTES) -> Notice:
    """Read, normalize and extract one corpus file, sidecar applied.

    :raise indexer.reading.UnreadableFile: the file cannot become text
    """
    decoded = read_notice(path, max_bytes)
    layout = split_layout(decoded.text)
    meta = extract_metadata(doc_id_for(path), decoded.text, vocab, layout)
    overrides, side_warnings = read_sidecar(path)
    problems = apply_overrides(meta, overrides, vocab)
    meta.warnings = decoded.warnings + side_warnings + problems + meta.warnings
    return Notice(meta, decoded.text, path, layout.body_offset)


def load_record(record: dict, vocab: Vocabulary, source: str) -> Notice:
    """Build a notice from a bulk record ``{"id", "title", "text", ...}``; given fields win.

    :raise ValueError: a record without an id or text
    """
    doc_id = record.get("id")
    body = record.get("text")
    if doc_id is None or not str(doc_id).strip() or not isinstance(body, str):
        raise ValueError("bản ghi thiếu 'id' hoặc 'text'")
    title = normalize_line(record.get("title") or "")
    text = normalize_text(f"{title}\n\n{body}" if title else body)
    layout = split_layout(text)
    meta = extract_metadata(safe_id(str(doc_id)), text, vocab, layout)
    if title:
        meta.title = title
    overrides = {k: v for k, v in record.items() if k not in ("id", "text", "title")}
    unknown = sorted(set(overrides) - OVERRIDABLE)
    problems = apply_overrides(meta, {k: v for k, v in overrides.items() if k in OVERRIDABLE}, vocab)
    if unknown:
        problems.append(f"bỏ qua trường không biết: {', '.join(unknown)}")
    meta.warnings = problems + meta.warnings
    return Notice(meta, text, source, layout.body_offset)
