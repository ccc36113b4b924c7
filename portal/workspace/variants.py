"""Name variants: facet values that name one person or unit several ways, found, merged and unmerged.

:func:`find_groups` suggests groups from the facet values and their notice counts: the same name
once marks are set aside, an abbreviation written out (a table in ``abbreviations.toml``), an alias
the vocabulary already has, a small edit distance, a shortened form that fits one group only. It
only suggests: an archivist picks the canonical name and which variants go with it. :func:`merge`
then writes the variants into the vocabulary as the canonical entry's ``aliases``, logs the file as
it was, and asks for the index update that re-classifies every notice; :func:`undo` puts the file back.
"""

import collections
import dataclasses
import functools
import os
import re
import tomllib

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from indexer.normalize import fold_accents
from indexer.normalize import has_diacritics
from indexer.normalize import match_key
from indexer.normalize import normalize_line

ABBREVIATIONS = os.path.join(os.path.dirname(__file__), "abbreviations.toml")
# Strongest first: a member's reasons are shown in this order.
REASONS = {
    "alias": "đã là tên khác trong từ điển",
    "folded": "giống nhau khi bỏ dấu, dấu câu, dấu cách",
    "abbreviation": "viết tắt",
    "distance": "gần giống (khác vài chữ cái)",
    "shortened": "tên viết gọn",
}
# Reasons that only suggest: a member joined by these alone is not ticked for the merge by default.
WEAK_REASONS = frozenset({"distance", "shortened"})
# A word this long one letter off is taken for a typo ("Phươn"); shorter ones are other names.
MIN_TYPO_WORD = 5
DISTANCE_CHUNK = 512
_WORDS = re.compile(r"[^\W_]+")


@dataclasses.dataclass(frozen=True)
class Kind:
    """A family of facet values that one vocabulary file names: people, or units."""

    slug: str
    label: str
    facets: tuple[str, ...]
    file: str
    table: str
    entries_attr: str
    canonical_method: str
    abbreviated: bool
    counted: str  # what a group's summed count counts, in Vietnamese

    def entries(self, vocab) -> dict[str, tuple[str, ...]]:
        """Return the vocabulary's entries of this kind: canonical name -> aliases."""
        return getattr(vocab, self.entries_attr)

    def canonical(self, vocab, name: str) -> str | None:
        """Return the facet value the index gives ``name`` with this vocabulary."""
        return getattr(vocab, self.canonical_method)(name)


KINDS = {
    "nguoi": Kind("nguoi", "Người ký, người chủ trì", ("signer", "chair"), "people.toml", "person",
                  "people", "canonical_person", False, "lượt ký hoặc chủ trì"),
    "don-vi": Kind("don-vi", "Đơn vị", ("unit",), "units.toml", "unit", "units", "canonical_unit", True, "văn bản"),
}
FACET_LABELS = {"signer": "Người ký", "chair": "Người chủ trì", "unit": "Đơn vị"}


@dataclasses.dataclass(frozen=True)
class Member:
    """One name in a group: its facet counts (``count`` summed, ``by_facet`` each), whether the
    vocabulary has it as an entry, and why it is in the group."""

    name: str
    count: int
    by_facet: tuple[tuple[str, int], ...]
    entry: bool
    reasons: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Group:
    """Names that may be one; ``suggested`` is the canonical name offered first."""

    members: tuple[Member, ...]
    suggested: str
    count: int


@functools.lru_cache(maxsize=4)
def load_abbreviations(path: str = ABBREVIATIONS) -> dict[str, str]:
    """Return the abbreviation table: lower-case abbreviation -> its words, as matching sees them."""
    with open(path, "rb") as f:
        table = tomllib.load(f).get("abbreviations", {})
    return {match_key(short): match_key(full) for short, full in table.items()}


def expand(name: str, abbreviations: dict[str, str]) -> str:
    """Return ``name``'s words as matching sees them, abbreviations written with a capital spelled out.

    >>> expand("ĐU Khối DN", {"đu": "đảng ủy", "dn": "doanh nghiệp"})
    'đảng ủy khối doanh nghiệp'
    """
    words = []
    for word in _WORDS.findall(normalize_line(name)):
        key = word.lower()
        words.append(abbreviations[key] if key in abbreviations and key != word else key)
    return " ".join(words)


@dataclasses.dataclass
class _Node:
    name: str
    count: int = 0
    by_facet: dict = dataclasses.field(default_factory=dict)
    entry: bool = False  # a vocabulary entry's canonical name
    owner: str | None = None  # for a vocabulary alias: its entry
    reasons: set = dataclasses.field(default_factory=set)


class _Links:
    """Union-find over nodes, remembering why each node was joined."""

    def __init__(self, nodes: list[_Node]):
        self.nodes = nodes
        self.parent = list(range(len(nodes)))

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int, reason: str) -> None:
        if self.root(a) == self.root(b):
            return
        self.parent[self.root(a)] = self.root(b)
        self.nodes[a].reasons.add(reason)
        self.nodes[b].reasons.add(reason)

    def join_equal(self, keys: list[str], reason: str) -> None:
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            self.join(i, first.setdefault(key, i), reason)


def _nodes(values: dict[str, dict[str, int]], entries: dict[str, tuple[str, ...]]) -> list[_Node]:
    """The facet values and the vocabulary's names, one node per name as matching sees it."""
    nodes: dict[str, _Node] = {}
    for name, aliases in entries.items():
        nodes.setdefault(match_key(name), _Node(name, entry=True))
        for alias in aliases:
            nodes.setdefault(match_key(alias), _Node(alias, owner=name))
    for name, counts in values.items():
        node = nodes.setdefault(match_key(name), _Node(name))
        node.name = name if not node.entry else node.name
        node.count += counts.get("", 0)
        for facet, count in counts.items():
            if facet:
                node.by_facet[facet] = node.by_facet.get(facet, 0) + count
    return list(nodes.values())


def _one_slip(a: str, b: str) -> bool:
    """Tell whether two names one edit apart differ inside one long word (a typo, not another word)."""
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return False  # a space added or lost: the spaceless folded key already joins those
    differing = [(x, y) for x, y in zip(words_a, words_b) if x != y]
    return len(differing) == 1 and max(map(len, differing[0])) >= MIN_TYPO_WORD


def _join_close(links: _Links, keys: list[str]) -> None:
    """Join names one letter apart inside a long word (marks and abbreviations set aside).

    Short words are left alone: "Lai" and "Tài", "Minh" and "Linh" are other names, not typos.
    Names are compared only with names of their length or one more: one edit changes no more.
    Optimal string alignment counts a swap of two letters as one edit (as Damerau-Levenshtein,
    the same within one edit) and is many times faster in rapidfuzz.
    """
    holders = collections.defaultdict(list)
    for i, key in enumerate(keys):
        holders[key].append(i)
    by_length = collections.defaultdict(list)
    for key in holders:
        by_length[len(key)].append(key)
    used = {key for key, nodes in holders.items() if any(links.nodes[i].count for i in nodes)}
    for length, rows in by_length.items():
        columns = rows + by_length.get(length + 1, [])
        for start in range(0, len(rows), DISTANCE_CHUNK):
            chunk = rows[start:start + DISTANCE_CHUNK]
            found = cdist(chunk, columns, scorer=OSA.distance, score_cutoff=1, dtype=np.int8)
            for r, c in zip(*np.nonzero(found == 1)):
                a, b = chunk[r], columns[c]
                if (a in used or b in used) and _one_slip(a, b):
                    links.join(holders[a][0], holders[b][0], "distance")


def _join_shortened(links: _Links, keys: list[str]) -> None:
    """Join a name whose words begin the names of exactly one other group ("Thành ủy TP" / "... TP HCM")."""
    starts = collections.defaultdict(list)
    for i, key in enumerate(keys):
        words = key.split()
        for size in range(2, len(words)):
            starts[tuple(words[:size])].append(i)
    used = {links.root(i) for i, node in enumerate(links.nodes) if node.count}
    for i, key in enumerate(keys):
        longer = [j for j in starts.get(tuple(key.split()), []) if links.root(j) != links.root(i)]
        roots = {links.root(j) for j in longer}
        if len(roots) == 1 and (links.nodes[i].count or roots & used):
            links.join(i, max(longer, key=lambda j: (links.nodes[j].count, -j)), "shortened")


def _suggest(members: list[_Node], abbreviations: dict[str, str]) -> str:
    """The vocabulary's entry if the group has one; else the fullest, marked, most used spelling."""
    def rank(node: _Node):
        written_out = expand(node.name, abbreviations) == match_key(" ".join(_WORDS.findall(node.name)))
        marks = sum(a != b for a, b in zip(node.name, fold_accents(node.name)))
        return (node.entry, written_out, has_diacritics(node.name), node.count, marks, len(node.name), node.name)

    return max(members, key=rank).name


def find_groups(values: dict[str, dict[str, int]], entries: dict[str, tuple[str, ...]],
                abbreviations: dict[str, str] | None = None) -> list[Group]:
    """Return likely variant groups, most notices first.

    :param values: facet value -> counts: ``""`` summed, and per facet (``{"": 3, "signer": 2, ...}``)
    :param entries: the vocabulary's entries of the same kind, canonical name -> aliases
    :param abbreviations: lower-case abbreviation -> words (none for people)
    """
    abbreviations = abbreviations or {}
    nodes = _nodes(values, entries)
    links = _Links(nodes)
    index = {match_key(n.name): i for i, n in enumerate(nodes)}
    for i, node in enumerate(nodes):
        if node.owner is not None:
            links.join(i, index[match_key(node.owner)], "alias")
    for node in nodes:
        if node.entry:
            node.reasons.discard("alias")  # an entry is not its own alias
    links.join_equal([fold_accents("".join(_WORDS.findall(match_key(n.name)))) for n in nodes], "folded")
    expanded = [fold_accents(expand(n.name, abbreviations)) for n in nodes]
    links.join_equal(expanded, "abbreviation")
    _join_close(links, expanded)
    _join_shortened(links, expanded)
    groups = collections.defaultdict(list)
    for i, node in enumerate(nodes):
        groups[links.root(i)].append(node)
    found = [_group(members, abbreviations) for members in groups.values()]
    return sorted((g for g in found if g), key=lambda g: (-g.count, g.suggested))


def _group(nodes: list[_Node], abbreviations: dict[str, str]) -> Group | None:
    """A group worth showing: notices under a name other than the one suggested."""
    shown = [n for n in nodes if n.count or n.entry]
    suggested = _suggest(shown, abbreviations) if len(shown) > 1 else None
    if not suggested or not any(n.count and n.name != suggested for n in shown):
        return None
    members = tuple(
        Member(n.name, n.count, tuple(sorted(n.by_facet.items())), n.entry,
               tuple(r for r in REASONS if r in n.reasons))
        for n in sorted(shown, key=lambda n: (n.name != suggested, -n.count, n.name)))
    return Group(members, suggested, sum(n.count for n in shown))


def facet_counts(facets: dict[str, list[dict]], kind: Kind) -> dict[str, dict[str, int]]:
    """Count each value of ``kind``'s facets (a search's ``facets``): ``""`` summed, and per facet.

    A person who both chairs and signs one notice counts in each facet, so twice in the sum.
    """
    counts: dict[str, dict[str, int]] = {}
    for facet in kind.facets:
        for item in facets.get(facet, []):
            per = counts.setdefault(item["value"], {"": 0})
            per[facet] = item["count"]
            per[""] += item["count"]
    return counts
