"""Metadata of one notice, from its normalized text alone (then a sidecar may override it)."""

import dataclasses
import re

from indexer import dates
from indexer import people
from indexer.layout import Layout
from indexer.layout import split_layout
from indexer.provenance import Stitched
from indexer.provenance import mark_doubtful
from indexer.provenance import record
from indexer.refs import locate_ref
from indexer.refs import locate_references
from indexer.refs import ref_kind
from indexer.truecase import Truecaser
from indexer.vocab import Vocabulary
from indexer.vocab import phrase_span

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
    # Where each value came from (indexer.provenance): one record per value.
    provenance: list[dict] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the fields as a JSON-ready dict."""
        return dataclasses.asdict(self)


Span = tuple[int, int] | None


def _at(starts: list, index: int, length: int, offset: int = 0) -> Span:
    """The span of a part ``length`` long, ``offset`` into the part that ``starts[index]`` places."""
    if index >= len(starts):
        return None  # a layout built without offsets
    return starts[index] + offset, starts[index] + offset + length


def _header_parts(layout: Layout) -> tuple[list[str], list[int | None]]:
    parts, starts = [], []
    for row_index, row in enumerate(layout.header):
        row_starts = layout.header_starts[row_index] if row_index < len(layout.header_starts) else []
        parts.extend(row)
        starts.extend(row_starts[i] if i < len(row_starts) else None for i in range(len(row)))
    return parts, starts


def _header_number(layout: Layout) -> tuple[str, Span] | None:
    for row_index, row in enumerate(layout.header):
        for part_index, part in enumerate(row):
            line = _NUMBER_LINE.match(part)
            found = locate_ref(line.group(1)) if line else None
            if found:
                number, start, end = found
                starts = layout.header_starts[row_index] if row_index < len(layout.header_starts) else []
                return number, _at(starts, part_index, end - start, line.start(1) + start)
    return None


def _issuer(layout: Layout, casing: Truecaser) -> tuple[str, Span] | None:
    lines, spans = [], []
    left_starts = [starts[0] for starts in layout.header_starts]
    for row_index, row in enumerate(layout.header):
        left = row[0]
        if _NUMBER_LINE.match(left) or dates.find_issue_date([left])[0]:
            break
        if left.isupper() and not _MOTTO.search(left):
            lines.append(left)
            spans.append(_at(left_starts, row_index, len(left)))
    if not lines:
        return None
    span = (spans[0][0], spans[-1][1]) if spans[0] and spans[-1] else None
    return casing.apply(" ".join(lines)), span


def _doc_type(layout: Layout, number: str | None) -> tuple[str, str]:
    """Return the type of document and the rule that told it."""
    if layout.heading:
        following = layout.title_lines[0].upper() if layout.title_lines else ""
        if layout.heading == "THÔNG BÁO" and "KẾT LUẬN" in following:
            return TYPE_CONCLUSION, "heading.conclusion"
        return layout.heading.capitalize(), "heading.type"
    title = (layout.title_lines[0] if layout.title_lines else "").lower()
    if title.startswith(("thông báo kết luận", "kết luận của thường trực")):
        return TYPE_CONCLUSION, "title.type"
    if number and ref_kind(number) in _KIND_NAMES:
        return _KIND_NAMES[ref_kind(number)], "number.kind"
    return TYPE_NEWS, "default.news"


def _number_and_type(meta: Metadata, layout: Layout) -> None:
    number = _header_number(layout)
    meta.number, number_span = number or (None, None)
    meta.type, rule = _doc_type(layout, meta.number)
    if meta.number:
        meta.provenance.append(record("number", meta.number, number_span, "header.number"))
    meta.provenance.append(record("type", meta.type, _type_span(layout, rule, number_span), rule))


def _type_span(layout: Layout, rule: str, number_span: Span) -> Span:
    """Where the type was read: the heading (with the title line that says KẾT LUẬN), title, or number."""
    if rule == "heading.type":
        return layout.heading_span
    if rule == "number.kind":
        return number_span
    first_title = _at(layout.title_starts, 0, len(layout.title_lines[0])) if layout.title_lines else None
    if rule == "heading.conclusion":
        return layout.heading_span and first_title and (layout.heading_span[0], first_title[1])
    return first_title if rule == "title.type" else None


def _title(layout: Layout, casing: Truecaser) -> Stitched:
    return Stitched.join(" ", [casing.apply(line) for line in layout.title_lines], layout.title_starts)


def _first_sentence(paragraph: str) -> str:
    return _SENTENCE_END.split(paragraph, maxsplit=1)[0]


def _issue_date(meta: Metadata, layout: Layout) -> tuple[str | None, dict | None]:
    """Read the issue date (header or news dateline) and the place; return the date and its record."""
    if layout.dateline:
        date = dates.find_dateline(layout.dateline)
        return date, date and record("date", date, _at([layout.dateline_start], 0, len(layout.dateline)),
                                     "dateline.date")
    parts, starts = _header_parts(layout)
    found = dates.locate_issue_date(parts)
    if not found:
        return None, None
    joined = Stitched().add(parts[found.index], starts[found.index])
    if found.following is not None:
        joined.add(" ").add(parts[found.following], starts[found.following])
    if found.place:
        meta.place = found.place
        place_span = joined.span(found.place_start, found.place_start + len(found.place))
        meta.provenance.append(record("place", found.place, place_span, "header.place"))
    if not found.date:
        return None, None
    made = record("date", found.date, joined.span(found.start, found.end), "header.date")
    return found.date, mark_doubtful(made, "date_ocr") if found.repaired else made


def _dates(meta: Metadata, layout: Layout) -> None:
    issue_date, issue_record = _issue_date(meta, layout)
    meeting = dates.locate_meeting_date(layout.paragraphs[0], issue_date) if layout.paragraphs else None
    meeting_span = meeting and _at(layout.paragraph_starts, 0, meeting.end - meeting.start, meeting.start)
    if meeting:
        meta.meeting_date = meeting.date
        rule = "lead.meeting_date" if meeting.year_written else "lead.meeting_day"
        meta.provenance.append(record("meeting_date", meeting.date, meeting_span, rule))
    meta.date = issue_date or meta.meeting_date
    if issue_date:
        meta.provenance.append(issue_record)
    elif meeting:
        meta.provenance.append(record("date", meeting.date, meeting_span, "date.meeting"))


def _person(meta: Metadata, field: str, name: str, span: Span, rule: str, vocab: Vocabulary) -> None:
    value = vocab.canonical_person(name)
    setattr(meta, field, value)
    entry, unmarked = vocab.person_entry(name)
    made = record(field, value, span, rule, entry=f"vocab.people:{entry}" if entry else None)
    meta.provenance.append(mark_doubtful(made, "name_unmarked") if unmarked else made)


def _people(meta: Metadata, layout: Layout, casing: Truecaser, vocab: Vocabulary) -> None:
    chair = people.locate_chair(layout.paragraphs)
    if chair:
        lead = layout.paragraph_starts
        _person(meta, "chair", chair.name, _at(lead, chair.index, len(chair.name), chair.name_start), "lead.chair", vocab)
        if chair.title:
            meta.chair_title = chair.title
            span = _at(lead, chair.index, len(chair.title), chair.title_start)
            meta.provenance.append(record("chair_title", chair.title, span, "lead.chair_title"))
    signer = people.locate_signer(layout.signature, casing)
    if signer:
        block, line = layout.signature_starts, layout.signature[signer.name_index]
        _person(meta, "signer", signer.name, _at(block, signer.name_index, len(line)), "signature.signer", vocab)
        if signer.title:
            meta.signer_title = signer.title
            span = _at(block, signer.title_index, len(layout.signature[signer.title_index]))
            meta.provenance.append(record("signer_title", signer.title, span, "signature.signer_title"))
    author = people.locate_author(layout.paragraphs) if meta.type == TYPE_NEWS else None
    if author:
        name, index = author
        _person(meta, "author", name, _at(layout.paragraph_starts, index, len(name)), "byline.author", vocab)


def _units(meta: Metadata, layout: Layout, title: Stitched, vocab: Vocabulary) -> None:
    """Units the session was with (title, lead sentence) or the notice is addressed to (closing)."""
    joined = Stitched().extend(title)
    if layout.paragraphs:
        starts = layout.paragraph_starts
        joined.add("\n").add(_first_sentence(layout.paragraphs[0]), starts[0] if starts else None)
        if layout.signature or layout.recipients:
            joined.add("\n").add(layout.paragraphs[-1], starts[-1] if starts else None)
    for mention in vocab.locate_units(joined.text):
        meta.units.append(mention.name)
        rule = f"vocab.units:{mention.name}" if mention.entry else "units.district"
        meta.provenance.append(record("units", mention.name, joined.span(mention.start, mention.end), rule,
                                      alias=None if mention.written == mention.name else mention.written))


def _topics_and_references(meta: Metadata, title: Stitched, body: Stitched, vocab: Vocabulary) -> None:
    for hit in vocab.locate_topics(meta.title or "", body.text):
        source = title if hit.in_title else body
        found = phrase_span(source.text, hit.phrase)
        meta.topics.append(hit.name)
        meta.provenance.append(record("topics", hit.name, found and source.span(*found), f"vocab.topics:{hit.name}",
                                      keyword=hit.phrase))
    for number, start, end in locate_references(body.text):
        if number != meta.number:
            meta.references.append(number)
            meta.provenance.append(record("references", number, body.span(start, end), "body.reference"))


def missing_fields(meta: Metadata) -> list[str]:
    """Return the fields a notice of this type should have and this one lacks."""
    return [field for field in _EXPECTED.get(meta.type, _EXPECTED[None]) if not getattr(meta, field)]


def _warnings(meta: Metadata) -> list[str]:
    return [f"{field}: không tìm thấy {FIELD_LABELS[field]}" for field in missing_fields(meta)]


def extract_metadata(doc_id: str, text: str, vocab: Vocabulary, layout: Layout | None = None) -> Metadata:
    """Extract every metadata field from a notice's normalized text (split into ``layout`` if given).

    Each value gets a provenance record: its span of ``text`` and the rule that read it.
    """
    layout = layout or split_layout(text)
    body = Stitched.join("\n", layout.paragraphs, layout.paragraph_starts)
    casing = Truecaser(body.text)
    meta = Metadata(id=doc_id)
    _number_and_type(meta, layout)
    title = _title(layout, casing)
    meta.title = title.text.strip() or None
    if meta.title:
        meta.provenance.append(record("title", meta.title, title.whole(), "layout.title"))
    _dates(meta, layout)
    issuer = _issuer(layout, casing)
    if issuer:
        meta.issuer, span = issuer
        meta.provenance.append(record("issuer", meta.issuer, span, "header.issuer"))
    _people(meta, layout, casing, vocab)
    _units(meta, layout, title, vocab)
    _topics_and_references(meta, title, body, vocab)
    meta.warnings = _warnings(meta)
    return meta
