"""Rewrite a vocabulary file for a name merge: tomlkit keeps every comment, entry and line it does not touch.

A new text is checked by loading it with the indexer's own loader, beside the other vocabulary
files, before it replaces the old one (atomically): a vocabulary the build cannot read is never written.
"""

import hashlib
import os
import shutil
import tempfile

import tomlkit
from tomlkit.exceptions import TOMLKitError

from indexer.normalize import match_key
from indexer.normalize import normalize_line
from indexer.vocab import VOCAB_FILES
from indexer.vocab import Vocabulary
from indexer.vocab import VocabularyError
from indexer.vocab import load_vocabulary

HEADER = "# Từ điển tên gọi; các mục [[{table}]] dưới đây do trang Tên gọi của khu quản trị thêm vào.\n"


class MergeRefused(ValueError):
    """A merge or undo that cannot be written; the message says why, in Vietnamese."""


def digest(text: str) -> str:
    """Return the SHA-256 of a file's text (what the audit log records before and after)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: str) -> str | None:
    """Return a vocabulary file's text, or None when there is no such file."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _aliases(entry) -> list[str]:
    values = entry.get("aliases", [])
    return [str(v) for v in values] if isinstance(values, list) else []


def _find(entries, key: str) -> int | None:
    for index, entry in enumerate(entries):
        if match_key(str(entry.get("name", ""))) == key:
            return index
    return None


def _parse(text: str, table: str):
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise MergeRefused(f"Tệp từ điển hiện không phải TOML hợp lệ ({exc}); hãy sửa tay trước.") from None
    if table not in doc:
        doc.append(table, tomlkit.aot())
    entries = doc[table]
    if not isinstance(entries, tomlkit.items.AoT):
        raise MergeRefused(f"Tệp từ điển có '{table}' không phải danh sách [[{table}]]; hãy sửa tay trước.")
    return doc, entries


def _target(entries, table: str, canonical: str, variant_keys: set[str]):
    """Return the canonical's entry, made at the end when the vocabulary lacks it."""
    index = _find(entries, match_key(canonical))
    if index is not None:
        return entries[index]
    for entry in entries:
        owner = str(entry.get("name", ""))
        if match_key(canonical) in map(match_key, _aliases(entry)) and match_key(owner) not in variant_keys:
            raise MergeRefused(f"«{canonical}» đang là tên khác của «{owner}» trong từ điển: hãy chọn «{owner}» "
                               f"làm tên chuẩn, hoặc gộp cả «{owner}».")
    entry = tomlkit.table()
    entry.add("name", canonical)
    entry.add("aliases", tomlkit.array())
    if len(entries):
        entry.trivia.indent = "\n"  # a blank line between entries, like the rest of the file
    entries.append(entry)
    return entries[-1]


def merged_text(text: str | None, table: str, canonical: str, variants: list[str]) -> str:
    """Return the vocabulary text with ``variants`` as aliases of ``canonical`` (a ``[[table]]`` entry).

    A variant that is an entry of its own is folded in (its entry removed, its aliases kept); a
    variant listed as another entry's alias moves. Everything else keeps its bytes.

    :raise MergeRefused: the file is not TOML, or the canonical name is another entry's alias
    """
    canonical = normalize_line(canonical)
    doc, entries = _parse(text if text is not None else HEADER.format(table=table), table)
    keys = {match_key(v): v for v in map(normalize_line, variants) if match_key(v) != match_key(canonical)}
    target = _target(entries, table, canonical, set(keys))
    carried: list[str] = []
    for key in keys:
        index = _find(entries, key)
        if index is not None and entries[index] is not target:
            carried.extend(a for a in _aliases(entries[index]) if match_key(a) != match_key(canonical))
            del entries[index]
    for entry in entries:
        if entry is target or "aliases" not in entry:
            continue
        aliases = entry["aliases"]
        for alias in [a for a in aliases if match_key(str(a)) in keys]:
            aliases.remove(alias)
    if "aliases" not in target:
        target["aliases"] = tomlkit.array()
    known = {match_key(a) for a in _aliases(target)}
    for name in [*keys.values(), *carried]:
        if match_key(name) not in known:
            target["aliases"].append(name)
            known.add(match_key(name))
    return tomlkit.dumps(doc)


def load_with(folder: str, filename: str, text: str | None) -> Vocabulary:
    """Load the vocabulary as it would be with ``filename`` holding ``text`` (None: no such file).

    :raise MergeRefused: the indexer cannot load it
    """
    with tempfile.TemporaryDirectory(prefix="vocab-check-") as trial:
        for name in VOCAB_FILES:
            if name != filename and os.path.exists(os.path.join(folder, name)):
                shutil.copyfile(os.path.join(folder, name), os.path.join(trial, name))
        if text is not None:
            with open(os.path.join(trial, filename), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        try:
            return load_vocabulary(trial)
        except VocabularyError as exc:
            message = str(exc).replace(trial + os.sep, "")
            raise MergeRefused(f"Từ điển sau khi sửa không đọc được nên không được ghi: {message}") from None


def write_atomic(path: str, text: str | None) -> None:
    """Replace ``path`` with ``text`` in one step (a reader sees the old file or the new, never half); None removes it."""
    if text is None:
        if os.path.exists(path):
            os.remove(path)
        return
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide a new vocabulary from the indexer's user
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
