"""Vietnamese word segmentation with pyvi's CRF model, keeping character offsets.

pyvi loads its model when ``pyvi.ViTokenizer`` is imported, so the import happens here, lazily, on
the first call, and nowhere else.
"""

import functools
import re
import string
from collections.abc import Iterator

# pyvi's own token pattern (ViTokenizer.sylabelize), kept so that the CRF sees the tokens it was
# trained on; matched with finditer so that each token keeps its offsets.
_PYVI_TOKEN = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\.|==>|->|\.\.\.|>>|\w+://[^\s]+"
    r"|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+|\d+(?:[.,_]\d+)+|[^\w\s]|\w+"
)
_SENTENCE_END = frozenset({".", "!", "?", ";", "...", ":"})
_PUNCTUATION = frozenset(string.punctuation)
_CACHE_SIZE = 200_000


@functools.cache
def _pyvi():
    from pyvi.ViTokenizer import ViTokenizer  # noqa: PLC0415 (loads the CRF model: lazily, once)

    return ViTokenizer


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _token_features(token: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A token's lower case and the CRF attributes it gives itself, the next token and the previous one."""
    lower = token.lower()
    flags = [("isupper()", token.isupper()), ("istitle()", token.istitle())]
    own = ("bias", "word.lower():" + lower, *(f"word.{name}" for name, on in flags if on),
           *(("word.isdigit()",) if token.isdigit() else ()))
    as_previous = ("-1:word.lower():" + lower, *(f"-1:word.{name}" for name, on in flags if on))
    as_next = ("+1:word.lower():" + lower, *(f"+1:word.{name}" for name, on in flags if on))
    return lower, own, as_previous, as_next


def crf_features(tokens: tuple[str, ...]) -> list[list[str]]:
    """Return pyvi's CRF attributes for each token of a sentence (``ViTokenizer.sent2features``).

    pyvi builds one dict per token, booleans included; CRFsuite gives a False attribute weight 0,
    so listing only the true ones tags identically, about three times faster.
    """
    vi = _pyvi()
    info = [_token_features(token) for token in tokens]
    lowers = [lower for lower, _, _, _ in info]
    pairs = [f"{a} {b}" in vi.bi_grams for a, b in zip(lowers, lowers[1:])]
    triples = [f"{a} {b} {c}" in vi.tri_grams for a, b, c in zip(lowers, lowers[1:], lowers[2:])]
    features = []
    for i, (_, own, _, _) in enumerate(info):
        attributes = list(own)
        if i > 0:
            attributes += info[i - 1][2]
            if pairs[i - 1]:
                attributes.append("-1:word.bi_gram()")
            if i > 1 and triples[i - 2]:
                attributes.append("-2:word.tri_gram()")
        if i < len(info) - 1:
            attributes += info[i + 1][3]
            if pairs[i]:
                attributes.append("+1:word.bi_gram()")
            if i < len(info) - 2 and triples[i]:
                attributes.append("+2:word.tri_gram()")
        features.append(attributes)
    return features


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _labels(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Return pyvi's B_W/I_W label per token of one sentence (sentences repeat: cache them)."""
    return tuple(_pyvi().model.tagger_.tag(crf_features(tokens)))


def _joins(previous: str, token: str, label: str) -> bool:
    # pyvi's own rule (ViTokenizer.tokenize) for gluing a token to the one before it.
    return (
        label == "I_W"
        and token not in _PUNCTUATION
        and previous not in _PUNCTUATION
        and not token[0].isdigit()
        and not previous[0].isdigit()
        and not (token[0].istitle() and not previous[0].istitle())
    )


def _sentences(text: str) -> Iterator[list[re.Match]]:
    sentence: list[re.Match] = []
    for match in _PYVI_TOKEN.finditer(text):
        sentence.append(match)
        if match.group(0) in _SENTENCE_END:
            yield sentence
            sentence = []
    if sentence:
        yield sentence


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` for each pyvi word of ``text``; syllables joined by ``_``.

    Segmentation runs per line and sentence, never across them. Punctuation is dropped.
    """
    offset = 0
    for line in text.split("\n"):
        for sentence in _sentences(line):
            tokens = tuple(m.group(0) for m in sentence)
            labels = _labels(tokens)
            group = [0]
            for i in range(1, len(tokens) + 1):
                if i < len(tokens) and _joins(tokens[i - 1], tokens[i], labels[i]):
                    group.append(i)
                    continue
                first, last = sentence[group[0]], sentence[group[-1]]
                if first.group(0)[0].isalnum():
                    word = "_".join(tokens[j] for j in group)
                    yield offset + first.start(), offset + last.end(), word
                group = [i]
        offset += len(line) + 1
