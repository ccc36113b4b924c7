"""Restoring diacritics in context: the decoder on small count tables, the counts an index keeps, the suggestion."""

import collections
import itertools
import json
import os
import re

import numpy as np
import pytest
from werkzeug.datastructures import MultiDict

from indexer import ngrams
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.normalize import fold_accents
from portal import create_app
from portal import search as search_service
from portal.params import parse_params
from portal.restore import Counts
from portal.restore import log_probability
from portal.restore import restore

SENTENCES = ["giá xăng dầu tăng", "xăng dầu giá tăng tháng này", "xăng dầu tăng", "đầu tiên là dấu hiệu",
             "dấu hiệu đầu tiên", "phiên đấu giá đất", "đấu giá đất", "đầu năm giá vé tăng", "tháng này"]


def _counts(sentences=SENTENCES) -> Counts:
    return Counts.from_sequences([s.split() for s in sentences])


def _restore(typed: str, sentences=SENTENCES) -> str:
    forms = collections.defaultdict(set)
    for syllable in " ".join(sentences).split():
        forms[fold_accents(syllable)].add(syllable)
    syllables = typed.split()
    return " ".join(restore(syllables, [tuple(sorted(forms[s])) for s in syllables], _counts(sentences)))


@pytest.mark.parametrize(("typed", "expected"), [
    ("xang dau gia tang thang nay", "xăng dầu giá tăng tháng này"),
    ("dau tien", "đầu tiên"),
    ("dau hieu", "dấu hiệu"),
    ("phien dau gia", "phiên đấu giá"),
    ("gia xang dau", "giá xăng dầu"),
    ("xang abcxyz dau", "xăng abcxyz dầu"),  # a syllable never seen stays as typed
    ("", ""),
])
def test_each_syllable_takes_the_form_its_context_supports(typed, expected):
    assert _restore(typed) == expected


def test_a_syllable_alone_takes_its_most_frequent_form():
    assert _restore("dau", ["đầu tiên", "đầu năm", "dầu"]) == "đầu"
    assert _restore("dau", ["đầu tiên", "dầu ăn", "dầu"]) == "dầu"


def test_without_counts_each_syllable_keeps_a_form_of_its_own():
    assert restore(["xang", "dau"], [("xăng",), ("dầu", "đầu")], Counts.from_sequences([])) in (["xăng", "dầu"],
                                                                                               ["xăng", "đầu"])


def test_viterbi_finds_the_sequence_the_model_likes_best():
    counts = _counts()
    forms = {"dau": ("dấu", "đấu", "đầu", "dầu"), "gia": ("giá",), "tang": ("tăng",), "xang": ("xăng",)}
    for typed in (["xang", "dau", "gia", "tang"], ["dau", "dau", "gia"], ["gia", "dau"]):
        candidates = [forms[s] for s in typed]
        best = max(log_probability(list(seq), counts) for seq in itertools.product(*candidates))
        assert log_probability(restore(typed, candidates, counts), counts) == pytest.approx(best)


def test_counts_of_sequences_and_of_what_follows_each_syllable():
    counts = _counts(["a b c", "a b d", "b c"])
    keys = ngrams.syllable_keys(["a", "b", "c", "d"])
    pair = ngrams.sequence_keys(keys[[0, 1, 1]], keys[[1, 2, 3]])  # a b, b c, b d
    triple = ngrams.sequence_keys(keys[[0, 0]], keys[[1, 1]], keys[[2, 3]])  # a b c, a b d
    assert counts.lookup("uni", keys, "counts")[0].tolist() == [2, 3, 2, 1]
    assert counts.lookup("pair", pair, "counts")[0].tolist() == [2, 2, 1]
    assert counts.lookup("triple", triple, "counts")[0].tolist() == [1, 1]
    # Distinct syllables after "a", "b": 1 and 2; before "b", "c": 1 and 1. After "a b": 2.
    assert counts.lookup("uni", keys[:3], "followers")[0].tolist() == [1, 2, 0]
    assert counts.lookup("uni", keys[1:3], "predecessors")[0].tolist() == [1, 1]
    assert counts.lookup("pair", pair[:1], "followers")[0].tolist() == [2]
    # Kept only when seen twice, the followers still count those seen once.
    pruned = Counts.from_sequences([["a", "b", "c"], ["a", "b", "d"], ["b", "c"]], min_count=2)
    assert pruned.lookup("pair", pair, "counts")[0].tolist() == [2, 2, 0]
    assert pruned.lookup("triple", triple, "counts")[0].tolist() == [0, 0]
    assert pruned.lookup("uni", keys[1:2], "followers")[0].tolist() == [2]


# --- on a built index --------------------------------------------------------------------------

RECORDS = [
    ("x1", "Giá xăng dầu tăng mạnh", "Xăng dầu giá tăng tháng này, giá xăng dầu tăng lần thứ hai trong năm 2017."),
    ("x2", "Xăng dầu giá tăng tháng này", "Theo thông báo, xăng dầu giá tăng tháng này thêm 500 đồng mỗi lít."),
    ("x3", "Phiên đấu giá đất ở Bình Thuận", "Phiên đấu giá đất tại Bình Thuận. Người đấu giá trả giá cao."),
    ("x4", "Đấu giá quyền sử dụng đất", "Đấu giá quyền sử dụng đất, đấu giá tài sản công, đấu giá lại."),
    ("x5", "Đầu tiên là dấu hiệu", "Dấu hiệu đầu tiên của mùa khô. Đầu năm, giá vé tăng."),
    ("x6", "Bản tin", "Bản tin online mỗi ngày về giá cả."),
    # Every word of "gia ve tau tang nhu the nao" in both; the filler words only in the second's title.
    ("t1", "Giá vé tàu tăng", "Giá vé tàu tăng từ tháng sau trên mọi tuyến đường sắt phía bắc và phía nam."),
    ("t2", "Như thế nào là đủ", "Như thế nào là đủ? Vé tàu, giá cả và mức tăng như thế nào, ai cũng hỏi như thế nào."),
]


def _write(path, records) -> None:
    path.write_text("\n".join(json.dumps({"id": i, "title": t, "text": x}, ensure_ascii=False)
                              for i, t, x in records), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory, vocab):
    folder = tmp_path_factory.mktemp("restore")
    _write(folder / "notices.jsonl", RECORDS)
    build_index(BuildOptions(index=str(folder / "ix"), jsonl=(str(folder / "notices.jsonl"),)), vocab)
    return folder


@pytest.fixture(scope="module")
def app(built):
    return create_app({"TESTING": True, "INDEX_PATH": str(built / "ix")})


def _search(app, q: str, per_page: int = 20) -> dict:
    with app.test_request_context():
        return search_service.search(parse_params(MultiDict({"q": q})), per_page=per_page)


def _generation(app):
    with app.app_context():
        return search_service._engine().generation()


@pytest.mark.parametrize(("typed", "expected"), [
    ("xang dau gia tang thang nay", "xăng dầu giá tăng tháng này"),  # issue 11's example
    ("Binh Thuan dau gia", "Bình Thuận đấu giá"),  # capitals as typed
    ('"xang dau" -"dau gia" unit:"tuy phong" nam:2017', '"xăng dầu" -"đấu giá" unit:"tuy phong" nam:2017'),
    ("xang dau OR dau tien", "xăng dầu OR đầu tiên"),
    ("503-TB/TU gia xang", "503-TB/TU giá xăng"),  # a number stays as typed
])
def test_a_query_without_marks_is_suggested_whole_with_marks_restored(app, typed, expected):
    assert _search(app, typed)["suggestion"] == expected


@pytest.mark.parametrize("typed", ["giá xăng", "gia xăng", "online", "2017", "-xang"])
def test_no_suggestion_for_a_query_with_marks_or_one_restored_as_typed(app, typed):
    assert _search(app, typed)["suggestion"] is None


def test_the_suggestion_link_keeps_the_query_s_filters(app):
    client = app.test_client()
    page = client.get("/tim-kiem", query_string={"q": "xang dau nam:2017"}).get_data(as_text=True)
    assert "Có phải bạn muốn tìm" in page and "xăng dầu nam:2017" in page
    assert "q=x%C4%83ng+d%E1%BA%A7u+nam%3A2017" in page


@pytest.mark.parametrize("typed", ["gia ve tau tang nhu the nao", "giá vé tàu tăng như thế nào"])
def test_filler_words_weigh_nothing_even_when_every_notice_holds_them(app, typed):
    # Both notices hold every word, so none is left out: still the title of the subject comes first.
    result = _search(app, typed, per_page=1)
    assert result["total"] == 2
    assert result["hits"][0]["id"] == "t1"


def _brute_force(app) -> dict[str, collections.Counter]:
    """Count syllables, pairs and triples of every stored title and body."""
    with app.app_context():
        generation = search_service._engine().generation()
        with generation.lock:
            stored = list(generation.searcher().all_stored_fields())
    found = {order: collections.Counter() for order in ngrams.ORDERS}
    for fields in stored:
        for text in (fields["title"], fields["body"]):
            s = [w.lower() for w in re.findall(r"[^\W_]+", text)]
            for n, order in enumerate(ngrams.ORDERS, start=1):
                found[order].update(zip(*(s[i:] for i in range(n))))
    return found


def test_the_index_counts_what_its_notices_say(app):
    language = _generation(app).language
    for order, counted in _brute_force(app).items():
        sequences = list(counted)
        keys = ngrams.sequence_keys(*(ngrams.syllable_keys([s[i] for s in sequences]) for i in range(len(sequences[0]))))
        expected = [c if order == "uni" or c >= ngrams.MIN_COUNT else 0 for c in counted.values()]
        assert language.lookup(order, keys, "counts")[0].tolist() == expected, order


def test_counts_follow_incremental_builds(tmp_path, vocab):
    bulk = tmp_path / "notices.jsonl"
    _write(bulk, RECORDS[:3])
    options = BuildOptions(index=str(tmp_path / "ix"), jsonl=(str(bulk),))
    build_index(options, vocab)
    _write(bulk, RECORDS[:3] + [("n1", "Cá kho tộ", "Cá kho tộ, cá kho tộ ngon.")])
    build_index(options, vocab)
    app = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "ix")})
    assert _search(app, "ca kho to")["suggestion"] == "cá kho tộ"
    generation = _generation(app)
    folder = os.path.dirname(generation.index.storage.folder + os.sep)
    segments = [leaf.segment().segment_id() for leaf, _ in generation.reader.leaf_readers()]
    # What the build summed is what the segments sum to; without it, the generation sums them itself.
    stored, summed = ngrams.load(folder, segments), ngrams.summed_segments(folder, segments)
    assert stored.keys() == summed.keys() and all(np.array_equal(stored[k], summed[k]) for k in stored)
    os.remove(os.path.join(folder, ngrams.GENERATION_FILE))
    assert all(np.array_equal(ngrams.load(folder, segments)[k], summed[k]) for k in summed)
