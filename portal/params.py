"""Search parameters: read from a URL, normalized, and written back in one canonical form.

The parameters, in their fixed order (SPEC): q, year, signer, unit, topic, chair, type, from, to,
sort, match, page. ``match=tat-ca`` asks for notices holding every word, even when they are few
(by default too few such notices bring in those holding most of the words). Facet parameters repeat for several values (OR within a facet). Empty values and
defaults never appear in a canonical URL.
"""

import dataclasses
import re
from urllib.parse import urlencode

from indexer.dates import make_date
from indexer.normalize import normalize_line
from indexer.schema import UNDATED

ORDER = ("q", "year", "signer", "unit", "topic", "chair", "type", "from", "to", "sort", "match", "page")
ALL_WORDS = "tat-ca"
FACETS = ("year", "signer", "unit", "topic", "chair", "type")
SORTS = ("phu-hop", "moi-nhat", "cu-nhat")
PER_PAGE = 20
MAX_PAGE = 500
MAX_VALUES = 20
MAX_VALUE_CHARS = 200
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VIETNAMESE_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


def parse_date(value: str) -> str | None:
    """Read ``2008-05-16`` or ``16/5/2008`` as an ISO date; None when it is not a real date."""
    value = value.strip()
    iso = _ISO.match(value)
    if iso:
        return make_date(int(iso[1]), int(iso[2]), int(iso[3]))
    local = _VIETNAMESE_DATE.match(value)
    if local:
        return make_date(int(local[3]), int(local[2]), int(local[1]))
    return None


@dataclasses.dataclass(frozen=True)
class SearchParams:
    """One search, normalized: equal searches compare equal and have one URL."""

    q: str = ""
    year: tuple[str, ...] = ()
    signer: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    chair: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    sort: str = ""
    all_words: bool = False
    page: int = 1
    problems: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    @property
    def effective_sort(self) -> str:
        """The sort in force: relevance by default with a query, newest first without."""
        return self.sort or ("phu-hop" if self.q else "moi-nhat")

    def selected(self, facet: str) -> tuple[str, ...]:
        return getattr(self, facet)

    def items(self) -> list[tuple[str, str]]:
        """Return the canonical ``(name, value)`` pairs, in the fixed order, without defaults."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for facet in FACETS:
            pairs.extend((facet, value) for value in self.selected(facet))
        if self.date_from:
            pairs.append(("from", self.date_from))
        if self.date_to:
            pairs.append(("to", self.date_to))
        if self.sort and self.sort != ("phu-hop" if self.q else "moi-nhat"):
            pairs.append(("sort", self.sort))
        if self.all_words and self.q:
            pairs.append(("match", ALL_WORDS))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self) -> str:
        """Return the canonical query string (no leading ``?``)."""
        return urlencode(self.items())

    def replace(self, **changes) -> "SearchParams":
        """Return a copy with some fields changed (page goes back to 1 unless given)."""
        changes.setdefault("page", 1)
        return dataclasses.replace(self, **changes)

    def toggled(self, facet: str, value: str) -> "SearchParams":
        """Return the search with ``value`` added to or removed from a facet's selection."""
        current = self.selected(facet)
        values = tuple(v for v in current if v != value) if value in current else tuple(sorted({*current, value}))
        return self.replace(**{facet: values})


def _facet_values(facet: str, values: list[str], problems: list[str]) -> tuple[str, ...]:
    cleaned = {normalize_line(v)[:MAX_VALUE_CHARS] for v in values if v and v.strip()}
    if facet == "year":
        bad = {v for v in cleaned if not (_YEAR.match(v) or v == UNDATED)}
        if bad:
            problems.append(f"Bỏ qua năm không hợp lệ: {', '.join(sorted(bad))}")
        cleaned -= bad
    if len(cleaned) > MAX_VALUES:
        problems.append(f"Chỉ dùng {MAX_VALUES} giá trị đầu tiên của bộ lọc {facet}")
    return tuple(sorted(cleaned)[:MAX_VALUES])


def parse_params(args) -> SearchParams:
    """Read search parameters from a request's args (a MultiDict); bad values are dropped and noted."""
    problems: list[str] = []
    facets = {facet: _facet_values(facet, args.getlist(facet), problems) for facet in FACETS}
    dates = {}
    for name in ("from", "to"):
        raw = (args.get(name) or "").strip()
        dates[name] = parse_date(raw) if raw else None
        if raw and not dates[name]:
            problems.append(f"Bỏ qua ngày không hợp lệ: {raw[:40]}")
    sort = (args.get("sort") or "").strip()
    if sort and sort not in SORTS:
        problems.append(f"Bỏ qua cách sắp xếp không biết: {sort[:40]}")
        sort = ""
    raw_page = (args.get("page") or "1").strip()
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 8 else 1
    if page > MAX_PAGE:
        problems.append(f"Chỉ xem được đến trang {MAX_PAGE}; hãy thu hẹp tìm kiếm")
        page = MAX_PAGE
    return SearchParams(
        q=normalize_line(args.get("q") or "")[:500], date_from=dates["from"], date_to=dates["to"],
        sort=sort, all_words=(args.get("match") or "").strip() == ALL_WORDS, page=max(page, 1),
        problems=tuple(problems), **facets,
    )
