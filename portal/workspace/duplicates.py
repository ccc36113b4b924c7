"""Two files that look like one notice: the same number and date, the same number and issuer, the
same title and date, or near-identical texts.

Metadata keys are grouped in one pass over the notices. Texts are compared by their sentences: each
text's long sentences (:data:`MIN_SENTENCE_CHARS`, spacing and case aside) are hashed, notices
sharing a sentence become candidates through an inverted list, and a pair whose sentence sets
overlap by :data:`TEXT_SIMILARITY` (Jaccard) or more is a likely duplicate. A sentence found in more
than :data:`COMMON_SENTENCE` notices is boilerplate (a closing formula) and tells nothing.
"""

import collections
import dataclasses
import re

from indexer.normalize import match_key
from indexer.refs import ref_key

MIN_TITLE_WORDS = 4  # shorter titles ("Thông báo", "Tin vắn") are shared by unrelated notices
MIN_SENTENCE_CHARS = 40
MIN_SENTENCES = 3  # a text this short is compared by its metadata only
COMMON_SENTENCE = 20
TEXT_SIMILARITY = 0.7
MAX_TWINS = 10  # a notice lists at most this many others (a larger group is named by its count)
MAX_GROUP = 50  # more notices sharing a key is a pattern of extraction, not a notice filed twice
# Line breaks are left alone: a PDF breaks its lines where a Word file does not.
_SENTENCE_END = re.compile(r"[.!?;…]+(?:\s|$)")
SAME_NUMBER_DATE = "cùng số hiệu và ngày ban hành"
SAME_NUMBER_ISSUER = "cùng số hiệu và cơ quan ban hành"
SAME_TITLE_DATE = "cùng tiêu đề và ngày ban hành"
SAME_TEXT = "nội dung gần như trùng khớp"


@dataclasses.dataclass(frozen=True)
class Twin:
    """Another notice that may be the same one, and why."""

    id: str
    title: str
    why: str


def _keys(meta: dict):
    number = ref_key(meta["number"]) if isinstance(meta.get("number"), str) else ""
    date = meta.get("date") or ""
    if number and date:
        yield SAME_NUMBER_DATE, number, date
    if number and isinstance(meta.get("issuer"), str) and meta["issuer"].strip():
        yield SAME_NUMBER_ISSUER, number, match_key(meta["issuer"])
    title = match_key(meta["title"]) if isinstance(meta.get("title"), str) else ""
    if date and len(title.split()) >= MIN_TITLE_WORDS:
        yield SAME_TITLE_DATE, title, date


def fingerprint(text: str) -> frozenset[int]:
    """Return the hashes of a text's long sentences, spacing and case aside (stable within one process)."""
    sentences = (" ".join(piece.split()) for piece in _SENTENCE_END.split(text.lower()))
    return frozenset(hash(sentence) for sentence in sentences if len(sentence) >= MIN_SENTENCE_CHARS)


def similar_texts(fingerprints: dict[str, frozenset[int]]) -> list[tuple[str, str]]:
    """Return the pairs of notices whose texts share :data:`TEXT_SIMILARITY` of their sentences."""
    holders = collections.defaultdict(list)
    for doc_id, hashes in fingerprints.items():
        if len(hashes) >= MIN_SENTENCES:
            for value in hashes:
                holders[value].append(doc_id)
    shared = collections.Counter()
    for ids in holders.values():
        if 1 < len(ids) <= COMMON_SENTENCE:
            for i, first in enumerate(ids):
                for second in ids[i + 1:]:
                    shared[(first, second)] += 1
    pairs = []
    for (first, second), count in shared.items():
        union = len(fingerprints[first]) + len(fingerprints[second]) - count
        if count / union >= TEXT_SIMILARITY:
            pairs.append((first, second))
    return pairs


def find(metas: list[dict], fingerprints: dict[str, frozenset[int]] | None = None) -> dict[str, tuple[Twin, ...]]:
    """Return, by notice id, the other notices it may duplicate (the first reason found for each pair)."""
    groups = collections.defaultdict(list)
    titles = {}
    for meta in metas:
        titles[meta["id"]] = meta.get("title") or meta["id"]
        for key in _keys(meta):
            groups[key].append(meta["id"])
    why: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for (reason, *_), ids in groups.items():
        if len(ids) > MAX_GROUP:
            continue
        for doc_id in ids:
            for other in ids:
                if other != doc_id:
                    why[doc_id].setdefault(other, reason)
    for first, second in similar_texts(fingerprints or {}):
        why[first].setdefault(second, SAME_TEXT)
        why[second].setdefault(first, SAME_TEXT)
    return {doc_id: tuple(Twin(other, titles.get(other, other), reason)
                          for other, reason in sorted(others.items())[:MAX_TWINS])
            for doc_id, others in why.items()}
