"""Evaluate a parsed query over a generation's arrays: which documents match, and how well.

Matching is exact set algebra on masks over syllable postings; phrases are checked on the
positions Whoosh keeps, decoded only for documents that hold every syllable. Scoring is BM25
summed over the title and body fields, the title weighing more, plus boosts for the query's pyvi
words, for titles holding the words together, and for notices whose own number (or a cited
number) the query is.
"""

import dataclasses
import functools
import math
import re
import time

import numpy as np

from indexer.normalize import fold_accents
from indexer.postarrays import sorted_unique
from indexer.schema import SYLLABLE_FIELDS
from indexer.segment import word_spans
from portal.arrays import DocArrays
from portal.arrays import intersect_sorted
from portal.query import ParsedQuery
from portal.query import Phrase
from portal.query import phrase_pattern

K1 = 1.2
B = 0.75
FIELD_WEIGHTS = {"title": 3.0, "body": 1.0, "title_words": 6.0, "body_words": 2.0}
TITLE_TOGETHER_BONUS = 5.0
RERANK_CANDIDATES = 100
NUMBER_BONUS = 1000.0
CITES_BONUS = 50.0
# When too few notices hold every word, the share of the words' weight a notice holds ranks it
# first, BM25 within equal shares: a notice missing a rare word comes after all that hold it.
COVERAGE_WEIGHT = 500.0
# "Most of the words": more than half their weight, or the best any notice reaches when none does.
MOST_OF = 0.5 + 1e-4


@dataclasses.dataclass
class Evaluation:
    """The documents a query's text matches (None: it asks for no text) and their scores.

    ``loose`` holds each plain word of the query and the documents holding it; ``relaxed`` the
    documents holding the strict parts (phrases, exclusions) and at least one of those words.
    """

    matched: np.ndarray | None
    scores: np.ndarray | None
    late: bool = False
    loose: list[tuple[Phrase, np.ndarray]] = dataclasses.field(default_factory=list)
    relaxed: np.ndarray | None = None
    filler_scores: np.ndarray | None = None  # the part of ``scores`` that filler words brought

    def every_word(self) -> "Evaluation":
        """The evaluation where filler words are required too (the user asked for every word)."""
        matched = self.matched
        for phrase, mask in self.loose:
            if phrase.filler and matched is not None:
                matched = matched & mask
        return dataclasses.replace(self, matched=matched, relaxed=None)

    def holding_every_word(self, docs: np.ndarray) -> int:
        """Count the documents among ``docs`` that hold every plain word, fillers included."""
        held = np.ones(len(docs), dtype=bool)
        for _, mask in self.loose:
            held &= mask[docs]
        return int(np.count_nonzero(held))

    def most_words(self, arrays: DocArrays) -> "Evaluation":
        """The evaluation where notices holding most of the words match (rare words weigh more)."""
        # Squared: a notice missing one rare word of its title ranks below one holding them all.
        only_fillers = all(phrase.filler for phrase, _ in self.loose)
        weights = [(math.log(1 + arrays.doc_count / held) ** 2, mask) for phrase, mask in self.loose
                   if (only_fillers or not phrase.filler) and (held := int(np.count_nonzero(mask & arrays.live)))]
        total = sum(weight for weight, _ in weights) or 1.0
        coverage = np.zeros(arrays.size, dtype=np.float32)
        for weight, mask in weights:
            coverage[mask] += weight / total
        candidates = self.relaxed & arrays.live
        best = float(coverage[candidates].max()) if candidates.any() else 0.0
        matched = self.relaxed & (coverage >= min(MOST_OF, best - 1e-6))
        scores = self.scores - self.filler_scores + COVERAGE_WEIGHT * coverage
        return dataclasses.replace(self, matched=matched, scores=scores, relaxed=None)


def _forms(arrays: DocArrays, phrase: Phrase) -> list[tuple[str, ...]]:
    """The indexed syllables each of the phrase's syllables stands for (any accents unless exact)."""
    if phrase.exact:
        return [(syllable,) for syllable in phrase.syllables]
    return [arrays.forms.get(syllable, ()) for syllable in phrase.syllables]


def bm25(arrays: DocArrays, field: str, terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Return the documents holding any of ``terms`` in ``field`` and their weighted BM25 scores.

    Several terms count as one (their frequencies summed): a syllable typed without diacritics.
    """
    docs, frequencies = arrays.postings_any(field, terms)
    if not len(docs):
        return docs, frequencies
    n = max(arrays.doc_count, 1)
    idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
    norm = K1 * (1 - B + B * arrays.lengths[field][docs] / arrays.average_length[field])
    return docs, FIELD_WEIGHTS[field] * idf * frequencies * (K1 + 1) / (frequencies + norm)


class _Matcher:
    """Finds the documents of phrases, within a time budget for the positional checks."""

    def __init__(self, arrays: DocArrays, deadline: float):
        self.arrays = arrays
        self.deadline = deadline
        self.late = False

    def phrase(self, phrase: Phrase) -> np.ndarray:
        forms = _forms(self.arrays, phrase)
        if len(forms) == 1:
            docs = [self.arrays.postings_any(field, forms[0])[0] for field in SYLLABLE_FIELDS]
        else:
            docs = [self._side_by_side(field, forms) for field in SYLLABLE_FIELDS]
        return self.arrays.mask(np.concatenate(docs))

    def _side_by_side(self, field: str, forms: list[tuple[str, ...]]) -> np.ndarray:
        """Documents where a form of each syllable occurs, in order, at consecutive positions of ``field``."""
        lists = [self.arrays.postings_any(field, terms)[0] for terms in forms]
        candidates = functools.reduce(intersect_sorted, sorted(lists, key=len))
        # Syllables side by side, pair by pair, from the posting arrays' pairs where they hold them.
        for first, second in zip(forms, forms[1:]):
            if not len(candidates):
                return candidates
            confirmed, unsure = self.arrays.adjacent(field, first, second)
            if len(forms) == 2:
                checked = self._checked(field, forms, lists, intersect_sorted(unsure, candidates))
                return sorted_unique(np.concatenate((intersect_sorted(confirmed, candidates), checked)))
            candidates = intersect_sorted(candidates, sorted_unique(np.concatenate((confirmed, unsure))))
        return self._checked(field, forms, lists, candidates)

    def _checked(self, field: str, forms: list[tuple[str, ...]], lists: list[np.ndarray], candidates: np.ndarray) -> np.ndarray:
        """The ``candidates`` (sorted) where the phrase's syllables stand side by side, from their positions."""
        starts = None
        # Rarest syllables first: each round keeps only the documents where the phrase can start.
        for i in sorted(range(len(forms)), key=lambda i: len(lists[i])):
            if not len(candidates):
                break
            if time.monotonic() > self.deadline:
                self.late = True  # the documents holding every syllable, not yet checked side by side
                break
            found = [self.arrays.positions(field, term, candidates) for term in forms[i]]
            docs = np.concatenate([d for d, _ in found])
            positions = np.concatenate([p for _, p in found])
            keep = positions >= i
            # (document, where the phrase would start), sorted within each form's run; forms never
            # share a position, so merging the runs (timsort) keeps the keys unique.
            keys = (docs[keep] << 32) | (positions[keep] - i)
            if len(found) > 1:
                keys = np.sort(keys, kind="stable")
            starts = keys if starts is None else intersect_sorted(starts, keys)
            starting = starts >> 32
            candidates = starting[np.concatenate(([True], starting[1:] != starting[:-1]))] if len(starting) else starting
        return candidates

    def term(self, field: str, text: str) -> np.ndarray:
        return self.arrays.mask(self.arrays.postings(field, text)[0])


def _is_loose(group: tuple[Phrase, ...]) -> bool:
    """A plain word (not a quoted phrase, not an OR): it may be left out when too few notices hold all."""
    return len(group) == 1 and len(group[0].syllables) == 1


def _and(a: np.ndarray | None, b: np.ndarray) -> np.ndarray:
    return b if a is None else a & b


def _finish(matcher: _Matcher, parsed: ParsedQuery, matched: np.ndarray | None, numbered) -> np.ndarray | None:
    """Add the notices the query's number names, take out the excluded ones."""
    if numbered is not None:
        matched = numbered if matched is None else matched | numbered
    if matched is None and parsed.excluded:
        matched = matcher.arrays.live.copy()
    for phrase in parsed.excluded if matched is not None else ():
        matched &= ~matcher.phrase(phrase)
    return matched


def _matches(matcher: _Matcher, parsed: ParsedQuery) -> tuple[np.ndarray | None, np.ndarray | None, list]:
    """Return the documents holding every part, those holding the strict parts and some word, and the words."""
    strict, loose = None, []
    for group in parsed.required:
        alternatives = np.zeros(matcher.arrays.size, dtype=bool)
        for phrase in group:
            alternatives |= matcher.phrase(phrase)
        if _is_loose(group):
            loose.append((group[0], alternatives))
        else:
            strict = _and(strict, alternatives)
    # Filler words ("mới nhất") are optional beside any word that names a subject.
    content = [mask for phrase, mask in loose if not phrase.filler]
    optional_fillers = bool(content) or strict is not None
    matched = strict
    for phrase, mask in loose:
        if not (phrase.filler and optional_fillers):
            matched = _and(matched, mask)
    relaxed = None
    held = [mask for mask in (content if optional_fillers else [m for _, m in loose]) if mask.any()]
    if len(loose) >= 2 and held:
        relaxed = _and(strict, np.logical_or.reduce(held))
    numbered = None
    if parsed.number_key:
        numbered = matcher.term("number_key", parsed.number_key) | matcher.term("cites", parsed.number_key)
    if relaxed is not None:
        relaxed = _finish(matcher, parsed, relaxed, numbered)
    return _finish(matcher, parsed, matched, numbered), relaxed, loose


def _scores(matcher: _Matcher, parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray]:
    """Return every document's score, and the part of it that filler words brought."""
    arrays = matcher.arrays
    scores = np.zeros(arrays.size, dtype=np.float32)
    fillers = np.zeros(arrays.size, dtype=np.float32)
    # Beside a subject, filler words ("mới nhất", "như thế nào") weigh nothing, also when enough
    # notices hold every word: otherwise the notices saying "như thế nào" outrank the one sought.
    weightless = any(not (_is_loose(group) and group[0].filler) for group in parsed.required)
    for phrase in parsed.phrases():
        if phrase.filler and weightless:
            continue
        for terms in _forms(arrays, phrase):
            for field in SYLLABLE_FIELDS:
                docs, contribution = bm25(arrays, field, terms)
                scores[docs] += contribution
                if phrase.filler:
                    fillers[docs] += contribution
    words = [w for _, _, w in word_spans(parsed.plain.lower()) if "_" in w] if parsed.plain else []
    for word in words:
        for field in ("title_words", "body_words"):
            docs, contribution = bm25(arrays, field, (word,))
            scores[docs] += contribution
    if parsed.number_key:
        scores[matcher.term("number_key", parsed.number_key)] += NUMBER_BONUS
        scores[matcher.term("cites", parsed.number_key)] += CITES_BONUS
    return scores, fillers


def evaluate(arrays: DocArrays, parsed: ParsedQuery, budget: float) -> Evaluation:
    """Match and score a parsed query; phrase checks stop (and say so) past ``budget`` seconds."""
    matcher = _Matcher(arrays, time.monotonic() + budget)
    matched, relaxed, loose = _matches(matcher, parsed)
    scores, fillers = _scores(matcher, parsed) if parsed.required or parsed.number_key else (None, None)
    return Evaluation(matched, scores, matcher.late, loose, relaxed, fillers)


def _together(parsed: ParsedQuery) -> re.Pattern | None:
    """The query's words side by side, as typed: titles holding them so rank first."""
    singles = [group[0] for group in parsed.required if len(group) == 1]
    if len(singles) < 2 or len(singles) != len(parsed.required):
        return None
    return phrase_pattern([tuple(fold_accents(s) for p in singles for s in p.syllables)])


def _by_score(arrays: DocArrays, docs: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return docs[np.lexsort((arrays.id_rank[docs], -np.round(scores[docs].astype(np.float64), 4)))]


def rank(arrays: DocArrays, docs: np.ndarray, evaluation: Evaluation, parsed: ParsedQuery, sort: str,
         needed: int, title_of) -> np.ndarray:
    """Order documents by score or date, ties broken by id so that pages survive rebuilds.

    With a relevance sort, the best candidates whose title holds the query's words together get
    a bonus before the final order; ``title_of(docnum)`` reads a title.
    """
    scores = evaluation.scores
    if scores is None or sort != "phu-hop":
        return order(arrays, docs, None, sort)
    ordered = _by_score(arrays, docs, scores)
    together = _together(parsed)
    if together is None:
        return ordered
    head = ordered[:max(RERANK_CANDIDATES, 2 * needed)]
    boosted = scores.copy()
    for docnum in head:
        if together.search(fold_accents(title_of(int(docnum)).lower())):
            boosted[docnum] += TITLE_TOGETHER_BONUS
    return np.concatenate([_by_score(arrays, head, boosted), ordered[len(head):]])


def order(arrays: DocArrays, docs: np.ndarray, scores: np.ndarray | None, sort: str) -> np.ndarray:
    """Order documents by score or date, ties broken by id so that pages survive rebuilds."""
    rank = arrays.id_rank[docs]
    if scores is not None and sort == "phu-hop":
        return _by_score(arrays, docs, scores)
    dates = arrays.dates[docs]
    if sort == "cu-nhat":
        # Undated notices come last whichever way dates run.
        return docs[np.lexsort((rank, np.where(dates == 0, 99_999_999, dates)))]
    return docs[np.lexsort((rank, -dates))]
