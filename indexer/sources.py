"""Where notices come from: files under a corpus folder, or records of bulk JSONL files.

Each source item has a stable id, a cheap signature (size and mtime, to skip unchanged items
without reading them) and a content hash (to skip items whose files were only touched).
"""

import dataclasses
import gzip
import hashlib
import json
import os
from collections.abc import Iterator

from indexer.notice import doc_id_for
from indexer.notice import safe_id
from indexer.reading import NOTICE_SUFFIXES
from indexer.reading import TEXT_SUFFIXES
from indexer.sidecar import SIDECAR_SUFFIX
from indexer.sidecar import sidecar_path

# Files that live in a corpus folder without being notices.
_COMPANIONS = (".toml", SIDECAR_SUFFIX, ".md", ".json")


@dataclasses.dataclass
class SourceFile:
    """One notice file (plus its sidecar, if any)."""

    doc_id: str
    path: str
    signature: str

    def content_hash(self) -> str:
        """Hash the file and its sidecar: equal hashes mean nothing to re-index."""
        digest = hashlib.sha1()
        for path in (self.path, sidecar_path(self.path)):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
            digest.update(b"\0")
        return digest.hexdigest()


@dataclasses.dataclass
class SourceRecord:
    """One record of a JSONL file."""

    doc_id: str
    record: dict
    source: str
    hash: str


def _stat_signature(path: str) -> str:
    parts = []
    for candidate in (path, sidecar_path(path)):
        try:
            stat = os.stat(candidate)
            parts.append(f"{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def _name_order(name: str) -> tuple:
    # When a notice is there both as text and as a saved page, the text file owns the id.
    stem, suffix = os.path.splitext(name)
    return stem, suffix.lower() not in TEXT_SUFFIXES, name


def scan_corpus(folder: str) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """List the notice files under ``folder``, sorted, with one file per id.

    :return: ``(files, skipped)`` where skipped holds ``(path, reason)``
    """
    files: list[SourceFile] = []
    skipped: list[tuple[str, str]] = []
    owners: dict[str, str] = {}
    for directory, subdirs, names in os.walk(folder):
        # Hidden folders (.git, editors' caches) are not part of the corpus; os.walk does not
        # follow symlinked folders, so link loops cannot trap it.
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names, key=_name_order):
            path = os.path.join(directory, name)
            lower = name.lower()
            if name.startswith("."):
                skipped.append((path, "tệp ẩn (tên bắt đầu bằng dấu chấm), không lập chỉ mục"))
            elif os.path.splitext(lower)[1] in NOTICE_SUFFIXES:
                doc_id = doc_id_for(path)
                if doc_id in owners:
                    skipped.append((path, f"trùng mã văn bản '{doc_id}' với {owners[doc_id]}"))
                else:
                    owners[doc_id] = path
                    files.append(SourceFile(doc_id, path, _stat_signature(path)))
            elif lower.endswith(SIDECAR_SUFFIX):
                if not any(os.path.exists(path[: -len(SIDECAR_SUFFIX)] + s) for s in NOTICE_SUFFIXES):
                    skipped.append((path, "tệp sửa siêu dữ liệu không có văn bản đi kèm"))
            elif not lower.endswith(_COMPANIONS) and lower not in ("readme", "license"):
                suffix = os.path.splitext(lower)[1] or "không có đuôi"
                skipped.append((path, f"định dạng không hỗ trợ ({suffix}); chỉ nhận .txt, .html, .htm"))
    return files, skipped


def file_signature(path: str) -> str:
    """Return the size-and-mtime signature of a bulk file."""
    return _stat_signature(path)


def read_jsonl(path: str) -> Iterator[SourceRecord | tuple[str, str]]:
    """Yield the records of a JSONL file (``.gz`` too), or ``(where, reason)`` for bad lines."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield where, f"dòng JSON không hợp lệ ({exc})"
                continue
            doc_id = record.get("id") if isinstance(record, dict) else None
            if doc_id is None or not isinstance(record.get("text"), str):
                yield where, "bản ghi thiếu 'id' hoặc 'text'"
                continue
            yield SourceRecord(safe_id(str(doc_id)), record, where, hashlib.sha1(line).hexdigest())
