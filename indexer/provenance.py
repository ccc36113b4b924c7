"""Where each extracted value came from: a span of the stored text and the rule that read it.

One record per value (multi-valued fields: one per value), kept in the index as
``meta["provenance"]``::

    {"field": "signer", "value": "Lê Tấn Lai", "start": 2710, "end": 2720, "rule": "signature.signer"}

``start``/``end`` are character offsets into the notice's normalized text, the one stored in the
index ``body`` field (W3C Web Annotation's TextPositionSelector). ``text[start:end]`` holds the
value as written there: the value may differ in case (a title re-cased from capitals), in spacing,
in a document number's separators (``TƯ``/``TW``), or by the vocabulary's canonical name (``alias``
or ``entry`` say which). A derived value (the type from a number's kind, an ISO date from
``ngày 16 tháng 5 năm 2008``) points at what it was derived from, and its rule says so. Rules in
:data:`SPANLESS_RULES` carry no span. A value the extraction doubts has ``"doubtful": True`` and a
``reason`` from :data:`DOUBTS`. A field a correction emptied keeps one spanless record whose value
is None. This module imports nothing else of the project.
"""

import bisect
import itertools
import re

# Rule id -> what an archivist reads beside the value. Ids are stable: stored records use them.
# "vocab.units:<name>", "vocab.topics:<name>" and "vocab.people:<name>" name the vocabulary entry.
RULES = {
    "header.number": "Dòng «Số:» ở phần đầu",
    "header.date": "Dòng «…, ngày … tháng … năm …» ở phần đầu",
    "header.place": "Địa danh trước ngày ban hành ở phần đầu",
    "header.issuer": "Tên cơ quan in hoa ở cột trái phần đầu",
    "heading.type": "Tên loại văn bản ở dòng tên loại (THÔNG BÁO, NGHỊ QUYẾT…)",
    "heading.conclusion": "Tên loại «THÔNG BÁO» và trích yếu «KẾT LUẬN…»: thông báo kết luận",
    "title.type": "Trích yếu mở đầu bằng «Thông báo kết luận…» hay «Kết luận của Thường trực…»",
    "number.kind": "Suy ra từ ký hiệu loại trong số hiệu (TB, KL, NQ…)",
    "default.news": "Không có tên loại, số hiệu không cho biết loại: xếp là tin bài",
    "layout.title": "Các dòng trích yếu sau tên loại (tin bài: dòng đầu)",
    "record.title": "Tiêu đề cho sẵn trong bản ghi nhập hàng loạt",
    "dateline.date": "Dòng «Ngày: dd.mm.yyyy» dưới tiêu đề tin",
    "lead.meeting_date": "Ngày họp ở đoạn mở đầu («Ngày 05/6/2014…», «Sáng 10.7…»)",
    "lead.meeting_day": "Ngày, tháng họp ở đoạn mở đầu; năm theo ngày ban hành",
    "date.meeting": "Không có ngày ban hành: lấy ngày họp ở đoạn mở đầu",
    "lead.chair": "Tên sau «đồng chí» ở các đoạn mở đầu (ưu tiên người chủ trì)",
    "lead.chair_title": "Chức vụ sau tên người chủ trì",
    "signature.signer": "Tên người ký ở khối chữ ký",
    "signature.signer_title": "Chức vụ in hoa ở khối chữ ký",
    "byline.author": "Dòng tên tác giả cuối tin bài",
    "vocab.units": "Tên (hoặc tên khác) của đơn vị trong từ điển đơn vị",
    "units.district": "«Huyện ủy/Thị ủy/Thành ủy» và địa danh viết hoa",
    "vocab.topics": "Từ khóa của chủ đề trong từ điển chủ đề (lần xuất hiện nặng ký nhất)",
    "vocab.people": "Tên (hoặc tên khác) của người trong từ điển người",
    "body.reference": "Số hiệu văn bản được dẫn trong nội dung",
    "sidecar": "Lưu trữ viên đã sửa (tệp .meta.json)",
    "record": "Cho sẵn trong bản ghi nhập hàng loạt",
}
SPANLESS_RULES = frozenset({"default.news", "sidecar", "record"})
# Reason code -> why a value is marked doubtful.
DOUBTS = {
    "date_ocr": "Chữ «ngày/tháng/năm» bị đọc sai dấu (ảnh quét): ngày được đoán lại",
    "name_unmarked": "Tên thiếu dấu, chỉ khớp với người trong từ điển khi bỏ dấu",
    "ocr_low_confidence": "Chữ nhận dạng từ ảnh quét có độ tin cậy thấp",
    "legacy_font": "Chữ chuyển từ phông/bảng mã cũ (TCVN3, VNI): có thể đoán sai chữ",
}
# The legacy encodings whose conversion may misread letters (Windows-1258 is a real code page).
_GUESSED_ENCODINGS = frozenset({"TCVN3", "VNI"})
OCR_LOW_CONFIDENCE = 70.0  # as indexer.ocr warns
_SPACE_RUN = re.compile(r"\s{2,}")


def rule_label(rule: str) -> str:
    """Return the Vietnamese label of a rule id, naming the vocabulary entry of ``vocab.*:<name>``."""
    base, _, entry = rule.partition(":")
    label = RULES.get(base, rule)
    return f"{label}: «{entry}»" if entry else label


def record(field: str, value, span: tuple[int, int] | None, rule: str, **extra) -> dict:
    """Make one provenance record; ``span`` is ``(start, end)`` in the stored text, or None."""
    made = {"field": field, "value": value, "start": span[0], "end": span[1]} if span else {"field": field, "value": value}
    made["rule"] = rule
    for key, more in extra.items():
        if more is not None:
            made[key] = more
    return made


def mark_doubtful(made: dict, reason: str) -> dict:
    """Mark a record doubtful (the first reason given stays); return it."""
    if not made.get("doubtful"):
        made["doubtful"] = True
        made["reason"] = reason
    return made


def origin_doubt(origin) -> str | None:
    """Return why every value read from a text obtained this way is doubtful, or None.

    :param origin: an ``indexer.rawtext.Origin`` (or None)
    """
    if origin is None:
        return None
    if origin.method == "ocr" and origin.confidence is not None and origin.confidence < OCR_LOW_CONFIDENCE:
        return "ocr_low_confidence"
    if _GUESSED_ENCODINGS.intersection(origin.encodings):
        return "legacy_font"
    return None


def mark_origin(records: list[dict], origin) -> None:
    """Mark doubtful every record read from the text, when the way the text was obtained is doubtful."""
    reason = origin_doubt(origin)
    if reason:
        for made in records:
            if "start" in made:
                mark_doubtful(made, reason)


def replace_field(records: list[dict], field: str, values: list, rule: str) -> list[dict]:
    """Return ``records`` with ``field``'s records replaced by spanless ones of ``rule`` (one per value).

    A field emptied keeps one record, with value None: the correction shows, and that the field
    was read from the text no more.
    """
    kept = [made for made in records if made["field"] != field]
    return kept + [record(field, value, None, rule) for value in ([v for v in values if v] or [None])]


class Stitched:
    """A string joined from pieces of the stored text (and separators), mapping offsets back.

    The map is built on the first :meth:`span`: most joined strings are only read.

    >>> joined = Stitched().add("Số 12", 40).add(" ").add("năm 2008", 90)
    >>> joined.text, joined.span(3, 14)
    ('Số 12 năm 2008', (43, 98))
    """

    def __init__(self):
        # Blocks of pieces joined by a separator: (separator, pieces, where each piece begins or None).
        self._blocks: list[tuple[str, list[str], list[int] | None]] = []
        self._text: str | None = None
        self._map: tuple[list[int], list[int], list[int]] | None = None

    def add(self, piece: str, origin: int | None = None) -> "Stitched":
        """Append a piece found at ``origin`` in the stored text (None: a separator)."""
        self._blocks.append(("", [piece], None if origin is None else [origin]))
        self._text = self._map = None
        return self

    def extend(self, other: "Stitched") -> "Stitched":
        """Append another joined string, its pieces still mapped."""
        self._blocks.extend(other._blocks)
        self._text = self._map = None
        return self

    @classmethod
    def join(cls, separator: str, pieces: list[str], origins: list[int]) -> "Stitched":
        """Join pieces with a separator, like ``separator.join(pieces)`` (unmapped without an origin each)."""
        joined = cls()
        joined._blocks.append((separator, pieces, origins if len(origins) == len(pieces) else None))
        return joined

    @property
    def text(self) -> str:
        """The joined string."""
        if self._text is None:
            if len(self._blocks) == 1:
                self._text = self._blocks[0][0].join(self._blocks[0][1])
            else:
                self._text = "".join([separator.join(pieces) for separator, pieces, _ in self._blocks])
        return self._text

    def _pieces(self) -> tuple[list[int], list[int], list[int]]:
        """Where each mapped piece begins in the joined string, where in the stored text, its length."""
        if self._map is None:
            built, origins, lengths = [], [], []
            position = 0
            for separator, pieces, starts in self._blocks:
                if not pieces:
                    continue
                sizes = list(map(len, pieces))
                begins = list(itertools.accumulate(map(len(separator).__add__, sizes[:-1]), initial=position))
                if starts is not None:
                    built.extend(begins)
                    origins.extend(starts)
                    lengths.extend(sizes)
                position = begins[-1] + sizes[-1]
            self._map = built, origins, lengths
        return self._map

    def whole(self) -> tuple[int, int] | None:
        """Map the whole joined string: from its first mapped piece to the end of its last."""
        mapped = [(pieces, starts) for _, pieces, starts in self._blocks if starts and pieces]
        if not mapped:
            return None
        return mapped[0][1][0], mapped[-1][1][-1] + len(mapped[-1][0][-1])

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Map ``[start, end)`` of the joined string to the stored text; None if it covers no piece."""
        built, origins, lengths = self._pieces()
        if not built or end <= start:
            return None
        first = max(bisect.bisect_right(built, start) - 1, 0)
        if start >= built[first] + lengths[first]:  # on a separator: from the next piece
            first += 1
        last = bisect.bisect_left(built, end) - 1  # the piece holding end - 1 (or before it)
        if first >= len(built) or last < first:
            return None
        begin = origins[first] + max(start - built[first], 0)
        finish = origins[last] + min(end - built[last], lengths[last])
        return begin, finish


def collapsed_offsets(text: str):
    """Return a function mapping offsets of ``" ".join(text.split())`` back to ``text``.

    Only runs of two or more whitespace characters (and the ends) change length when collapsed.
    """
    lead = len(text) - len(text.lstrip())
    afters, shifts, shift = [], [], lead
    collapsed = 0  # where the current run starts in the collapsed string
    previous = lead
    for run in _SPACE_RUN.finditer(text, lead, len(text.rstrip())):
        collapsed += run.start() - previous + 1
        shift += len(run.group(0)) - 1
        afters.append(collapsed)
        shifts.append(shift)
        previous = run.end()

    def back(offset: int) -> int:
        index = bisect.bisect_right(afters, offset) - 1
        return offset + (shifts[index] if index >= 0 else lead)

    return back
