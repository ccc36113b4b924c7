"""People in a notice: who chaired the session, who signed, who wrote a news item."""

import dataclasses
import re

from indexer.truecase import Truecaser

# Words that open an office title, never a personal name.
_TITLE_WORDS = frozenset(
    "phó bí chủ trưởng tỉnh ủy giám thường ban đảng văn chánh bộ thứ đại thủ tổng hội sở các "
    "đồng đoàn chi trung ủy viên uv".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_COMRADE = re.compile(r"(?<!\w)đồng chí\s+", re.IGNORECASE)
_NAME_AT = re.compile(r"((?:[^\W\d_]+ ){1,4}[^\W\d_]+)")
_TITLE_SEPARATOR = re.compile(r"^\s*(?:[,–—:-]|\()\s*")
# Where an office title ends and the sentence's verb begins.
_TITLE_END = re.compile(
    r"\s+(?:đã|có|chủ trì|cùng|làm việc|đến|dự|thăm|về|kết luận|phát biểu|tại|nghe|trao|tiếp|đi|"
    r"khẳng định|nhấn mạnh|cho biết|yêu cầu|đề nghị|là|thay mặt|và các|và đại diện|đánh giá|"
    r"ghi nhận|chỉ đạo|biểu dương)(?!\w)|\s*[();.]|,\s+(?=[^\W\d_]*[a-zđ])"
)
_MAX_TITLE_WORDS = 14
_SIGNED = re.compile(r"^\(.*(ký|dấu|signed).*\)$", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(T/?L\.?|TM\.?|T\.M\.?|KT\.?|K\.T\.?|Q\.|TUQ\.?)\s", re.IGNORECASE)
_COUNTER = re.compile(r"^(số lần đọc|lượt xem|lượt đọc|lượt truy cập|views?)\s*:?\s*[\d.,]+$", re.IGNORECASE)
_SOURCE = re.compile(r"^(nguồn|theo)\s*:", re.IGNORECASE)
_BYLINE = re.compile(r"^((?:[^\W\d_]+ ){0,4}[^\W\d_]+)(?:\s*[(-].{0,40}\)?)?$")


def is_person_name(text: str) -> bool:
    """Tell whether ``text`` reads as a Vietnamese personal name (2-5 capitalised words)."""
    words = text.split()
    if not 2 <= len(words) <= 5 or words[0].lower() in _TITLE_WORDS:
        return False
    return all(_WORD.fullmatch(w) and w[0].isupper() and not (len(w) > 1 and w.isupper()) for w in words)


def _name_after(text: str) -> str | None:
    words = []
    for word in text.split(" ")[:5]:
        core = word.rstrip(",–—-:;.(")
        if not core or not _WORD.fullmatch(core) or not core[0].isupper():
            break
        words.append(core)
        if core != word:
            break
    while words and not is_person_name(" ".join(words)):
        words.pop()
    return " ".join(words) or None


def _title_after(text: str) -> str | None:
    separator = _TITLE_SEPARATOR.match(text)
    if not separator:
        return None
    rest = text[separator.end():]
    end = _TITLE_END.search(rest)
    title = (rest[:end.start()] if end else rest).strip(" ,–-")
    if not title or len(title.split()) > _MAX_TITLE_WORDS or not title[0].isupper():
        return None
    return title


@dataclasses.dataclass(frozen=True)
class Chair:
    """A chair as found: ``name`` at ``name_start`` of ``paragraphs[index]``, ``title`` at ``title_start``."""

    name: str
    title: str | None
    index: int
    name_start: int
    title_start: int | None


def _title_start(paragraph: str, after: int, title: str | None) -> int | None:
    return paragraph.find(title, after) if title else None


def locate_chair(paragraphs: list[str], limit: int = 3) -> Chair | None:
    """Find ``đồng chí NAME – TITLE`` in the lead paragraphs, preferring the one who presided."""
    found = []
    for index, paragraph in enumerate(paragraphs[:limit]):
        for match in _COMRADE.finditer(paragraph):
            rest = paragraph[match.end():]
            name = _name_after(rest)
            if not name:
                continue
            title = _title_after(rest[len(name):])
            presided = "chủ trì" in rest[:200] or "kết luận" in rest[:300]
            name_end = match.end() + len(name)
            found.append((not presided, Chair(name, title, index, match.end(), _title_start(paragraph, name_end, title))))
    if not found:
        return None
    return min(found, key=lambda item: item[0])[1]


def find_chair(paragraphs: list[str], limit: int = 3) -> tuple[str | None, str | None]:
    """Find ``đồng chí NAME – TITLE`` in the lead paragraphs; prefer the one who presided.

    :return: ``(name, title)``
    """
    chair = locate_chair(paragraphs, limit)
    return (chair.name, chair.title) if chair else (None, None)


@dataclasses.dataclass(frozen=True)
class Signer:
    """A signer as found: ``signature[name_index]`` names them, ``signature[title_index]`` their office."""

    name: str
    title: str | None
    name_index: int
    title_index: int | None


def locate_signer(signature: list[str], casing: Truecaser) -> Signer | None:
    """Read the signature block: office title lines (ALL CAPS), ``(đã ký…)``, then the name."""
    name_index = None
    for index in range(len(signature) - 1, -1, -1):
        candidate = signature[index]
        if candidate.isupper():
            candidate = candidate.title()
        if is_person_name(candidate):
            name_index = index
            break
    if name_index is None:
        return None
    name = signature[name_index]
    name = name.title() if name.isupper() else name
    titles = [
        index for index, line in enumerate(signature[:name_index])
        if line.isupper() and not _AUTHORITY.match(line) and not _SIGNED.match(line)
    ]
    title_index = titles[-1] if titles else None
    title = casing.apply(signature[title_index]) if titles else None
    return Signer(name, title, name_index, title_index)


def find_signer(signature: list[str], casing: Truecaser) -> tuple[str | None, str | None]:
    """Read the signature block: office title lines (ALL CAPS), ``(đã ký…)``, then the name.

    :return: ``(name, title)``
    """
    signer = locate_signer(signature, casing)
    return (signer.name, signer.title) if signer else (None, None)


def locate_author(paragraphs: list[str]) -> tuple[str, int] | None:
    """Return a news item's byline and the index of its paragraph (it begins there), or None."""
    for index in range(len(paragraphs) - 1, max(len(paragraphs) - 5, -1), -1):
        line = paragraphs[index]
        if _COUNTER.match(line) or _SOURCE.match(line):
            continue
        byline = _BYLINE.match(line)
        if byline and all(w[0].isupper() for w in byline.group(1).split()):
            return byline.group(1), index
        return None
    return None


def find_author(paragraphs: list[str]) -> str | None:
    """Return a news item's byline: the short name line that closes it (before any counter)."""
    found = locate_author(paragraphs)
    return found[0] if found else None
