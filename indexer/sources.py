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

from indexer import formats
from indexer.notice import doc_id_for
from indexer.notice import safe_id
from indexer.sidecar import SIDECAR_SUFFIX
from indexer.sidecar import sidecar_path

# Files that live in a corpus folder without being notices.
_COMPANIONS = (".toml", ".md", ".json")
_ACCEPTED = ", ".join(sorted(formats.NOTICE_SUFFIXES))


@dataclasses.dataclass
class SourceFile:
    """One notice: its files (the same name in several formats, preferred first) and its sidecar."""

    doc_id: str
    paths: tuple[str, ...]
    signature: str

    @property
    def path(self) -> str:
        """The notice's preferred file, which names it in reports."""
        return self.paths[0]

    def content_hash(self) -> str:
        """Hash the files and the sidecar: equal hashes mean nothing to re-index."""
        digest = hashlib.sha1()
        for path in (*self.paths, sidecar_path(self.path)):
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


def _stat_signature(*paths: str) -> str:
    parts = []
    for candidate in (*paths, sidecar_path(paths[0])):
        try:
            stat = os.stat(candidate)
            parts.append(f"{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def _preference(path: str) -> tuple:
    return formats.PREFERENCE.index(formats.format_of_name(path)), path


def _scan_folder(directory: str, names: list[str], owners: dict, files: list, skipped: list) -> None:
    """Group one folder's notice files by id; report hidden files, strays and duplicates."""
    groups: dict[str, list[str]] = {}
    for name in sorted(names):
        path = os.path.join(directory, name)
        lower = name.lower()
        if name.startswith("."):
            skipped.append((path, "tệp ẩn (tên bắt đầu bằng dấu chấm), không lập chỉ mục"))
        elif formats.format_of_name(lower):
            groups.setdefault(doc_id_for(path), []).append(path)
        elif not lower.endswith(SIDECAR_SUFFIX) and not lower.endswith(_COMPANIONS) and lower not in ("readme", "license"):
            suffix = os.path.splitext(lower)[1] or "không có đuôi"
            skipped.append((path, f"định dạng không hỗ trợ ({suffix}); chỉ nhận {_ACCEPTED}"))
    stems = {os.path.splitext(p)[0] for paths in groups.values() for p in paths}
    for name in sorted(names):
        if name.lower().endswith(SIDECAR_SUFFIX) and os.path.join(directory, name[: -len(SIDECAR_SUFFIX)]) not in stems:
            skipped.append((os.path.join(directory, name), "tệp sửa siêu dữ liệu không có văn bản đi kèm"))
    for doc_id, paths in sorted(groups.items()):
        paths.sort(key=_preference)
        if doc_id in owners:
            skipped.extend((path, f"trùng mã văn bản '{doc_id}' với {owners[doc_id]}") for path in paths)
            continue
        owners[doc_id] = paths[0]
        files.append(SourceFile(doc_id, tuple(paths), _stat_signature(*paths)))


def scan_corpus(folder: str) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """List the notices under ``folder``, sorted, with one entry per id (its files grouped).

    :return: ``(files, skipped)`` where skipped holds ``(path, reason)``
    """
    files: list[SourceFile] = []
    skipped: list[tuple[str, str]] = []
    owners: dict[str, str] = {}
    for directory, subdirs, names in os.walk(folder):
        # Hidden folders (.git, editors' caches) are not part of the corpus; os.walk does not
        # follow symlinked folders, so link loops cannot trap it.
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        _scan_folder(directory, names, owners, files, skipped)
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
