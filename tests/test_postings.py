"""Block-wise posting reads agree with Whoosh's own matchers, segments and deletions included."""

import random

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID
from whoosh.fields import TEXT
from whoosh.fields import Schema

from portal import postings

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
