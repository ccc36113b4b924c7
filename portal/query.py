"""Query understanding: what a user typed becomes a structured, engine-neutral query.

Syntax (any string is accepted; what does not parse is read as plain words):
  words            every syllable must appear
  marks            a query with a Vietnamese mark anywhere is typed with marks: every syllable is
                   taken as typed ("kinh tế" is not "kính tế"); a query without any mark matches
                   every accented form of each syllable ("dang vien" finds "đảng viên")
  "a phrase"       the syllables in this order
  -word -"phrase"  must not appear
  a OR b           either (also ``HOẶC``)
  signer:"Lê Tấn Lai" unit:… topic:… year:2014 chair:… type:…   facet filters for power users
  503-TB/TU        a query that is a document number finds that notice first
"""

import dataclasses
import re

from indexer.normalize import fold_accents
from indexer.normalize import has_diacritics
from indexer.normalize import normalize_line
from indexer.refs import ref_key

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
FIELD_PREFIXES = {
    "signer": "signer", "nguoiky": "signer", "ky": "signer",
    "chair": "chair", "chutri": "chair",
    "unit": "unit", "donvi": "unit",
    "topic": "topic", "chude": "topic",
    "year": "year", "nam": "year",
    "type": "type", "loai": "type",
}
_SYLLABLE = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'(-?)(?:([^\W\d_]+):)?(?:"([^"]*)"?|(\S+))')
_OR_WORDS = frozenset({"OR", "HOẶC", "|"})
# What people add to a search that names no subject ("... mới nhất", "... như thế nào"), without
# marks. Required like any word while enough notices hold every word; weightless beyond that.
FILLER_PHRASES = frozenset({
    "moi nhat", "gan day", "hom nay", "hien nay", "nhu the nao", "the nao", "ra sao", "bao nhieu",
    "o dau", "la gi", "khi nao", "tai sao", "vi sao", "tin tuc", "thong tin", "chi tiet", "cap nhat",
    "xin hoi", "cho biet", "cho toi", "toi muon", "tim kiem", "tra cuu", "van ban", "noi dung",
    "tinh hinh", "thong tin ve",
})
_LONGEST_FILLER = max(len(p.split()) for p in FILLER_PHRASES)
_NUMBER = re.compile(
    r"^\d{1,5}(?:[\s/-]+(?:19|20)\d\d)?[\s/-]+[^\W\d_]{1,6}[\s/-]+[^\W\d_]{1,8}(?:-[^\W\d_]{1,8})?$"
)


@dataclasses.dataclass(frozen=True)
class Phrase:
    """Syllables that must appear in this order.

    ``exact`` when the query was typed with marks: each syllable as typed. Otherwise the phrase
    matches any accents and ``syllables`` are folded (``dang vien`` finds ``đảng viên``).
    """

    syllables: tuple[str, ...]
    exact: bool
    typed: str = dataclasses.field(default="", compare=False)  # as the user wrote it, for messages
    filler: bool = dataclasses.field(default=False, compare=False)  # part of a FILLER_PHRASES phrase

    @classmethod
    def from_text(cls, text: str, exact: bool) -> "Phrase | None":
        syllables = tuple(s.lower() for s in _SYLLABLE.findall(text))
        if not syllables:
            return None
        return cls(syllables if exact else tuple(fold_accents(s) for s in syllables), exact, text)

    @property
    def text(self) -> str:
        return " ".join(self.syllables)


@dataclasses.dataclass
class ParsedQuery:
    """A search string, understood: required groups (alternatives), exclusions, filters."""

    text: str = ""
    required: list[tuple[Phrase, ...]] = dataclasses.field(default_factory=list)
    excluded: list[Phrase] = dataclasses.field(default_factory=list)
    filters: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    plain: str = ""
    number_key: str | None = None
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.filters and not self.number_key

    def phrases(self) -> list[Phrase]:
        """Every phrase the query looks for (for highlighting)."""
        return [phrase for group in self.required for phrase in group]


def phrase_pattern(phrases: list[tuple[str, ...]]) -> re.Pattern:
    """A regex finding any of the syllable sequences as whole syllables, across any separators."""
    alternatives = sorted((r"[\W_]+".join(map(re.escape, p)) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _read_items(text: str):
    """Yield ``(negated, field, value, quoted)`` for each item of the query string."""
    for match in _TOKEN.finditer(text):
        negated, field, quoted, bare = match.groups()
        value = quoted if quoted is not None else bare
        field_key = fold_accents(field).lower() if field else None
        if field and field_key not in FIELD_PREFIXES:
            # "đảng:viên" is no field: read the whole item as words.
            value, field_key = f"{field}:{value}", None
        yield bool(negated), field_key, value, quoted is not None


def word_items(text: str) -> list[tuple[int, int, bool]]:
    """Return ``(start, end, negated)`` of each item of a normalized query that holds words (no filter, no OR)."""
    return [(match.start(), match.end(), negated)
            for match, (negated, field, value, quoted) in zip(_TOKEN.finditer(text), _read_items(text))
            if not field and (quoted or value not in _OR_WORDS)]


def parse_query(raw: str) -> ParsedQuery:
    """Understand a search string; never raises, whatever it holds."""
    text = normalize_line(raw or "")
    query = ParsedQuery()
    if len(text) > MAX_QUERY_CHARS:
        text, query.truncated = text[:MAX_QUERY_CHARS], True
    query.text = text
    if _NUMBER.match(text):
        query.number_key = ref_key(text)
    items = list(_read_items(text))
    # One mark anywhere in the words (not in field filters) says the user types with marks.
    marked = any(has_diacritics(value) for _, field, value, _ in items if not field)
    join_next = False
    plain = []
    for negated, field, value, quoted in items:
        if not quoted and not field and value in _OR_WORDS:
            join_next = bool(query.required)
            continue
        if field:
            if value.strip():
                query.filters.setdefault(FIELD_PREFIXES[field], []).append(value.strip())
            continue
        # A quoted phrase, or a token such as "503-TB/TU", keeps its syllables together.
        phrase = Phrase.from_text(value, marked)
        if phrase is None:
            continue
        if negated:
            query.excluded.append(phrase)
        elif join_next:
            query.required[-1] += (phrase,)
        else:
            query.required.append((phrase,))
        if not negated:
            plain.append(value)
        join_next = False
    if len(query.required) > MAX_TERMS:
        query.required, query.truncated = query.required[:MAX_TERMS], True
    query.plain = " ".join(plain)
    query.required = _mark_fillers(query.required)
    return query


def _mark_fillers(required: list[tuple[Phrase, ...]]) -> list[tuple[Phrase, ...]]:
    """Mark the plain words that together spell a filler phrase ("mới nhất", "như thế nào")."""
    words = [group[0].syllables[0] if len(group) == 1 and len(group[0].syllables) == 1 else None
             for group in required]
    filler = [False] * len(required)
    start = 0
    while start < len(words):
        for size in range(min(_LONGEST_FILLER, len(words) - start), 1, -1):
            span = words[start:start + size]
            if None not in span and fold_accents(" ".join(span)) in FILLER_PHRASES:
                filler[start:start + size] = [True] * size
                start += size - 1
                break
        start += 1
    return [(dataclasses.replace(group[0], filler=True),) if flag else group for group, flag in zip(required, filler)]
