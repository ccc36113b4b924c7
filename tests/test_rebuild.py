"""The workspace's background index updates: a saved correction reaches the public search."""

import json
import os

from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.vocab import load_vocabulary
from portal import create_app
from portal.workspace.rebuild import Rebuilder


def _built(corpus_dir, tmp_path) -> str:
    index = str(tmp_path / "index")
    build_index(BuildOptions(index=index, corpus=str(corpus_dir / "notices"), vocab=str(corpus_dir)),
                load_vocabulary(str(corpus_dir)))
    return index


def _first_notice(corpus_dir) -> str:
    return sorted(p for p in os.listdir(corpus_dir / "notices") if p.endswith(".txt"))[0]


def _correct_title(corpus_dir, title: str) -> None:
    side = (corpus_dir / "notices" / _first_notice(corpus_dir)).with_suffix(".meta.json")
    side.write_text(json.dumps({"title": title}, ensure_ascii=False), encoding="utf-8")


def test_a_correction_reaches_the_public_search_without_a_restart(corpus_dir, tmp_path):
    index = _built(corpus_dir, tmp_path)
    client = create_app({"TESTING": True, "INDEX_PATH": index}).test_client()
    assert client.get("/api/search?q=cá voi xanh").get_json()["total"] == 0
    _correct_title(corpus_dir, "Về bảo tồn cá voi xanh")
    rebuilder = Rebuilder(index)
    assert rebuilder.wait(rebuilder.request(), timeout=120)
    assert rebuilder.last.ok, rebuilder.last.output
    hits = client.get("/api/search?q=cá voi xanh").get_json()["hits"]
    assert [h["title"] for h in hits] == ["Về bảo tồn cá voi xanh"]


def test_requests_during_an_update_fold_into_one_more(corpus_dir, tmp_path):
    index = _built(corpus_dir, tmp_path)
    store = IndexStore(index)
    before = store.current_name()
    rebuilder = Rebuilder(index)
    _correct_title(corpus_dir, "Lần sửa thứ nhất")
    first = rebuilder.request()
    tickets = []
    for n in range(3):  # saves while the first update runs
        _correct_title(corpus_dir, f"Lần sửa thứ {n + 2}")
        tickets.append(rebuilder.request())
    assert rebuilder.wait(tickets[-1], timeout=120) and rebuilder.wait(first, timeout=1)
    assert rebuilder.last.ok, rebuilder.last.output
    # Each update that changed something published one generation: at most two for four saves.
    published = int(store.current_name().split("-")[1]) - int(before.split("-")[1])
    assert 1 <= published <= 2
    found = create_app({"TESTING": True, "INDEX_PATH": index}).test_client().get('/api/search?q="lần sửa thứ"')
    assert [h["title"] for h in found.get_json()["hits"]] == ["Lần sửa thứ 4"]
    assert rebuilder.status()["busy"] is False


def test_an_update_waits_for_a_build_another_process_holds(corpus_dir, tmp_path):
    index = _built(corpus_dir, tmp_path)
    lock = IndexStore(index).lock()
    _correct_title(corpus_dir, "Sau khi khóa được nhả")
    rebuilder = Rebuilder(index)
    lock.acquire()
    try:
        ticket = rebuilder.request()
        assert not rebuilder.wait(ticket, timeout=1.0)  # refused by the lock, retrying
    finally:
        lock.release()
    assert rebuilder.wait(ticket, timeout=120)
    assert rebuilder.last.ok, rebuilder.last.output
    assert rebuilder.last.seconds >= 1.0


def test_a_failed_update_is_reported_not_hidden(tmp_path):
    rebuilder = Rebuilder(str(tmp_path / "no-index"))
    assert rebuilder.wait(rebuilder.request(), timeout=60)
    assert not rebuilder.last.ok
    assert "chưa ghi nguồn" in rebuilder.last.output


def test_an_update_runs_whatever_folder_the_server_started_in(corpus_dir, tmp_path, monkeypatch):
    index = _built(corpus_dir, tmp_path)
    _correct_title(corpus_dir, "Từ một thư mục khác")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path)
    rebuilder = Rebuilder(os.path.relpath(index))  # a relative INDEX_PATH, as a config may give it
    monkeypatch.chdir(elsewhere)
    assert rebuilder.wait(rebuilder.request(), timeout=120)
    assert rebuilder.last.ok, rebuilder.last.output
