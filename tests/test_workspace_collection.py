"""Where the workspace finds a notice's file: through the manifest, never by joining an id onto a path."""

import gzip
import json
import os

import pytest

from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.store import MANIFEST
from indexer.vocab import load_vocabulary
from portal import create_app
from portal.workspace import collection


@pytest.fixture
def built(corpus_dir, tmp_path):
    bulk = tmp_path / "records.jsonl.gz"
    with gzip.open(bulk, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "tin-1", "title": "Tin", "text": "Nội dung."}, ensure_ascii=False) + "\n")
    index = tmp_path / "index"
    build_index(BuildOptions(index=str(index), corpus=str(corpus_dir / "notices"), jsonl=(str(bulk),),
                             vocab=str(corpus_dir)), load_vocabulary(str(corpus_dir)))
    app = create_app({"TESTING": True, "INDEX_PATH": str(index)})
    with app.app_context():
        yield corpus_dir, bulk


def test_a_notice_file_is_found_through_the_manifest(built):
    corpus_dir, _ = built
    name = sorted(n for n in os.listdir(corpus_dir / "notices") if n.endswith(".txt"))[0]
    doc_id = name[:-4]
    assert collection.notice_file(doc_id) == os.path.realpath(corpus_dir / "notices" / name)
    assert collection.corpus_folder() == str(corpus_dir / "notices")
    assert collection.vocabulary_folder() == str(corpus_dir)
    assert not collection.is_bulk(doc_id)


def test_bulk_records_and_unknown_ids_have_no_file(built):
    assert collection.is_bulk("tin-1")
    assert collection.notice_file("tin-1") is None
    for doc_id in ("khong-co", "../../etc/passwd", "", "..", "%2e%2e"):
        assert collection.notice_file(doc_id) is None


def test_a_manifest_entry_pointing_outside_the_corpus_is_refused(built, tmp_path):
    index = tmp_path / "index"
    current = (index / "CURRENT").read_text().strip()
    path = index / current / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["docs"]["ke-la"] = {"source": "../../../etc/passwd"}
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert collection.notice_file("ke-la") is None


def test_an_index_not_built_yet_has_no_sources(tmp_path):
    app = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "none")})
    with app.app_context():
        assert collection.corpus_folder() is None
        assert collection.notice_file("x") is None
