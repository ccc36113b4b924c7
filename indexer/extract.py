"""Metadata of one notice, from its normalized text alone (then a sidecar may override it)."""

import dataclasses
import re

from indexer import dates
from indexer import people
from indexer.layout import Layout
from indexer.layout import split_layout
from indexer.refs import canonical_ref
from indexer.refs import find_references
from indexer.refs import ref_kind
from indexer.truecase import Truecaser
from indexer.vocab import Vocabulary

TYPE_CONCLUSION = "Thông báo kết luận"
TYPE_NEWS = "Tin bài"
_KIND_NAMES = {
    "TB": "Thông báo", "KL": "Kết luận", "NQ": "Nghị quyết", "CT": "Chỉ thị", "QĐ": "Quyết định",
    "BC": "Báo cáo", "KH": "Kế hoạch", "CV": "Công văn", "HD": "Hướng dẫn", "TTr": "Tờ trình",
}
_MOTTO = re.compile(r"ĐẢNG CỘNG SẢN|CỘNG HÒA XÃ HỘI|ĐỘC LẬP|^\*+$|^-+$", re.IGNORECASE)
_NUMBER_LINE = re.compile(r"^(?:Số|Số hiệu)\s*:?\s*(.+)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐ])")
# Which missing fields deserve a warning, by type of document.
_EXPECTED = {
    TYPE_NEWS: ("title", "date", "author", "units", "topics"),
    None: ("title", "date", "number", "meeting_date", "signer", "signer_title", "chair",
           "chair_title", "units", "topics", "issuer", "place"),
}
FIELD_LABELS = {
    "type": "loại văn bản", "number": "số hiệu", "date": "ngày ban hành", "meeting_date": "ngày họp",
    "title": "tiêu đề", "signer": "người ký", "signer_title": "chức vụ người ký", "chair": "người chủ trì",
    "chair_title": "chức vụ người chủ trì", "author": "tác giả", "units": "đơn vị", "topics": "chủ đề",
    "references": "văn bản dẫn chiếu", "place": "địa danh", "issuer": "cơ quan ban hành",
}


@dataclasses.dataclass
class Metadata:
    """SPEC's metadata fields of one notice."""

    id: str
    type: str | None = None
    number: str | None = None
    date: str | None = None
    meeting_date: str | None = None
    title: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    chair: str | None = None
    chair_title: str | None = None
    author: str | None = None
    units: list[str] = dataclasses.field(default_factory=list)
    topics: list[str] = dataclasses.field(default_factory=list)
    references: list[str] = dataclasses.field(default_factory=list)
    place: str | None = None
    issuer: str | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the fields as a JSON-ready dict."""
        return dataclasses.asdict(self)


def _header_number(layout: Layout) -> str | None:
    for row in layout.header:
        for part in row:
            line = _NUMBER_LINE.match(part)
            number = canonical_ref(line.group(1)) if line else None
            if number:
                return number
    return None


def _issuer(layout: Layout, casing: Truecaser) -> str | None:
    lines = []
    for row in layout.header:
        left = row[0]
        if _NUMBER_LINE.match(left) or dates.find_issue_date([left])[0]:
            break
        if left.isupper() and not _MOTTO.search(left):
            lines.append(left)
    return casing.apply(" ".join(lines)) if lines else None


def _doc_type(layout: Layout, number: str | None) -> str:
    if layout.heading:
        following = layout.title_lines[0].upper() if layout.title_lines else ""
        if layout.heading == "THÔNG BÁO" and "KẾT LUẬN" in following:
            return TYPE_CONCLUSION
        return layout.heading.capitalize()
    title = (layout.title_lines[0] if layout.title_lines else "").lower()
    if title.startswith(("thông báo kết luận", "kết luận của thường trực")):
        return TYPE_CONCLUSION
    if number:
        return _KIND_NAMES.get(ref_kind(number), TYPE_NEWS)
    return TYPE_NEWS


def _title(layout: Layout, casing: Truecaser) -> str | None:
    lines = [casing.apply(line) for line in layout.title_lines]
    title = " ".join(lines).strip()
    return title or None


def _first_sentence(paragraph: str) -> str:
    return _SENTENCE_END.split(paragraph, maxsplit=1)[0]


def _units(layout: Layout, title: str | None, vocab: Vocabulary) -> list[str]:
    """Units the session was with (title, lead sentence) or the notice is addressed to (closing)."""
    spans = [title or ""]
    if layout.paragraphs:
        spans.append(_first_sentence(layout.paragraphs[0]))
        if layout.signature or layout.recipients:
            spans.append(layout.paragraphs[-1])
    return vocab.find_units("\n".join(spans))


def missing_fields(meta: Metadata) -> list[str]:
    """Return the fields a notice of this type should have and this one lacks."""
    return [field for field in _EXPECTED.get(meta.type, _EXPECTED[None]) if not getattr(meta, field)]


def _warnings(meta: Metadata) -> list[str]:
    return [f"{field}: không tìm thấy {FIELD_LABELS[field]}" for field in missing_fields(meta)]


def extract_metadata(doc_id: str, text: str, vocab: Vocabulary, layout: Layout | None = None) -> Metadata:
    """Extract every metadata field from a notice's normalized text (split into ``layout`` if given)."""
    layout = layout or split_layout(text)
    body = "\n".join(layout.paragraphs)
    casing = Truecaser(body)
    meta = Metadata(id=doc_id)
    meta.number = _header_number(layout)
    meta.type = _doc_type(layout, meta.number)
    issue_date, meta.place = dates.find_issue_date([part for row in layout.header for part in row])
    if layout.dateline:
        issue_date = dates.find_dateline(layout.dateline)
    meta.title = _title(layout, casing)
    if layout.paragraphs:
        meta.meeting_date = dates.find_meeting_date(layout.paragraphs[0], issue_date)
    meta.date = issue_date or meta.meeting_date
    meta.issuer = _issuer(layout, casing)
    chair, meta.chair_title = people.find_chair(layout.paragraphs)
    meta.chair = vocab.canonical_person(chair) if chair else None
    signer, meta.signer_title = people.find_signer(layout.signature, casing)
    meta.signer = vocab.canonical_person(signer) if signer else None
    if meta.type == TYPE_NEWS:
        author = people.find_author(layout.paragraphs)
        meta.author = vocab.canonical_person(author) if author else None
    meta.units = _units(layout, meta.title, vocab)
    meta.topics = vocab.find_topics(meta.title or "", body)
    meta.references = [ref for ref in find_references(body) if ref != meta.number]
    meta.warnings = _warnings(meta)
    return meta
