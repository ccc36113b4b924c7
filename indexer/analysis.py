"""Whoosh analysis for Vietnamese: a tokenizer and filters composed into named analyzers.

Analyzers expect text already normalized by :mod:`indexer.normalize` (NFC, one tone-mark style);
the index stores that text, so token offsets index exactly what highlighting reads back.
"""

import re

from whoosh.analysis import Filter
from whoosh.analysis import LowercaseFilter
from whoosh.analysis import Token
from whoosh.analysis import Tokenizer

from indexer.segment import word_spans

# A syllable: a run of letters and digits. Punctuation, spaces and "_" separate syllables.
SYLLABLE = re.compile(r"[^\W_]+")


def syllable_spans(text: str) -> list[tuple[int, int, str]]:
    """Return ``(start, end, syllable)`` for each syllable of ``text``."""
    return [(*match.span(), match.group()) for match in SYLLABLE.finditer(text)]


class VietnameseTokenizer(Tokenizer):
    """Split Vietnamese text into syllables, or into pyvi words with ``words=True``.

    >>> [t.text for t in VietnameseTokenizer()("Đảng ủy khối")]
    ['Đảng', 'ủy', 'khối']
    >>> [t.text for t in VietnameseTokenizer(words=True)("phát triển đảng viên")]
    ['phát_triển', 'đảng_viên']
    """

    def __init__(self, words: bool = False):
        self.words = words

    def __eq__(self, other):
        return self.__class__ is other.__class__ and self.words == other.words

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        assert isinstance(value, str), f"{value!r} is not unicode"
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        spans = (word_spans if self.words else syllable_spans)(value) if tokenize else [(0, len(value), value)]
        for pos, (start, end, text) in enumerate(spans):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class CompoundWordFilter(Filter):
    """Keep the words of several syllables (``đảng_viên``); single syllables are the syllable fields'.

    Searches score only compound words on the word fields, so indexing the rest would double the
    syllable fields' postings for nothing.
    """

    def __call__(self, tokens):
        for t in tokens:
            if "_" in t.text:
                yield t


def syllable_analyzer():
    """Syllables in lower case: exact recall for words and phrases typed with diacritics."""
    return VietnameseTokenizer() | LowercaseFilter()


def word_analyzer():
    """pyvi compound words in lower case (``đảng_viên``): for ranking documents that use the query's words."""
    # Compound words picked first: four words in five are single syllables, not worth lowercasing.
    return VietnameseTokenizer(words=True) | CompoundWordFilter() | LowercaseFilter()
