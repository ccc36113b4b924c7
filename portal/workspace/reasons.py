"""Why one notice needs an archivist, from its stored metadata alone: a field missing, a doubtful
value, a text converted from a legacy font or read by OCR with low confidence (and, from
:mod:`portal.workspace.duplicates`, another notice it may duplicate).
"""

import dataclasses
import hashlib
import json
import re

from indexer import legacy
from indexer.extract import FIELD_LABELS
from indexer.extract import Metadata
from indexer.extract import missing_fields
from indexer.provenance import DOUBTS
from indexer.rawtext import METHOD_OCR
from portal.workspace import duplicates

MISSING, DOUBTFUL, LEGACY, OCR, DUPLICATE = "thieu-truong", "dang-ngo", "phong-cu", "ocr", "co-the-trung"
# Each reason (its code is also its URL value) and its label, in the order the queue lists them.
LABELS = {MISSING: "Thiếu trường", DOUBTFUL: "Giá trị đáng ngờ", LEGACY: "Chuyển từ phông TCVN3/VNI",
          OCR: "Nhận dạng OCR độ tin cậy thấp", DUPLICATE: "Có thể trùng"}
# Below this mean word confidence (0-100) an OCR text goes to the queue (config REVIEW_OCR_CONFIDENCE).
# Clean scans of the seed notices read above 85; the indexer warns below 70 (a page likely rotated
# or damaged). Between the two, a misread letter in a name or a number is frequent enough that an
# archivist should compare the values with the page image.
OCR_CONFIDENCE = 80.0
# Parts of a stored meta that change without its values changing: where the build found the file.
VOLATILE = frozenset({"path", "originals"})
# Doubts about the whole text, not one value: the legacy-font and OCR reasons cover them.
_ORIGIN_DOUBTS = frozenset({"legacy_font", "ocr_low_confidence"})
_LEGACY_ENCODINGS = (legacy.TCVN3, legacy.VNI)
# How reading reports a conversion (indexer/reading.py, docxtext.py, pdftext.py, plaintext.py).
_CONVERTED = re.compile(r"^đã chuyển chữ ở (?:phông|bảng mã) cũ (.+) sang Unicode$")
# How OCR reports a low confidence (indexer/ocr.py): the origin's confidence decides instead.
_OCR_WARNING = "chữ nhận dạng từ ảnh quét có độ tin cậy thấp"
# How extraction reports a missing field (indexer/extract.py): recomputed from the stored fields,
# since a sidecar that fills the field leaves the extraction's warning behind.
_MISSING_WARNINGS = frozenset(f"{field}: không tìm thấy {label}" for field, label in FIELD_LABELS.items())
_METADATA_FIELDS = frozenset(field.name for field in dataclasses.fields(Metadata))
SIDECAR_RULE = "sidecar"  # indexer.provenance: a value an archivist's correction gave (or emptied)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One reason a notice needs an archivist, with what to look at (notes, the notices it may duplicate)."""

    reason: str
    notes: tuple[str, ...] = ()
    related: tuple[duplicates.Twin, ...] = ()


def version(meta: dict) -> str:
    """Return the fingerprint of a notice's stored metadata, leaving out where its file was found."""
    kept = {key: value for key, value in meta.items() if key not in VOLATILE}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _label(field: str) -> str:
    label = FIELD_LABELS.get(field, field)
    return label[:1].upper() + label[1:]


def missing(meta: dict) -> list[str]:
    """Return the fields a notice of its type should have (news articles fewer) and its metadata lacks.

    A field an archivist emptied (a sidecar record without a value) is settled, not missing.
    """
    known = {key: value for key, value in meta.items() if key in _METADATA_FIELDS}
    emptied = {made.get("field") for made in meta.get("provenance") or []
               if isinstance(made, dict) and made.get("rule") == SIDECAR_RULE and made.get("value") is None}
    return [field for field in missing_fields(Metadata(**{**known, "id": meta["id"]})) if field not in emptied]


def _warnings(meta: dict) -> list[str]:
    return [w for w in meta.get("warnings") or [] if isinstance(w, str)]


def doubts(meta: dict) -> list[str]:
    """Return what makes a value doubtful: provenance records marked so, and the warnings of reading."""
    notes = []
    for made in meta.get("provenance") or []:
        if isinstance(made, dict) and made.get("doubtful") and made.get("reason") not in _ORIGIN_DOUBTS:
            reason = made.get("reason")
            notes.append(f"{_label(made.get('field', ''))} «{made.get('value')}»: {DOUBTS.get(reason, reason)}")
    for warning in _warnings(meta):
        if warning in _MISSING_WARNINGS or _CONVERTED.match(warning) or warning.startswith(_OCR_WARNING):
            continue
        notes.append(warning[:1].upper() + warning[1:])
    return notes


def legacy_encodings(meta: dict) -> list[str]:
    """Return the legacy encodings (TCVN3, VNI) the notice's text was converted from."""
    named = set((meta.get("origin") or {}).get("encodings") or [])
    for warning in _warnings(meta):
        converted = _CONVERTED.match(warning)
        if converted:
            named.update(name.strip() for name in converted.group(1).split(","))
    return [name for name in _LEGACY_ENCODINGS if name in named]


def low_ocr_confidence(meta: dict, threshold: float) -> str | None:
    """Return a note when the text was read by OCR with a mean word confidence under ``threshold``."""
    origin = meta.get("origin") or {}
    if origin.get("method") != METHOD_OCR:
        return None
    confidence = origin.get("confidence")
    if confidence is None:
        return "không có chữ nào được nhận dạng chắc chắn"
    if confidence < threshold:
        return f"độ tin cậy {confidence:.0f}/100 (ngưỡng {threshold:.0f})"
    return None


def findings(meta: dict, threshold: float, twins: tuple = ()) -> tuple[Finding, ...]:
    """Return every reason a notice's metadata gives, in :data:`LABELS` order."""
    found = []
    absent = missing(meta)
    if absent:
        found.append(Finding(MISSING, tuple(FIELD_LABELS.get(field, field) for field in absent)))
    doubtful = doubts(meta)
    if doubtful:
        found.append(Finding(DOUBTFUL, tuple(doubtful)))
    encodings = legacy_encodings(meta)
    if encodings:
        found.append(Finding(LEGACY, (f"đã chuyển từ {', '.join(encodings)} sang Unicode",)))
    ocr = low_ocr_confidence(meta, threshold)
    if ocr:
        found.append(Finding(OCR, (ocr,)))
    if twins:
        found.append(Finding(DUPLICATE, related=tuple(twins)))
    return tuple(found)


