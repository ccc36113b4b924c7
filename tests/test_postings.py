"""Block-wise posting reads and posting arrays agree with Whoosh's own matchers, segments and deletions included."""

import os
import random
import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID
from whoosh.fields import TEXT
from whoosh.fields import Schema

from indexer import postarrays
from indexer import postings
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.store import IndexStore
from portal.arrays import DocArrays
from portal.engine import FACET_FIELDS as FACET_PARAMS

WORDS = ["đảng", "viên", "tỉnh", "ủy", "kết", "luận", "của", "thường", "trực", "ban"]


@pytest.fixture(scope="module")
def index_folder(tmp_path_factory):
    """Three segments of 400 documents, long enough for many posting blocks, some deleted."""
    folder = tmp_path_factory.mktemp("postings")
    ix = whoosh_index.create_in(str(folder), Schema(id=ID(stored=True, unique=True), body=TEXT(), title=TEXT(phrase=False)))
    rng = random.Random(7)
    for segment in range(3):
        writer = ix.writer()
        for n in range(400):
            words = [rng.choice(WORDS) for _ in range(rng.randint(0, 30))]
            writer.add_document(id=f"{segment}-{n}", body=" ".join(words), title=" ".join(words[:3]))
        writer.commit(merge=False)
    writer = ix.writer()
    for n in range(0, 400, 7):
        writer.delete_by_term("id", f"1-{n}")
    writer.commit(merge=False)
    return folder


@pytest.fixture(scope="module")
def reader(index_folder):
    reader = whoosh_index.open_dir(str(index_folder)).reader()
    assert len(reader.leaf_readers()) == 3 and reader.has_deletions()
    yield reader
    reader.close()


@pytest.fixture
def arrays_folder(index_folder, tmp_path):
    """A private copy of the index, for writing posting arrays into."""
    folder = tmp_path / "ix"
    shutil.copytree(index_folder, folder)
    return str(folder)


def _reference(reader, field, term):
    docs, weights, positions = [], [], {}
    if (field, term) in reader:
        matcher = reader.postings(field, term)
        while matcher.is_active():
            docs.append(matcher.id())
            weights.append(matcher.weight())
            if matcher.supports("positions"):
                positions[matcher.id()] = matcher.value_as("positions")
            matcher.next()
    return docs, weights, positions


@pytest.mark.parametrize("field", ["body", "title"])
@pytest.mark.parametrize("term", WORDS + ["vắng"])
def test_read_equals_the_matcher_on_live_documents(reader, field, term):
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    live[list(reader.all_doc_ids())] = True
    docs, weights = postings.read(reader, field, term)
    expected_docs, expected_weights, _ = _reference(reader, field, term)
    assert list(docs) == sorted(docs.tolist())
    assert docs[live[docs]].tolist() == expected_docs
    assert weights[live[docs]].tolist() == pytest.approx(expected_weights)


def _grouped(docs: np.ndarray, found: np.ndarray) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for doc, position in zip(docs.tolist(), found.tolist()):
        grouped.setdefault(doc, []).append(position)
    return grouped


@pytest.mark.parametrize("term", WORDS[:4])
def test_positions_of_the_wanted_documents_equal_the_matcher(reader, term, arrays_folder):
    postarrays.write_missing(arrays_folder, ("body",))
    for segment, _ in reader.leaf_readers():
        _, _, expected = _reference(segment, "body", term)
        wanted = np.array(sorted(expected)[::3], dtype=np.int64)
        from_whoosh = postings.segment_positions(segment, "body", term, wanted)
        from_arrays = postarrays.SegmentArrays.open(arrays_folder, segment.segment().segment_id()).positions(
            "body", term, wanted)
        for docs, found in (from_whoosh, from_arrays):
            assert _grouped(docs, found) == {int(d): expected[int(d)] for d in wanted}


@pytest.mark.parametrize("procs", [1, 2])
def test_posting_arrays_hold_every_term_of_every_segment(reader, arrays_folder, procs):
    assert postarrays.write_missing(arrays_folder, ("body", "title"), procs) == 3
    assert postarrays.write_missing(arrays_folder, ("body", "title"), procs) == 0  # nothing missing
    for segment, _ in reader.leaf_readers():
        arrays = postarrays.SegmentArrays.open(arrays_folder, segment.segment().segment_id())
        for field in ("body", "title"):
            for term in WORDS:
                docs, weights = postings.read_segment(segment, field, term)
                found = arrays.lookup(field, term)
                assert (found is None) == (not len(docs))
                if found is not None:
                    assert found[0].tolist() == docs.tolist() and found[1].tolist() == weights.tolist()
        assert arrays.lookup("body", "vắng") is None


def _side_by_side(segment, first, second) -> list[int]:
    """Live documents of a segment where ``first`` immediately precedes ``second`` in the body, by brute force."""
    _, _, before = _reference(segment, "body", first)
    _, _, after = _reference(segment, "body", second)
    return sorted(d for d in set(before) & set(after) if set(p + 1 for p in before[d]) & set(after[d]))


def test_pairs_of_common_terms_side_by_side_equal_brute_force(reader, arrays_folder, monkeypatch):
    monkeypatch.setattr(postarrays, "PAIR_MIN_DOCS", 50)  # every word of these documents is that common
    postarrays.write_missing(arrays_folder, ("body", "title"))
    pairs = 0
    for segment, _ in reader.leaf_readers():
        arrays = postarrays.SegmentArrays.open(arrays_folder, segment.segment().segment_id())
        for first in WORDS:
            for second in WORDS:
                found, rare_firsts, rare_seconds, shared = arrays.adjacent("body", [first], [second])
                assert not (rare_firsts or rare_seconds or shared) and list(found) == sorted(found.tolist())
                live = [d for d in found.tolist() if not segment.is_deleted(d)]
                assert live == _side_by_side(segment, first, second), (first, second)
                pairs += bool(live)
    assert pairs > 200


def test_pairs_of_rarer_terms_or_shared_keys_are_left_to_positions(reader, tmp_path, monkeypatch):
    segment = reader.leaf_readers()[0][0]
    monkeypatch.setattr(postarrays, "PAIR_MIN_DOCS", 10_000)
    (tmp_path / "rare").mkdir()
    postarrays.write(str(tmp_path / "rare"), segment, ("body",))
    arrays = postarrays.SegmentArrays.open(str(tmp_path / "rare"), segment.segment().segment_id())
    assert arrays.adjacent("body", ["đảng"], ["viên", "ủy"])[1:] == (["đảng"], ["viên", "ủy"], [])
    assert arrays.pair_min_docs == 10_000
    monkeypatch.setattr(postarrays, "PAIR_MIN_DOCS", 1)
    monkeypatch.setattr(postarrays, "pair_keys", lambda first, second: first & np.uint64(1))  # two keys for 100 pairs
    (tmp_path / "shared").mkdir()
    postarrays.write(str(tmp_path / "shared"), segment, ("body",))
    arrays = postarrays.SegmentArrays.open(str(tmp_path / "shared"), segment.segment().segment_id())
    assert len(arrays.pair_keys) == 0 and arrays.pair_shared == {0, 1}
    docs, rare_firsts, rare_seconds, shared = arrays.adjacent("body", ["đảng"], ["viên", "ủy"])
    assert not len(docs) and not (rare_firsts or rare_seconds) and shared == [("đảng", "viên"), ("đảng", "ủy")]


def test_terms_sharing_a_key_are_left_to_whoosh(reader, tmp_path, monkeypatch):
    monkeypatch.setattr(postarrays, "term_key", lambda field, term: len(term))  # "đảng", "viên", "tỉnh"… collide
    segment = reader.leaf_readers()[0][0]
    postarrays.write(str(tmp_path), segment, ("body",))
    arrays = postarrays.SegmentArrays.open(str(tmp_path), segment.segment().segment_id())
    assert arrays.lookup("body", "đảng") is None and arrays.lookup("body", "luận") is None
    assert arrays.lookup("body", "ủy") is not None  # the only two-letter word keeps its key
    assert postarrays.SegmentArrays.open(str(tmp_path), "MAIN_missing") is None


def test_every_published_segment_has_arrays_and_none_are_left_over(corpus_dir, vocab, tmp_path):
    index, notices = tmp_path / "ix", corpus_dir / "notices"
    build_index(BuildOptions(index=str(index), corpus=str(notices)), vocab)
    changed = sorted(notices.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThêm một dòng.", encoding="utf-8")
    build_index(BuildOptions(index=str(index), corpus=str(notices)), vocab)
    path = IndexStore(str(index)).current_path()
    with whoosh_index.open_dir(path).reader() as current:
        segments = {segment.segment().segment_id() for segment, _ in current.leaf_readers()}
    assert len(segments) >= 2  # the incremental build added a segment
    names = {p.name.split(".postarrays.")[0] for p in (tmp_path / "ix").glob("gen-*/*.postarrays.*")
             if p.parent.name == os.path.basename(path)}
    assert names == segments


def test_the_portal_reads_the_same_postings_with_and_without_arrays(seed_index, tmp_path):
    folder = tmp_path / "ix"
    shutil.copytree(IndexStore(str(seed_index)).current_path(), folder)
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        with_arrays = DocArrays(reader, tuple(set(FACET_PARAMS.values())), str(folder))
        for stale in folder.glob("*.postarrays.*"):
            stale.unlink()
        without = DocArrays(reader, tuple(set(FACET_PARAMS.values())), str(folder))
        assert all(arrays is None for _, _, arrays in without._segments)
        everyone = np.flatnonzero(with_arrays.live)
        for field, term in (("body", "đảng"), ("title", "kết"), ("body_words", "đảng_viên"), ("body", "vắng")):
            for a, b in zip(with_arrays.postings(field, term), without.postings(field, term)):
                assert a.tolist() == b.tolist()
            if field in ("body", "title"):
                for a, b in zip(with_arrays.positions(field, term, everyone), without.positions(field, term, everyone)):
                    assert a.tolist() == b.tolist()
        assert len(with_arrays.postings("body", "đảng")[0]) > 0


def test_common_terms_never_side_by_side_write_no_pairs(tmp_path, monkeypatch):
    folder = tmp_path / "single"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), Schema(id=ID(stored=True, unique=True), body=TEXT()))
    writer = ix.writer()
    for n in range(30):
        writer.add_document(id=str(n), body=WORDS[n % 2])  # one word each: common, never adjacent
    writer.commit()
    monkeypatch.setattr(postarrays, "PAIR_MIN_DOCS", 5)
    with ix.reader() as reader:
        segment = reader.leaf_readers()[0][0]
        postarrays.write(str(folder), segment, ("body",))
        arrays = postarrays.SegmentArrays.open(str(folder), segment.segment().segment_id())
    assert len(arrays.pair_keys) == 0
    assert not len(arrays.adjacent("body", [WORDS[0]], [WORDS[1]])[0])
