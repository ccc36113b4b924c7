"""Restore the case of ALL-CAPS heading lines from how the same words are written elsewhere."""

import collections
import re

# Office titles and names whose case a notice's own body may not show.
KNOWN_CASING = (
    "Thông báo kết luận của Thường trực Tỉnh ủy. Ý kiến kết luận của Ban Thường vụ Tỉnh ủy. "
    "Phó Chánh Văn phòng. Chánh Văn phòng. Phó Bí thư Thường trực Tỉnh ủy. Bí thư Tỉnh ủy. "
    "Tỉnh ủy Bình Thuận. Ban Chấp hành Đảng bộ tỉnh. Chủ tịch Ủy ban nhân dân tỉnh. Trưởng ban. "
    "Phó Trưởng ban. Ủy viên Ban Thường vụ. Đảng ủy khối. Huyện ủy. Thành ủy. Thị ủy. Văn phòng. "
    "Đảng Cộng sản Việt Nam. T/L Ban Thường vụ. TM. Ban Thường vụ. KT. Bí thư. Ủy ban Kiểm tra."
)
_KNOWN_WEIGHT = 3
_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")


class Truecaser:
    """Casing statistics of a reference text, used to re-case ALL-CAPS lines.

    >>> Truecaser("làm việc với Thường trực Huyện ủy Tuy Phong").apply("THƯỜNG TRỰC HUYỆN ỦY TUY PHONG")
    'Thường trực Huyện ủy Tuy Phong'
    """

    def __init__(self, reference: str):
        self.reference = reference
        self.unigrams: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.bigrams: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
        self._learned = False

    def _learn_once(self) -> None:
        # Most notices have no ALL-CAPS line at all: learn only when one turns up.
        if not self._learned:
            self._learn(KNOWN_CASING, _KNOWN_WEIGHT)
            self._learn(self.reference, 1)
            self._learned = True

    def _learn(self, text: str, weight: int) -> None:
        previous = None
        for match in _WORD.finditer(text):
            word = match.group(0)
            if word.isupper() and len(word) > 1 and not word.isascii():
                previous = None  # an ALL-CAPS heading says nothing about case
                continue
            self.unigrams[word.lower()][word] += weight
            if previous is not None:
                self.bigrams[(previous.lower(), word.lower())][(previous, word)] += weight
            previous = word

    def _case_word(self, words: list[str], i: int) -> str:
        low = words[i].lower()
        if i > 0 and (words[i - 1].lower(), low) in self.bigrams:
            return self.bigrams[(words[i - 1].lower(), low)].most_common(1)[0][0][1]
        if i + 1 < len(words) and (low, words[i + 1].lower()) in self.bigrams:
            return self.bigrams[(low, words[i + 1].lower())].most_common(1)[0][0][0]
        if low in self.unigrams:
            return self.unigrams[low].most_common(1)[0][0]
        return low

    def apply(self, line: str) -> str:
        """Return ``line`` re-cased; lines that are not ALL-CAPS come back unchanged."""
        if not line.isupper():
            return line
        self._learn_once()
        words = [m.group(0) for m in _WORD.finditer(line)]
        cased = [self._case_word(words, i) for i in range(len(words))]
        out, pos = [], 0
        for match, word in zip(_WORD.finditer(line), cased):
            out.append(line[pos:match.start()])
            out.append(word)
            pos = match.end()
        out.append(line[pos:])
        result = "".join(out)
        return result[:1].upper() + result[1:]
