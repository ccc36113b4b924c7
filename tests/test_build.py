import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter
from whoosh.query import Phrase

from indexer import build as build_module
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.reading import DEFAULT_MAX_BYTES
from indexer.store import BuildLocked
from indexer.store import IndexStore
from tests.conftest import ROOT
from tests.conftest import read_seed


def _build(corpus, index, vocab, **kwargs):
    return build_index(BuildOptions(index=str(index), corpus=str(corpus), **kwargs), vocab)


def _served_ids(index) -> list[str]:
    ix = whoosh_index.open_dir(IndexStore(str(index)).current_path())
    with ix.searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def test_first_build_indexes_every_notice_with_its_metadata(corpus_dir, tmp_path, vocab):
    report = _build(corpus_dir, tmp_path / "ix", vocab)
    assert (report.added, report.updated, report.removed, report.full) == (4, 0, 0, True)
    assert report.skipped == []
    ix = whoosh_index.open_dir(IndexStore(str(tmp_path / "ix")).current_path())
    with ix.searcher() as searcher:
        doc = searcher.document(id="004_abab5fe7c577bb0b")
    assert doc["meta"]["number"] == "503-TB/TU"
    assert doc["body"].startswith("TỈNH ỦY BÌNH THUẬN")
    assert report.missing["number"] == 2


def test_unchanged_and_touched_files_are_not_reanalyzed(corpus_dir, tmp_path, vocab):
    _build(corpus_dir, tmp_path / "ix", vocab)
    again = _build(corpus_dir, tmp_path / "ix", vocab)
    assert (again.generation, again.unchanged, again.indexed_ids) == (None, 4, [])
    os.utime(corpus_dir / "notices" / "000_0e1e5b514ef6e61b.txt")
    touched = _build(corpus_dir, tmp_path / "ix", vocab)
    assert (touched.generation, touched.indexed_ids) == (None, [])
    # The touch was recorded: the next build does not even hash the file again.
    assert IndexStore(str(tmp_path / "ix")).read_manifest()["docs"]["000_0e1e5b514ef6e61b"]["sig"]


def test_a_changed_file_is_the_only_one_reanalyzed(corpus_dir, tmp_path, vocab):
    first = _build(corpus_dir, tmp_path / "ix", vocab)
    path = corpus_dir / "notices" / "003_c27fd48b03f3a55c.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Lê Tấn Lai", "Nguyễn Văn Bình"), encoding="utf-8")
    report = _build(corpus_dir, tmp_path / "ix", vocab)
    assert report.indexed_ids == ["003_c27fd48b03f3a55c"]
    assert (report.updated, report.added, report.unchanged) == (1, 0, 3)
    assert report.generation != first.generation
    ix = whoosh_index.open_dir(IndexStore(str(tmp_path / "ix")).current_path())
    with ix.searcher() as searcher:
        assert searcher.document(id="003_c27fd48b03f3a55c")["meta"]["signer"] == "Nguyễn Văn Bình"
        assert searcher.doc_count() == 4


def test_deleted_files_leave_the_index(corpus_dir, tmp_path, vocab):
    _build(corpus_dir, tmp_path / "ix", vocab)
    (corpus_dir / "notices" / "001_dddd422e47ca07c7.txt").unlink()
    report = _build(corpus_dir, tmp_path / "ix", vocab)
    assert report.removed == 1
    assert "001_dddd422e47ca07c7" not in _served_ids(tmp_path / "ix")


def test_editing_a_vocabulary_reclassifies_everything(corpus_dir, tmp_path, vocab):
    from indexer.vocab import load_vocabulary

    _build(corpus_dir, tmp_path / "ix", vocab)
    with open(corpus_dir / "units.toml", "a", encoding="utf-8") as f:
        f.write('\n[[unit]]\nname = "Sở Nội vụ"\naliases = []\n')
    report = _build(corpus_dir, tmp_path / "ix", load_vocabulary(str(corpus_dir)))
    assert report.full and len(report.indexed_ids) == 4


def test_bad_files_are_skipped_with_reasons_and_the_build_goes_on(corpus_dir, tmp_path, vocab):
    notices = corpus_dir / "notices"
    (notices / "empty.txt").write_bytes(b"")
    (notices / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    (notices / "scan.pdf").write_bytes(b"%PDF-1.4")
    (notices / ".hidden.txt").write_text("Thông báo", encoding="utf-8")
    (notices / "khac").mkdir()
    (notices / "khac" / "000_0e1e5b514ef6e61b.html").write_text("<p>trùng mã</p>", encoding="utf-8")
    (notices / "orphan.meta.json").write_text("{}", encoding="utf-8")
    (notices / "tên có dấu cách.txt").write_text(read_seed("001_dddd422e47ca07c7.txt"), encoding="utf-8")
    report = _build(corpus_dir, tmp_path / "ix", vocab)
    reasons = {os.path.basename(path): reason for path, reason in report.skipped}
    assert set(reasons) == {"empty.txt", "photo.txt", "scan.pdf", ".hidden.txt", "000_0e1e5b514ef6e61b.html",
                            "orphan.meta.json"}
    assert "rỗng" in reasons["empty.txt"] and "PNG" in reasons["photo.txt"]
    assert "trùng mã" in reasons["000_0e1e5b514ef6e61b.html"]
    assert "tên-có-dấu-cách" in _served_ids(tmp_path / "ix")
    assert report.added == 5


def test_every_kind_of_office_file_goes_in_or_out_with_a_reason(corpus_dir, tmp_path, vocab):
    from tests.test_reading import TCVN3
    from tests.test_reading import VNI
    from tests.variants import to_cp1258

    notices = corpus_dir / "notices"
    good = read_seed("004_abab5fe7c577bb0b.txt").encode()
    (notices / "hỏng giữa.txt").write_bytes(good[:3000] + b"\xff\xfe" + good[3000:])
    (notices / "huge.txt").write_bytes(b"a" * (DEFAULT_MAX_BYTES + 1))
    (notices / "tcvn3.txt").write_bytes((TCVN3 + ".\n").encode("cp1252") * 3)
    (notices / "vni.txt").write_bytes((VNI + ".\n").encode("cp1252") * 3)
    (notices / "cp1258.txt").write_bytes(to_cp1258(read_seed("003_c27fd48b03f3a55c.txt")))
    (notices / "latin1.txt").write_bytes("Réunion du comité à Paris, été. ".encode("latin-1") * 40)
    (notices / "trang.html").write_text(
        "<html><head><title><script>alert(1)</script></title><script>alert(2)</script><style>p{}</style></head>"
        "<body><article><h1>Hội nghị</h1><p>" + "Đảng viên mới. " * 30 + "</p></article></body></html>",
        encoding="utf-8")
    (notices / "vòng").symlink_to(notices, target_is_directory=True)  # a loop: never followed
    report = _build(corpus_dir, tmp_path / "ix", vocab)
    reasons = {os.path.basename(path): reason for path, reason in report.skipped}
    assert set(reasons) == {"huge.txt", "latin1.txt"}
    assert "quá lớn" in reasons["huge.txt"] and "bảng mã cũ" in reasons["latin1.txt"]
    ids = _served_ids(tmp_path / "ix")
    assert {"hỏng-giữa", "tcvn3", "vni", "cp1258", "trang"} <= set(ids)
    ix = whoosh_index.open_dir(IndexStore(str(tmp_path / "ix")).current_path())
    with ix.searcher() as searcher:
        assert "alert" not in searcher.document(id="trang")["body"]
        assert searcher.document(id="cp1258")["meta"]["signer"] == "Lê Tấn Lai"
        assert any("UTF-8" in w for w in searcher.document(id="hỏng-giữa")["meta"]["warnings"])


def test_a_file_that_turns_unreadable_keeps_its_indexed_version(corpus_dir, tmp_path, vocab):
    _build(corpus_dir, tmp_path / "ix", vocab)
    (corpus_dir / "notices" / "000_0e1e5b514ef6e61b.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = _build(corpus_dir, tmp_path / "ix", vocab)
    assert report.kept_stale == 1 and "giữ bản" in report.skipped[0][1]
    assert "000_0e1e5b514ef6e61b" in _served_ids(tmp_path / "ix")


def test_a_crash_mid_build_leaves_the_served_index_intact(corpus_dir, tmp_path, vocab, monkeypatch):
    _build(corpus_dir, tmp_path / "ix", vocab)
    store = IndexStore(str(tmp_path / "ix"))
    served = store.current_name()
    for name in ("000_0e1e5b514ef6e61b.txt", "001_dddd422e47ca07c7.txt"):
        path = corpus_dir / "notices" / name
        path.write_text(path.read_text(encoding="utf-8") + "\nPhụ lục.", encoding="utf-8")
    real = build_module.index_fields
    calls = []

    def crash_on_second(notice):
        calls.append(notice)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(notice)

    monkeypatch.setattr(build_module, "index_fields", crash_on_second)
    with pytest.raises(RuntimeError):
        _build(corpus_dir, tmp_path / "ix", vocab)
    assert store.current_name() == served
    assert store.generations() == [served]
    assert len(_served_ids(tmp_path / "ix")) == 4
    monkeypatch.setattr(build_module, "index_fields", real)
    assert _build(corpus_dir, tmp_path / "ix", vocab).updated == 2


@pytest.mark.slow
def test_sigkill_mid_build_leaves_the_served_index_intact(corpus_dir, tmp_path, vocab):
    index = tmp_path / "ix"
    _build(corpus_dir, index, vocab)
    store = IndexStore(str(index))
    served = store.current_name()
    text = read_seed("004_abab5fe7c577bb0b.txt")
    for i in range(240):
        (corpus_dir / "notices" / f"copy_{i:03d}.txt").write_text(f"{text}\nBản sao số {i}.", encoding="utf-8")
    command = [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus_dir), "--index", str(index)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(store.generations()) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert store.current_name() == served
    assert len(_served_ids(index)) == 4
    report = _build(corpus_dir, index, vocab)
    assert report.added == 240
    assert len(_served_ids(index)) == 244
    assert store.generations()[-1] == store.current_name()


def test_a_second_build_is_refused_while_one_runs(corpus_dir, tmp_path, vocab):
    store = IndexStore(str(tmp_path / "ix"))
    with store.lock():
        with pytest.raises(BuildLocked, match="đang chạy"):
            _build(corpus_dir, tmp_path / "ix", vocab)
        result = subprocess.run(
            [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus_dir), "--index", str(tmp_path / "ix")],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 75
    assert "đang chạy" in result.stderr


def _write_jsonl(path, records):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def test_bulk_jsonl_builds_and_updates_per_record(tmp_path, vocab):
    records = [{"id": str(i), "title": f"Tin số {i}", "text": f"Ngày: 0{i}.01.2020\nNội dung về đảng viên {i}."}
               for i in range(1, 6)]
    bulk = tmp_path / "bulk.jsonl.gz"
    _write_jsonl(bulk, records + [{"title": "no id"}])
    options = BuildOptions(index=str(tmp_path / "ix"), jsonl=(str(bulk),))
    first = build_index(options, vocab)
    assert first.added == 5 and len(first.skipped) == 1 and "thiếu" in first.skipped[0][1]
    assert build_index(options, vocab).generation is None
    records[2]["text"] += " Đã sửa."
    _write_jsonl(bulk, records)
    again = build_index(options, vocab)
    assert again.indexed_ids == ["3"] and again.removed == 0


def test_many_documents_use_worker_processes(tmp_path):
    from indexer.schema import build_schema

    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = build_module._writer(ix, 1000, BuildOptions(index=str(tmp_path), procs=2))
    try:
        assert isinstance(writer, MpWriter) and writer.procs == 2
    finally:
        writer.cancel()
    single = build_module._writer(ix, 3, BuildOptions(index=str(tmp_path), procs=2))
    assert not isinstance(single, MpWriter)
    single.cancel()


def _brute_force(texts: dict[str, str], phrase: list[str]) -> set[str]:
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, phrase)) + r"(?![^\W_])")
    return {doc_id for doc_id, text in texts.items() if pattern.search(text.lower())}


def test_phrase_recall_equals_a_brute_force_scan(seed_index):
    ix = whoosh_index.open_dir(IndexStore(str(seed_index)).current_path())
    with ix.searcher() as searcher:
        texts = {fields["id"]: fields["body"] for fields in searcher.all_stored_fields()}
        phrases = [["đảng", "viên"], ["tuy", "phong"], ["mặt", "trận", "tổ", "quốc"], ["503", "tb", "tu"],
                   ["kiểm", "tra", "giám", "sát"], ["chính", "trị", "tư", "tưởng"], ["ủy", "ban"], ["không", "có", "đâu"]]
        # Phrases typed without diacritics are matched by the portal over these same positions
        # (tests/test_facets.py checks them against brute force).
        for words in phrases:
            found = {searcher.stored_fields(d)["id"] for d in Phrase("body", words).docs(searcher)}
            assert found == _brute_force(texts, words), words
