"""Vietnamese word segmentation with pyvi's CRF model, keeping character offsets.

pyvi's tokens, attributes and joining rule are reproduced here, and its CRFsuite model is decoded
by :mod:`indexer.crf` with each distinct token's weights summed once: the same words as pyvi's
``ViTokenizer.tokenize``, about twice as fast. pyvi loads its model when ``pyvi.ViTokenizer`` is
imported, so the import happens here, lazily, on the first call, and nowhere else.
"""

import functools
import re
import string
from collections.abc import Iterator

from indexer.crf import CrfModel
from indexer.crf import ModelError
from indexer.crf import read_model
from indexer.crf import viterbi

# pyvi's own token pattern (ViTokenizer.sylabelize), kept so that the CRF sees the tokens it was
# trained on; matched with finditer so that each token keeps its offsets.
_PYVI_TOKEN = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\.|==>|->|\.\.\.|>>|\w+://[^\s]+"
    r"|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+|\d+(?:[.,_]\d+)+|[^\w\s]|\w+"
)
_SENTENCE_END = frozenset({".", "!", "?", ";", "...", ":"})
_PUNCTUATION = frozenset(string.punctuation)
_CACHE_SIZE = 200_000
_LABELS = ("B_W", "I_W")
_INSIDE = _LABELS.index("I_W")


@functools.cache
def _pyvi():
    from pyvi.ViTokenizer import ViTokenizer  # noqa: PLC0415 (loads the CRF model: lazily, once)

    return ViTokenizer


@functools.cache
def _model() -> CrfModel:
    model = read_model(_pyvi().model.modelfile.name)
    # The scores below are summed for these two labels only (pyvi's model has no others).
    if model.labels != _LABELS:
        raise ModelError(f"mô hình tách từ của pyvi có nhãn lạ: {model.labels}")
    return model


def _sum(start: tuple[float, float], weights) -> tuple[float, float]:
    # One weight at a time, in order: CRFsuite's own sums, bit for bit.
    b, i = start
    for wb, wi in weights:
        b += wb
        i += wi
    return b, i


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _token_weights(token: str) -> tuple[str, tuple[float, float], tuple, tuple]:
    """A token's lower case, then the weights of the CRF attributes it gives itself (summed), the
    next token and the previous one, in the order pyvi's ``word2features`` lists them."""
    weights = _model().weights
    lower = token.lower()
    upper, title = token.isupper(), token.istitle()
    flags = (("word.isupper()", upper), ("word.istitle()", title), ("word.isdigit()", token.isdigit()))

    def known(*names):
        return tuple(weights[name] for name in names if name in weights)

    def neighbour(side):
        return known(f"{side}:word.lower():{lower}", *((f"{side}:word.istitle()",) if title else ()),
                     *((f"{side}:word.isupper()",) if upper else ()))
    own = _sum((0.0, 0.0), known("bias", "word.lower():" + lower, *(name for name, on in flags if on)))
    return lower, own, neighbour("-1"), neighbour("+1")


@functools.cache
def _ngrams() -> tuple:
    """pyvi's known bigrams and trigrams as tuples of syllables, and their attributes' weights."""
    vi, weights = _pyvi(), _model().weights
    return ({tuple(g.split(" ")) for g in vi.bi_grams}, {tuple(g.split(" ")) for g in vi.tri_grams},
            *(weights[name] for name in ("-1:word.bi_gram()", "-2:word.tri_gram()",
                                         "+1:word.bi_gram()", "+2:word.tri_gram()")))


def _states(tokens: tuple[str, ...]) -> list[tuple[float, float]]:
    """Each token's CRF state scores: the weights of pyvi's attributes for it, summed in pyvi's order."""
    bigrams, trigrams, (bb, bi), (tb, ti), (ab, ai), (atb, ati) = _ngrams()
    info = [_token_weights(token) for token in tokens]
    lowers = [lower for lower, _, _, _ in info]
    pairs = [pair in bigrams for pair in zip(lowers, lowers[1:])]
    triples = [triple in trigrams for triple in zip(lowers, lowers[1:], lowers[2:])]
    last = len(info) - 1
    states = []
    # Written out for speed; the additions run in pyvi's attribute order (see _sum).
    for k, (_, (b, i), _, _) in enumerate(info):
        if k > 0:
            for wb, wi in info[k - 1][2]:
                b += wb
                i += wi
            if pairs[k - 1]:
                b += bb
                i += bi
            if k > 1 and triples[k - 2]:
                b += tb
                i += ti
        if k < last:
            for wb, wi in info[k + 1][3]:
                b += wb
                i += wi
            if pairs[k]:
                b += ab
                i += ai
            if k < last - 1 and triples[k]:
                b += atb
                i += ati
        states.append((b, i))
    return states


def _labels(tokens: tuple[str, ...]) -> list[int]:
    """Return pyvi's label per token of one sentence: an index into ``_LABELS``."""
    return viterbi(_states(tokens), _model().transitions)


def _joins(previous: str, token: str) -> bool:
    # pyvi's own rule (ViTokenizer.tokenize) for gluing a token labelled I_W to the one before it.
    return (
        token not in _PUNCTUATION
        and previous not in _PUNCTUATION
        and not token[0].isdigit()
        and not previous[0].isdigit()
        and not (token[0].istitle() and not previous[0].istitle())
    )


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _words(tokens: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    """The words of one sentence: first and last token, syllables joined by ``_``; punctuation dropped.

    Sentences repeat (datelines, sign-offs, boilerplate): cached.
    """
    labels = _labels(tokens)
    words = []
    first = 0
    for k in range(1, len(tokens) + 1):
        if k < len(tokens) and labels[k] == _INSIDE and _joins(tokens[k - 1], tokens[k]):
            continue
        if tokens[first][0].isalnum():
            words.append((first, k - 1, "_".join(tokens[first:k])))
        first = k
    return tuple(words)


def _sentences(text: str) -> Iterator[tuple[tuple[str, ...], list[tuple[int, int]]]]:
    """Yield each sentence of one line as its pyvi tokens and their ``(start, end)`` offsets."""
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _PYVI_TOKEN.finditer(text):
        token = match.group()
        tokens.append(token)
        spans.append(match.span())
        if token in _SENTENCE_END:
            yield tuple(tokens), spans
            tokens, spans = [], []
    if tokens:
        yield tuple(tokens), spans


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` for each pyvi word of ``text``; syllables joined by ``_``.

    Segmentation runs per line and sentence, never across them. Punctuation is dropped.
    """
    offset = 0
    for line in text.split("\n"):
        for tokens, spans in _sentences(line):
            for first, last, word in _words(tokens):
                yield offset + spans[first][0], offset + spans[last][1], word
        offset += len(line) + 1
