"""One notice, from its source (a corpus file or a bulk record) to text plus metadata."""

import dataclasses
import json
import os
import re

from indexer import formats
from indexer import provenance
from indexer.extract import Metadata
from indexer.extract import extract_metadata
from indexer.layout import split_layout
from indexer.normalize import normalize_line
from indexer.normalize import normalize_text
from indexer.rawtext import METHOD_OCR
from indexer.rawtext import Origin
from indexer.rawtext import UnreadableFile
from indexer.reading import Decoded
from indexer.reading import ReadOptions
from indexer.reading import read_notice
from indexer.sidecar import OVERRIDABLE
from indexer.sidecar import apply_overrides
from indexer.sidecar import read_sidecar
from indexer.vocab import Vocabulary

_UNSAFE_ID = re.compile(r"[^\w.-]+")
# Beside a file uploaded from the archivists' workspace: the name it had on their computer.
UPLOAD_SUFFIX = ".upload.json"


@dataclasses.dataclass
class Notice:
    """A notice ready to index: where it came from, its normalized text and its metadata."""

    meta: Metadata
    text: str
    source: str
    body_offset: int = 0
    origin: Origin | None = None
    originals: list[dict] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the metadata with ``path``, ``warnings`` and how the text was obtained, as
        ``indexer extract`` prints it."""
        extra = {"origin": self.origin.as_dict()} if self.origin else {}
        return {**self.meta.as_dict(), "path": self.source, **extra}


def safe_id(raw: str) -> str:
    """Make an id usable in a URL path segment: letters, digits, ``_``, ``-`` and ``.`` only."""
    return _UNSAFE_ID.sub("-", normalize_line(raw)).strip("-.") or "van-ban"


def doc_id_for(path: str) -> str:
    """Return the stable id of a notice file: its name without extension, made URL-safe."""
    return safe_id(os.path.splitext(os.path.basename(path))[0])


def uploaded_name(path: str) -> str | None:
    """Return the name a file uploaded from the workspace had on the archivist's computer, if it was one.

    The workspace keeps it in ``PATH.upload.json`` (the file itself has a generated name).
    """
    try:
        with open(path + UPLOAD_SUFFIX, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    name = (data.get("download_name") or data.get("original_name")) if isinstance(data, dict) else None
    return name[:255] if isinstance(name, str) and name.strip() else None


def original_file(path: str, format_name: str | None = None) -> dict:
    """Describe a notice's original file for the portal ("Bản gốc"): name, format, size, where it is."""
    kind = format_name or formats.format_of_name(path) or formats.TXT
    return {"name": uploaded_name(path) or os.path.basename(path), "format": kind, "size": os.path.getsize(path),
            "path": os.path.abspath(path), "mime": formats.MIME_TYPES[kind]}


def _read_best(paths: tuple[str, ...], options: ReadOptions) -> tuple[str, Decoded, list[str]]:
    """Read the first of a notice's files that gives digital text, else the first scan that reads.

    :return: ``(path, decoded, warnings about the files that could not be read)``
    :raise indexer.reading.UnreadableFile: none of the files can become text
    """
    failures: list[str] = []
    fallback = None
    for path in paths:
        try:
            decoded = read_notice(path, options)
        except UnreadableFile as exc:
            failures.append(f"{os.path.basename(path)}: {exc}")
            continue
        if decoded.origin.method != METHOD_OCR:
            return path, decoded, failures
        fallback = fallback or (path, decoded)
    if fallback:
        return (*fallback, failures)
    if len(paths) == 1:
        raise UnreadableFile(failures[0].split(": ", 1)[1])
    raise UnreadableFile("không tệp nào của văn bản đọc được — " + "; ".join(failures))


def load_file(path: str | tuple[str, ...], vocab: Vocabulary, options: ReadOptions = ReadOptions()) -> Notice:
    """Read, normalize and extract one notice (a file, or the files of one notice), sidecar applied.

    :raise indexer.reading.UnreadableFile: no file of the notice can become text
    """
    paths = (path,) if isinstance(path, str) else tuple(path)
    chosen, decoded, failures = _read_best(paths, options)
    layout = split_layout(decoded.text)
    meta = extract_metadata(doc_id_for(chosen), decoded.text, vocab, layout)
    provenance.mark_origin(meta.provenance, decoded.origin)
    overrides, side_warnings = read_sidecar(chosen)
    problems = apply_overrides(meta, overrides, vocab)
    failed = [f"không đọc được {reason}" for reason in failures]
    meta.warnings = decoded.warnings + failed + side_warnings + problems + meta.warnings
    originals = [original_file(chosen, decoded.origin.format)]
    originals += [original_file(p) for p in paths if p != chosen]
    return Notice(meta, decoded.text, chosen, layout.body_offset, decoded.origin, originals)


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
        # The record's title heads the text: its span is known (unless normalizing the text changed it).
        heads = text.startswith(title)
        meta.provenance = [r for r in meta.provenance if r["field"] != "title"]
        meta.provenance.append(provenance.record("title", title, (0, len(title)) if heads else None,
                                                 "record.title" if heads else "record"))
    overrides = {k: v for k, v in record.items() if k not in ("id", "text", "title")}
    unknown = sorted(set(overrides) - OVERRIDABLE)
    problems = apply_overrides(meta, {k: v for k, v in overrides.items() if k in OVERRIDABLE}, vocab, "record")
    if unknown:
        problems.append(f"bỏ qua trường không biết: {', '.join(unknown)}")
    meta.warnings = problems + meta.warnings
    return Notice(meta, text, source, layout.body_offset)
