"""Block-wise posting reads and posting arrays agree with Whoosh's own matchers, segments and deletions included."""

import os
import random

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

WORDS = ["đảng", "viên", "tỉnh", "ủy", "kết", "luận", "của", "thường", "trực", "ban"]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
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
    reader = ix.reader()
    assert len(reader.leaf_readers()) == 3 and reader.has_deletions()
    yield reader
    reader.close()


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


@pytest.mark.parametrize("term", WORDS[:4])
def test_positions_of_the_wanted_documents_equal_the_matcher(reader, term):
    _, _, expected = _reference(reader, "body", term)
    wanted = np.array(sorted(expected)[::3], dtype=np.int64)
    docs, found = postings.positions(reader, "body", term, wanted)
    got: dict[int, list[int]] = {}
    for doc, position in zip(docs.tolist(), found.tolist()):
        got.setdefault(doc, []).append(position)
    assert got == {int(d): expected[int(d)] for d in wanted}


def test_posting_arrays_hold_every_term_of_every_segment(reader, tmp_path):
    assert postarrays.write_missing(str(tmp_path), reader, ("body", "title")) == 3
    assert postarrays.write_missing(str(tmp_path), reader, ("body", "title")) == 0  # nothing missing
    for segment, _ in reader.leaf_readers():
        arrays = postarrays.SegmentArrays.open(str(tmp_path), segment.segment().segment_id())
        for field in ("body", "title"):
            for term in WORDS:
                docs, weights = postings.read_segment(segment, field, term)
                found = arrays.lookup(field, term)
                assert (found is None) == (not len(docs))
                if found is not None:
                    assert found[0].tolist() == docs.tolist() and found[1].tolist() == weights.tolist()
        assert arrays.lookup("body", "vắng") is None


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
