from whoosh import index as whoosh_index
from whoosh.query import Term

from indexer.extract import Metadata
from indexer.notice import Notice
from indexer.refs import ref_key
from indexer.schema import FACET_FIELDS
from indexer.schema import UNDATED
from indexer.schema import build_schema
from indexer.schema import index_fields
from indexer.store import IndexStore


def _ids(searcher, query):
    return sorted(searcher.stored_fields(d)["id"] for d in query.docs(searcher))


def test_facet_fields_count_every_value(seed_index):
    ix = whoosh_index.open_dir(IndexStore(str(seed_index)).current_path())
    with ix.searcher() as s:
        assert _ids(s, Term("year", "2014")) == ["000_0e1e5b514ef6e61b", "003_c27fd48b03f3a55c"]
        assert _ids(s, Term("month", "2008-05")) == ["004_abab5fe7c577bb0b"]
        assert _ids(s, Term("signer", "Lê Tấn Lai")) == ["000_0e1e5b514ef6e61b", "003_c27fd48b03f3a55c"]
        assert _ids(s, Term("units", "Đảng ủy khối Doanh nghiệp")) == ["004_abab5fe7c577bb0b"]
        assert _ids(s, Term("topics", "Kiểm tra, giám sát")) == ["001_dddd422e47ca07c7"]
        assert _ids(s, Term("type", "Tin bài")) == ["001_dddd422e47ca07c7"]
        assert _ids(s, Term("number_key", ref_key("503/TB-TU"))) == ["004_abab5fe7c577bb0b"]
        assert _ids(s, Term("cites", ref_key("20-CT/TU"))) == ["004_abab5fe7c577bb0b"]
        assert _ids(s, Term("title_words", "đảng_viên")) == ["001_dddd422e47ca07c7"]


def test_dates_sort_and_undated_notices_are_countable(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer() as writer:
        for doc_id, date in (("a", "2014-06-05"), ("b", None), ("c", "2008-05-16")):
            writer.add_document(**index_fields(Notice(Metadata(id=doc_id, date=date, title=doc_id), "x", "p")))
    with ix.searcher() as s:
        assert _ids(s, Term("year", UNDATED)) == ["b"]
        newest = s.search(Term("body", "x"), sortedby="date", reverse=True)
        assert [hit["id"] for hit in newest] == ["a", "c", "b"]
    assert set(FACET_FIELDS) <= set(build_schema().names())
