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

import numpy as np

from indexer.normalize import match_key
from indexer.refs import ref_key

MIN_TITLE_WORDS = 4  # shorter titles ("Thông báo", "Tin vắn") are shared by unrelated notices
MIN_SENTENCE_CHARS = 40
MIN_SENTENCES = 3  # a text this short is compared by its metadata only
COMMON_SENTENCE = 20
TEXT_SIMILARITY = 0.7
MAX_TWINS = 10  # a notice lists at most this many others (a larger group is named by its count)
MAX_GROUP = 50  # more notices sharing a key is a pattern of extraction, not a notice filed twice
# After line breaks and runs of spaces became one space: a PDF breaks its lines where a Word file does not.
_SENTENCE_END = re.compile(r"[.!?;…]+(?: |$)")
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


def keys(meta: dict) -> tuple:
    """Return the keys a notice shares with another filed twice: ``(why, ...values)`` each."""
    return tuple(_keys(meta))


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


def fingerprint(text: str) -> np.ndarray:
    """Return the distinct hashes of a text's long sentences, line breaks, spacing and case aside.

    Hashes are Python's string hashes: compare fingerprints made by one process only.
    """
    text = text.replace("\n", " ").replace("\t", " ").strip()
    while "  " in text:  # str.replace beats splitting into words: a text has few runs of spaces
        text = text.replace("  ", " ")
    hashes = {hash(sentence) for sentence in _SENTENCE_END.split(text.lower()) if len(sentence) >= MIN_SENTENCE_CHARS}
    return np.fromiter(hashes, dtype=np.int64, count=len(hashes))


def similar_texts(fingerprints: dict[str, np.ndarray]) -> list[tuple[str, str]]:
    """Return the pairs of notices whose texts share :data:`TEXT_SIMILARITY` of their sentences (Jaccard)."""
    ids = [doc_id for doc_id, hashes in fingerprints.items() if len(hashes) >= MIN_SENTENCES]
    if not ids:
        return []
    sizes = np.array([len(fingerprints[doc_id]) for doc_id in ids])
    values = np.concatenate([fingerprints[doc_id] for doc_id in ids])
    owners = np.repeat(np.arange(len(ids)), sizes)
    # The inverted list, sorted: each run of one hash is the notices sharing that sentence.
    order = np.argsort(values, kind="stable")
    values, owners = values[order], owners[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    holders = np.diff(np.r_[starts, len(values)])
    shared = collections.Counter()
    kept = (holders > 1) & (holders <= COMMON_SENTENCE)
    for start, count in zip(starts[kept].tolist(), holders[kept].tolist(), strict=True):
        members = owners[start:start + count].tolist()
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                shared[(first, second) if first < second else (second, first)] += 1
    return [(ids[first], ids[second]) for (first, second), count in shared.items()
            if count / (sizes[first] + sizes[second] - count) >= TEXT_SIMILARITY]


def find(notices: list[tuple[str, str, tuple]], fingerprints: dict[str, np.ndarray] | None = None
         ) -> dict[str, tuple[Twin, ...]]:
    """Return, by notice id, the other notices it may duplicate (the first reason found for each pair).

    :param notices: ``(id, title, keys(meta))`` of each notice
    :param fingerprints: :func:`fingerprint` of each notice's text, by id
    """
    groups = collections.defaultdict(list)
    titles = {}
    for doc_id, title, shared in notices:
        titles[doc_id] = title
        for key in shared:
            groups[key].append(doc_id)
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
