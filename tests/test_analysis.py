import gzip
import itertools
import json
import re

import pytest
from whoosh.analysis import Tokenizer

from indexer.analysis import VietnameseTokenizer
from indexer.analysis import syllable_analyzer
from indexer.analysis import word_analyzer
from indexer import segment
from indexer.normalize import normalize_text
from tests.conftest import BENCH
from tests.conftest import read_seed
from tests.conftest import require_shared
from tests.conftest import seed_names

SAMPLE = "Ngày 14/5/2008, đồng chí Lê Tiến Phương – Phó Bí thư Thường trực Tỉnh ủy\nphát triển đảng viên mới."


def _tokens(analyzer, text, **kwargs):
    return [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True, **kwargs)]


def test_syllable_tokens_have_ordinal_positions_and_exact_offsets():
    tokens = _tokens(syllable_analyzer(), SAMPLE)
    assert [t[1] for t in tokens] == list(range(len(tokens)))
    assert tokens[:4] == [("ngày", 0, 0, 4), ("14", 1, 5, 7), ("5", 2, 8, 9), ("2008", 3, 10, 14)]
    for text, _, start, end in tokens:
        assert SAMPLE[start:end].lower() == text


def test_word_tokens_join_syllables_and_cover_their_span():
    tokens = _tokens(VietnameseTokenizer(words=True), SAMPLE)
    texts = [t[0] for t in tokens]
    assert "đồng_chí" in texts and "đảng_viên" in texts and "phát_triển" in texts
    assert "Ngày" in texts
    assert [t[1] for t in tokens] == list(range(len(tokens)))
    for text, _, start, end in tokens:
        assert re.sub(r"\s+", "_", SAMPLE[start:end]) == text


def test_word_analyzer_keeps_only_compound_words_in_lower_case():
    tokens = _tokens(word_analyzer(), SAMPLE)
    compounds = [t for t in _tokens(VietnameseTokenizer(words=True), SAMPLE) if "_" in t[0]]
    assert [t[0] for t in tokens] == [t[0].lower() for t in compounds]
    assert [t[1:] for t in tokens] == [t[1:] for t in compounds]
    assert "ngày" not in [t[0] for t in tokens] and "đồng_chí" in [t[0] for t in tokens]


def test_words_never_cross_lines():
    tokens = _tokens(VietnameseTokenizer(words=True), "Tỉnh\nủy")
    assert [t[0] for t in tokens] == ["Tỉnh", "ủy"]
    assert _tokens(word_analyzer(), "Tỉnh\nủy") == []


def test_tokenizer_honours_start_pos_start_char_and_tokenize_false():
    tokenizer = VietnameseTokenizer()
    shifted = [(t.pos, t.startchar) for t in tokenizer("a b", positions=True, chars=True, start_pos=10, start_char=100)]
    assert shifted == [(10, 100), (11, 102)]
    whole = [(t.text, t.startchar, t.endchar) for t in tokenizer("Đảng ủy", chars=True, tokenize=False)]
    assert whole == [("Đảng ủy", 0, 7)]


def test_tokenizer_reuses_one_token_as_whoosh_expects():
    stream = VietnameseTokenizer()("một hai")
    assert next(stream) is next(stream)
    assert isinstance(VietnameseTokenizer(), Tokenizer)


def test_analyzers_compare_equal_when_configured_alike():
    assert VietnameseTokenizer() == VietnameseTokenizer()
    assert VietnameseTokenizer() != VietnameseTokenizer(words=True)


@pytest.mark.parametrize("name", seed_names())
def test_offsets_index_the_stored_text_on_every_seed(name):
    text = normalize_text(read_seed(name))
    checks = [
        (syllable_analyzer(), lambda span: span.lower()),
        (word_analyzer(), lambda span: re.sub(r"\s+", "_", span.lower())),
    ]
    for analyzer, expected_text in checks:
        tokens = list((t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True))
        assert tokens
        for token_text, start, end in tokens:
            assert expected_text(text[start:end]) == token_text


def _sentences(text: str) -> list[tuple[str, ...]]:
    return [tokens for line in text.split("\n") for tokens, _ in segment._sentences(line)]


AWKWARD = "\nTP.HCM, ngày 30/4/2025: UBND TỈNH BÌNH THUẬN họp 3,5 giờ; Ông A. B. Nguyễn. Xem http://a.vn/x, e-mail a.b@c.vn"


@pytest.mark.parametrize("name", seed_names())
def test_labels_are_those_pyvi_own_tagger_gives(name):
    vi = segment._pyvi()
    for tokens in _sentences(normalize_text(read_seed(name)) + AWKWARD):
        own = vi.model.tagger_.tag(vi.sent2features(list(tokens), False))
        assert [segment._LABELS[label] for label in segment._labels(tokens)] == own, tokens


def test_words_are_those_pyvi_tokenize_gives():
    vi = segment._pyvi()
    text = normalize_text(read_seed(seed_names()[0])) + AWKWARD
    for line in text.split("\n"):
        ours = [word for _, _, word in segment.word_spans(line)]
        theirs = [w for w in vi.tokenize(line).split() if w[0].isalnum()]
        assert ours == theirs, line


def test_words_on_real_articles_are_those_pyvi_tokenize_gives():
    vi = segment._pyvi()
    with gzip.open(require_shared(BENCH), "rt", encoding="utf-8") as f:
        for line in itertools.islice(f, 150):
            record = json.loads(line)
            for text in normalize_text(f"{record['title']}\n{record['text']}").split("\n"):
                ours = [word for _, _, word in segment.word_spans(text)]
                assert ours == [w for w in vi.tokenize(text).split() if w[0].isalnum()], text
