"""Document numbers (số hiệu): find them in text, write them one way, compare them as keys."""

import re

# 503-TB/TU, 05-CT/TƯ, 87/2007-NĐ-CP, 12/2019/QĐ-UBND, 10/CT-TTg
_NUMBER = (
    r"(?<![\w/.-])(\d{1,5})(?:/((?:19|20)\d\d))?\s?([-/])\s?([A-ZĐ]{1,6}(?:[a-z]{1,3})?)\s?([-/])\s?"
    r"([A-ZĐƯ][A-ZĐƯa-z]{0,7}(?:-[A-ZĐƯ][A-ZĐƯa-z]{0,7})?)(?![\w])"
)
REFERENCE = re.compile(_NUMBER)
_KEY_PARTS = re.compile(r"[^\W_]+")


def _canonical_parts(number: str, year: str | None, sep1: str, kind: str, sep2: str, issuer: str) -> str:
    issuer = issuer.replace("TƯ", "TW")
    if year:
        return f"{number}/{year}/{kind}-{issuer}"
    if sep1 == "/" and sep2 == "-":
        return f"{number}/{kind}-{issuer}"
    return f"{number}-{kind}/{issuer}"


def canonical_ref(text: str) -> str | None:
    """Write a document number the one way the index uses (``TƯ``->``TW``, ``/2007-NĐ-CP``->``/2007/NĐ-CP``).

    >>> canonical_ref("87/2007-NĐ-CP"), canonical_ref("05-CT/TƯ"), canonical_ref("hello")
    ('87/2007/NĐ-CP', '05-CT/TW', None)
    """
    match = REFERENCE.search(text.strip())
    if not match:
        return None
    return _canonical_parts(*match.groups())


def ref_key(text: str) -> str:
    """Return the separator-blind key of a number: ``503-TB/TU``, ``503/TB-TU``, ``503 TB TU`` agree.

    >>> ref_key("503-TB/TU") == ref_key("503 tb tu") == ref_key("0503/TB-TU")
    True
    """
    parts = _KEY_PARTS.findall(text.upper().replace("TƯ", "TW"))
    return " ".join(str(int(p)) if p.isdigit() else p for p in parts).lower()


def locate_ref(text: str) -> tuple[str, int, int] | None:
    """Return the first document number in ``text``, canonical, with where it is written."""
    match = REFERENCE.search(text)
    return (_canonical_parts(*match.groups()), match.start(), match.end()) if match else None


def locate_references(text: str) -> list[tuple[str, int, int]]:
    """Return the canonical numbers cited in ``text`` with the span of their first citation, in order."""
    seen: dict[str, tuple[str, int, int]] = {}
    for match in REFERENCE.finditer(text):
        number = _canonical_parts(*match.groups())
        if number not in seen:
            seen[number] = (number, match.start(), match.end())
    return list(seen.values())


def find_references(text: str) -> list[str]:
    """Return the canonical numbers cited in ``text``, in order of first citation."""
    return [number for number, _, _ in locate_references(text)]


def ref_kind(text: str) -> str | None:
    """Return the kind code of a document number (``TB`` in ``503-TB/TU``, ``NĐ`` in ``87/2007/NĐ-CP``)."""
    match = REFERENCE.search(text)
    return match.group(4) if match else None
