"""Building from folders of office files: empty folders, one notice in several files, cached conversions."""

import os
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer import officeconvert
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.vocab import load_vocabulary
from tests import officefiles
from tests.conftest import CORPUS
from tests.conftest import read_seed
from tests.officefiles import TCVN3
from tests.officefiles import UNICODE
from tests.officefiles import write_docx
from tests.test_cli import _run

SEED = "004_abab5fe7c577bb0b.txt"
needs_libreoffice = pytest.mark.skipif(not officefiles.have_libreoffice(), reason="LibreOffice is not installed (make test installs it)")


def _stored(index, doc_id: str) -> dict:
    ix = whoosh_index.open_dir(IndexStore(str(index)).current_path())
    with ix.searcher() as searcher:
        return searcher.document(id=doc_id)


def test_an_empty_folder_builds_an_empty_index_and_says_so(tmp_path):
    (tmp_path / "kho").mkdir()
    result = _run("build", "--corpus", str(tmp_path / "kho"), "--index", str(tmp_path / "ix"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Đã đọc 0 văn bản" in result.stdout and "Chỉ mục có 0 văn bản" in result.stdout
    assert IndexStore(str(tmp_path / "ix")).current_name()


def test_a_folder_where_every_file_is_skipped_lists_each_with_its_reason(tmp_path):
    folder = tmp_path / "kho"
    folder.mkdir()
    (folder / "rong.txt").write_bytes(b"")
    (folder / "anh.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (folder / "bang.xlsx").write_bytes(b"PK\x03\x04")
    result = _run("build", "--corpus", str(folder), "--index", str(tmp_path / "ix"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Chỉ mục có 0 văn bản" in result.stdout
    skipped = [line for line in result.stdout.splitlines() if line.strip().startswith("bỏ qua")]
    assert len(skipped) == 3
    assert any("rong.txt" in line and "rỗng" in line for line in skipped)
    assert any("bang.xlsx" in line and "không hỗ trợ" in line for line in skipped)


def test_deleting_the_last_notice_publishes_an_empty_index(tmp_path):
    folder = tmp_path / "kho"
    folder.mkdir()
    shutil.copy(os.path.join(CORPUS, "notices", SEED), folder)
    assert _run("build", "--corpus", str(folder), "--index", str(tmp_path / "ix"), "--quiet").returncode == 0
    (folder / SEED).unlink()
    result = _run("build", "--corpus", str(folder), "--index", str(tmp_path / "ix"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "xóa 1" in result.stdout and "Chỉ mục có 0 văn bản" in result.stdout


def test_one_notice_in_several_files_is_one_notice_with_several_originals(tmp_path, vocab):
    folder = tmp_path / "kho"
    folder.mkdir()
    text = read_seed(SEED)
    write_docx(str(folder / "503-TB-TU.docx"), text, TCVN3)
    (folder / "503-TB-TU.htm").write_text(f"<html><body><pre>{text}</pre></body></html>", encoding="utf-8")
    report = build_index(BuildOptions(index=str(tmp_path / "ix"), corpus=str(folder)), vocab)
    assert (report.added, report.skipped) == (1, [])
    meta = _stored(tmp_path / "ix", "503-TB-TU")["meta"]
    assert [o["name"] for o in meta["originals"]] == ["503-TB-TU.docx", "503-TB-TU.htm"]
    assert meta["originals"][0]["size"] == os.path.getsize(folder / "503-TB-TU.docx")
    assert meta["origin"]["format"] == "docx" and meta["origin"]["encodings"] == ["TCVN3"]
    assert meta["number"] == "503-TB/TU"


def test_when_the_preferred_file_is_damaged_the_next_one_gives_the_text(tmp_path, vocab):
    folder = tmp_path / "kho"
    folder.mkdir()
    (folder / "503-TB-TU.docx").write_bytes(b"PK\x03\x04" + bytes(64))
    (folder / "503-TB-TU.htm").write_text(f"<html><body><pre>{read_seed(SEED)}</pre></body></html>", encoding="utf-8")
    report = build_index(BuildOptions(index=str(tmp_path / "ix"), corpus=str(folder)), vocab)
    assert report.added == 1 and report.skipped == []
    meta = _stored(tmp_path / "ix", "503-TB-TU")["meta"]
    assert meta["origin"]["format"] == "html" and meta["number"] == "503-TB/TU"
    assert [o["name"] for o in meta["originals"]] == ["503-TB-TU.htm", "503-TB-TU.docx"]
    assert any("503-TB-TU.docx" in w and "ZIP hỏng" in w for w in meta["warnings"])


@needs_libreoffice
@pytest.mark.slow
def test_a_full_rebuild_does_not_convert_unchanged_files_again(tmp_path, monkeypatch):
    corpus = tmp_path / "kho"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("notices"))
    docx_path = write_docx(str(tmp_path / "cu.docx"), read_seed(SEED), TCVN3)
    officefiles.convert_with_libreoffice([docx_path], "doc", str(corpus))
    calls = []
    real = officeconvert.convert_to_docx
    monkeypatch.setattr(officeconvert, "convert_to_docx", lambda *args: calls.append(args) or real(*args))
    options = BuildOptions(index=str(tmp_path / "ix"), corpus=str(corpus))
    first = build_index(options, load_vocabulary(str(corpus)))
    assert first.added == 1 and len(calls) == 1
    # A vocabulary change re-reads every notice; the converted text comes from the cache.
    with open(corpus / "units.toml", "a", encoding="utf-8") as f:
        f.write('\n[[unit]]\nname = "Đảng ủy Khối Mới"\naliases = []\n')
    again = build_index(options, load_vocabulary(str(corpus)))
    assert again.full and again.added == 1 and len(calls) == 1
    assert _stored(tmp_path / "ix", "cu")["meta"]["origin"]["format"] == "doc"


@needs_libreoffice
@pytest.mark.slow
def test_a_word_file_and_its_signed_scan_are_one_notice_read_from_the_word_file(tmp_path, vocab, monkeypatch):
    from indexer import ocr
    from tests import scans

    folder = tmp_path / "kho"
    folder.mkdir()
    word = write_docx(str(folder / "503-TB-TU.docx"), read_seed(SEED), UNICODE)
    [pdf] = officefiles.convert_with_libreoffice([word], "pdf", str(tmp_path))
    scans.save_scan(scans.make_scan(pdf, str(tmp_path), None, angle=0.5), str(folder / "503-TB-TU.pdf"))
    recognized = []
    monkeypatch.setattr(ocr, "recognize", lambda *args: recognized.append(args) or pytest.fail("OCR ran"))
    report = build_index(BuildOptions(index=str(tmp_path / "ix"), corpus=str(folder)), vocab)
    assert (report.added, report.skipped, recognized) == (1, [], [])
    meta = _stored(tmp_path / "ix", "503-TB-TU")["meta"]
    assert meta["origin"]["method"] == "text" and meta["origin"]["format"] == "docx"
    assert [(o["name"], o["format"]) for o in meta["originals"]] == [("503-TB-TU.docx", "docx"), ("503-TB-TU.pdf", "pdf")]


@pytest.mark.slow
def test_a_scanned_notice_is_searchable_says_it_was_recognized_and_serves_its_original(tmp_path, vocab):
    from portal import create_app
    from tests import scans

    if not (officefiles.have_libreoffice() and shutil.which("tesseract")):
        pytest.skip("LibreOffice or Tesseract is not installed (make test installs them)")
    folder = tmp_path / "kho"
    folder.mkdir()
    word = write_docx(str(tmp_path / "503.docx"), read_seed("000_0e1e5b514ef6e61b.txt"), UNICODE)
    [pdf] = officefiles.convert_with_libreoffice([word], "pdf", str(tmp_path))
    scan = scans.save_scan(scans.make_scan(pdf, str(tmp_path), None, angle=0.7)[:1], str(folder / "Thông báo Tuy Phong.png"))
    build_index(BuildOptions(index=str(tmp_path / "ix"), corpus=str(folder)), vocab)
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "ix")}).test_client()
    hits = client.get("/api/search?q=Tuy Phong").get_json()["hits"]
    assert [hit["id"] for hit in hits] == ["Thông-báo-Tuy-Phong"]
    page = client.get(hits[0]["url"]).get_data(as_text=True)
    assert "nhận dạng từ bản quét" in page
    originals = client.get(f"/api/doc/{hits[0]['id']}").get_json()["originals"]
    assert [(o["name"], o["format"]) for o in originals] == [("Thông báo Tuy Phong.png", "png")]
    with client.get(originals[0]["url"]) as original:
        assert original.status_code == 200 and original.data == Path(scan).read_bytes()
        assert original.headers["Content-Type"] == "image/png"
