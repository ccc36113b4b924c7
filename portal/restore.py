"""Restore the diacritics of syllables typed without them: the most probable accented sequence in context.

A syllable typed without marks stands for every accented form the index holds (``dau``: dầu,
đầu, dấu, đậu…). The index's own text says which sequence is likeliest: how often each syllable
occurs, and each pair and triple side by side (:mod:`indexer.ngrams`). A trigram model with
interpolated Kneser-Ney smoothing (a sequence never seen falls back on the shorter one, weighed by
how many different syllables follow its context) is decoded with Viterbi over the candidate forms
of each syllable. A syllable the index never saw stays as typed: its only candidate.
"""

import itertools

import numpy as np

from indexer import ngrams

# Subtracted from every count of a pair or triple, and given to the shorter context instead.
DISCOUNT = 0.75
# Forms of one syllable considered, the most frequent first (``a`` has eighteen, ``da`` 36).
MAX_FORMS = 12


class Counts:
    """The tables :func:`indexer.ngrams.load` gives: counts of syllables, pairs and triples by sorted keys."""

    def __init__(self, tables: dict[str, np.ndarray]):
        self.tables = tables
        # At least one of each: an index built before these counts has none, and restores nothing.
        self.total = max(float(tables["unicounts"].sum()), 1.0)
        self.vocabulary = max(len(tables["unikeys"]), 1)
        self.pair_types = max(float(tables["unipredecessors"].sum()), 1.0)

    @classmethod
    def from_sequences(cls, sequences: list[list[str]], min_count: int = 1) -> "Counts":
        """Count the syllables (lower case) of each sequence, and their pairs and triples (for tests)."""
        vocabulary = sorted({s for sequence in sequences for s in sequence})
        number = {s: i for i, s in enumerate(vocabulary)}
        text = np.array([n for sequence in sequences for n in (*(number[s] for s in sequence), -1)], dtype=np.int32)
        counted = ngrams.count_text(text, len(vocabulary))
        return cls(ngrams.tables([{"vocabulary": ngrams.syllable_keys(vocabulary), **counted}], min_count))

    @property
    def nbytes(self) -> int:
        """Memory the tables take."""
        return sum(values.nbytes for values in self.tables.values())

    def lookup(self, order: str, keys: np.ndarray, *columns: str) -> tuple[np.ndarray, ...]:
        """Columns (``counts``, ``followers``…) for the sequences whose keys are given (any shape); 0 if never seen."""
        table = self.tables[f"{order}keys"]
        if not len(table) or not keys.size:
            return tuple(np.zeros(keys.shape) for _ in columns)
        rows = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        found = table[rows] == keys
        return tuple(np.where(found, self.tables[f"{order}{column}"][rows], 0).astype(np.float64) for column in columns)

    def lookup_where(self, order: str, keys, where: np.ndarray, *columns: str) -> tuple[np.ndarray, ...]:
        """:meth:`lookup` for the keys where ``where`` holds (0 elsewhere); ``keys(*indexes)`` makes them."""
        indexes = np.nonzero(where)
        found = tuple(np.zeros(where.shape) for _ in columns)
        for values, looked_up in zip(found, self.lookup(order, keys(*indexes), *columns)):
            values[indexes] = looked_up
        return found


class _Position:
    """One typed syllable's candidate forms, with their keys and what the counts say of each alone."""

    def __init__(self, typed: str, forms: tuple[str, ...], counts: Counts):
        forms = forms or (typed,)
        keys = ngrams.syllable_keys(forms)
        seen, followers, predecessors = counts.lookup("uni", keys, "counts", "followers", "predecessors")
        best = np.argsort(-seen, kind="stable")[:MAX_FORMS]
        self.forms = [forms[i] for i in best]
        self.keys, self.seen, self.followers = keys[best], seen[best], np.maximum(followers[best], 1.0)
        # Alone: how often it occurs. After another syllable, unseen together: after how many different ones.
        self.probability = (self.seen + 1.0) / (counts.total + counts.vocabulary)
        self.continuation = (predecessors[best] + 0.5) / (counts.pair_types + 0.5 * counts.vocabulary)


def _interpolated(seen: np.ndarray, context: np.ndarray, followers: np.ndarray, backoff: np.ndarray) -> np.ndarray:
    """Kneser-Ney's interpolation: discounted counts, the rest to the shorter context's probability."""
    safe = np.maximum(context, 1.0)
    smoothed = np.maximum(seen - DISCOUNT, 0.0) / safe + DISCOUNT * followers / safe * backoff
    return np.where(context > 0, smoothed, backoff)


class _Transitions:
    """Probabilities of each position's forms after the forms before it, pairs then triples."""

    def __init__(self, counts: Counts, positions: list[_Position]):
        self.counts, self.positions = counts, positions
        self.pair_counts, self.pair_probabilities = [None], [None]
        for first, second in itertools.pairwise(positions):
            pair_keys = ngrams.sequence_keys(first.keys[:, None], second.keys[None, :])
            seen, followers = counts.lookup("pair", pair_keys, "counts", "followers")
            self.pair_counts.append((seen, np.maximum(followers, 1.0)))
            self.pair_probabilities.append(_interpolated(seen, first.seen[:, None], first.followers[:, None],
                                                         second.continuation[None, :]))

    def triples(self, i: int) -> np.ndarray:
        """Log-probability of each form of position ``i`` (c) after each pair of forms before it (a, b)."""
        a, b, c = self.positions[i - 2:i + 1]
        context, followers = self.pair_counts[i - 1]
        # A triple counted (twice or more) has its first two syllables counted too: look up only those.
        seen, = self.counts.lookup_where(
            "triple", lambda x, y, z: ngrams.sequence_keys(a.keys[x], b.keys[y], c.keys[z]),
            np.broadcast_to(context[:, :, None] > 0, (len(a.keys), len(b.keys), len(c.keys))), "counts")
        return np.log(_interpolated(seen, context[:, :, None], followers[:, :, None],
                                    self.pair_probabilities[i][None, :, :]))


def restore(typed: list[str], candidates: list[tuple[str, ...]], counts: Counts) -> list[str]:
    """Return the likeliest of each typed syllable's candidate forms (lower case), in context.

    :param candidates: per syllable, the forms the index holds (``dau``: dầu, đầu…); none: kept as typed
    """
    if not typed:
        return []
    positions = [_Position(s, forms, counts) for s, forms in zip(typed, candidates)]
    if len(positions) == 1:
        return [positions[0].forms[int(np.argmax(positions[0].probability))]]
    transitions = _Transitions(counts, positions)
    # best[a, b]: the best log-probability of the text so far ending with forms a, b.
    best = np.log(positions[0].probability)[:, None] + np.log(transitions.pair_probabilities[1])
    back = []
    for i in range(2, len(positions)):
        scores = best[:, :, None] + transitions.triples(i)
        back.append(np.argmax(scores, axis=0))
        best = np.max(scores, axis=0)
    b, c = np.unravel_index(int(np.argmax(best)), best.shape)
    chosen = [int(c), int(b)]
    for pointers in reversed(back):
        chosen.append(int(pointers[chosen[-1], chosen[-2]]))
    chosen.reverse()
    return [position.forms[k] for position, k in zip(positions, chosen)]


def log_probability(forms: list[str], counts: Counts) -> float:
    """The model's log-probability of a sequence of forms (what :func:`restore` maximizes)."""
    if not forms:
        return 0.0
    positions = [_Position(s, (s,), counts) for s in forms]
    transitions = _Transitions(counts, positions)
    total = float(np.log(positions[0].probability[0]))
    if len(positions) > 1:
        total += float(np.log(transitions.pair_probabilities[1][0, 0]))
    return total + sum(float(transitions.triples(i)[0, 0, 0]) for i in range(2, len(positions)))
