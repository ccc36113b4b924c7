import random

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID
from whoosh.fields import TEXT
from whoosh.fields import Schema
from whoosh.qparser import OrGroup
from whoosh.qparser import QueryParser

from indexer.codec import IndexCodec
from indexer.store import IndexStore

WORDS = ["đảng", "viên", "tỉnh", "ủy", "kết", "luận", "của", "thường", "trực", "ban", "huyện", "xã"]


def _index(folder, codec):
    ix = whoosh_index.create_in(str(folder), Schema(id=ID(stored=True), body=TEXT()))
    rng = random.Random(11)
    with ix.writer(codec=codec) as writer:
        for n in range(600):
            writer.add_document(id=str(n), body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 200))))
    return ix


@pytest.mark.parametrize("query", ["đảng viên", "huyện xã ban", "thường", '"kết luận"'])
def test_whoosh_scoring_finds_the_same_top_documents_without_length_statistics(tmp_path, query):
    (tmp_path / "ours").mkdir()
    (tmp_path / "whoosh").mkdir()
    ours, theirs = _index(tmp_path / "ours", IndexCodec()), _index(tmp_path / "whoosh", W3Codec())
    parsed = QueryParser("body", ours.schema, group=OrGroup).parse(query)
    with ours.searcher() as a, theirs.searcher() as b:
        found = [[(hit["id"], round(hit.score, 6)) for hit in s.search(parsed, limit=10)] for s in (a, b)]
    assert found[0] == found[1] and len(found[0]) == 10


def test_built_indexes_use_the_codec(seed_index):
    with whoosh_index.open_dir(IndexStore(str(seed_index)).current_path()).reader() as reader:
        codecs = [segment.segment().codec() for segment, _ in reader.leaf_readers()]
    assert codecs and all(isinstance(codec, IndexCodec) and not codec.length_stats for codec in codecs)
