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
def _labels(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Return pyvi's B_W/I_W label per token of one sentence (sentences repeat: cache them)."""
    vi = _pyvi()
    return tuple(vi.model.tagger_.tag(vi.sent2features(list(tokens), False)))


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
