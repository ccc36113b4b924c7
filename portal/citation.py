"""How cadres cite a notice in a new document, built from its stored metadata alone.

``Thông báo số 503-TB/TU, ngày 16/5/2008 của Tỉnh ủy Bình Thuận về ý kiến kết luận của Thường trực
Tỉnh ủy tại buổi làm việc với Đảng ủy khối Doanh nghiệp``: type, number, date, issuer, subject. A part
the notice lacks is left out, never guessed: no number, no ``số …``; no issuer, no ``của …``.

A conclusion notice is cited as a *Thông báo*: that is the document type its heading and number
(``-TB/``) name, and its title already says ``Kết luận của Thường trực Tỉnh ủy …``, which reads
whole after ``về``. ``Thông báo kết luận số … về kết luận …`` would say it twice, and cutting
``Kết luận của …`` out of the title would leave ``về tại buổi làm việc …``. A news item (*Tin bài*)
is cited as an article: ``Bài “<title>” của tác giả <author>, ngày 11/7/2018``.
"""

import re

from indexer.normalize import match_key

# Stored type (compared as match keys) -> the document type a citation names.
CITED_TYPES = {"thông báo kết luận": "Thông báo"}
ARTICLE_TYPES = {"tin bài"}
# A notice whose type extraction could not find is still a document; "Văn bản" claims nothing more.
UNKNOWN_TYPE = "Văn bản"
# "V/v", "Về việc", "Về" open many titles; the citation adds its own "về".
_ABOUT = re.compile(r"^(?:v/v\.?|về việc|về)(?:\s*[:\-–]\s*|\s+)", re.IGNORECASE)
# Organs whose names start a title with a capital although their second word is lower case.
_NAMES = ("đảng", "tỉnh ủy", "huyện ủy", "thành ủy", "thị ủy", "ủy ban", "hội đồng", "quốc hội", "chính phủ",
          "trung ương", "nhà nước", "bác hồ")
_COMMON = ("đảng viên",)


def cite(meta: dict) -> str:
    """Return the Vietnamese citation of a notice from its metadata (type, number, date, issuer, title)."""
    kind = _text(meta.get("type"))
    if match_key(kind) in ARTICLE_TYPES:
        return _cite_article(meta)
    head = CITED_TYPES.get(match_key(kind), kind) or UNKNOWN_TYPE
    number, date, issuer = _text(meta.get("number")), vn_date(meta.get("date")), _text(meta.get("issuer"))
    subject = subject_of(_text(meta.get("title")), head)
    parts = [head]
    if number:
        parts.append(f"số {number}" + ("," if date else ""))
    if date:
        parts.append(f"ngày {date}")
    if issuer:
        parts.append(f"của {issuer}")
    if subject:
        parts.append(f"về {subject}")
    return " ".join(parts)


def _cite_article(meta: dict) -> str:
    title, author, date = _text(meta.get("title")).rstrip("."), _text(meta.get("author")), vn_date(meta.get("date"))
    cited = "Bài" + (f" “{title}”" if title else "") + (f" của tác giả {author}" if author else "")
    if date:
        cited += (", " if title or author else " ") + f"ngày {date}"
    return cited


def subject_of(title: str, head: str) -> str:
    """Turn a title into the subject after ``về``: the type it repeats and a leading ``V/v`` dropped.

    >>> subject_of("Thông báo về việc tổ chức Đại hội", "Thông báo")
    'tổ chức Đại hội'
    """
    subject = title.strip().rstrip(".").strip()
    key, repeated = match_key(subject), match_key(head)
    if repeated and key.startswith(repeated) and key[len(repeated):len(repeated) + 1] in ("", " ", ":", "-", "–"):
        subject = subject[len(head):].lstrip(" :-–")
    subject = _ABOUT.sub("", subject, count=1)
    return _lower_first(subject) if subject else ""


def _lower_first(subject: str) -> str:
    """Lower-case the first letter unless the subject starts with a name (``Ban Tổ chức``, ``UBND``)."""
    words = subject.split()
    first = words[0]
    if any(c.isupper() or c.isdigit() for c in first[1:]):
        return subject  # an abbreviation (UBND, HĐND) or a number
    if any(word[:1].isupper() for word in words[1:3]):
        return subject  # "Thường trực Tỉnh ủy", "Nghị quyết Trung ương 4", "Hội Nông dân"
    key = match_key(" ".join(words[:2]))
    if any(key == name or key.startswith(name + " ") for name in _NAMES) and not key.startswith(_COMMON):
        return subject
    return subject[0].lower() + subject[1:]


def vn_date(value) -> str:
    """Write an ISO date as cited, ``2008-05-16`` -> ``16/5/2008``; anything else gives ``""``."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value) if isinstance(value, str) else None
    return f"{int(match[3])}/{int(match[2])}/{match[1]}" if match else ""


def _text(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
