import json
import os
import shutil
import subprocess
import sys

from indexer.store import IndexStore
from tests.conftest import CORPUS
from tests.conftest import NOTICES
from tests.conftest import ROOT
from tests.conftest import SHARED
from tests.conftest import require_shared

FIELDS = {"origin", "id", "type", "number", "date", "meeting_date", "title", "signer", "signer_title", "chair",
          "chair_title", "author", "units", "topics", "references", "place", "issuer", "path", "warnings",
          "provenance"}


def _run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_extract_prints_one_json_object_per_file():
    paths = sorted(os.path.join(NOTICES, name) for name in os.listdir(NOTICES))
    result = _run("extract", *paths)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == paths
    for record in records:
        assert set(record) == FIELDS


def test_extract_reports_unreadable_files_and_goes_on(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    good = os.path.join(NOTICES, "004_abab5fe7c577bb0b.txt")
    result = _run("extract", str(bad), good)
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["path"] == str(bad) and "rỗng" in first["error"]
    assert second["number"] == "503-TB/TU"
    assert str(bad) in result.stderr


def test_build_prints_a_summary_in_vietnamese(tmp_path):
    result = _run("build", "--corpus", NOTICES, "--index", str(tmp_path / "ix"))
    assert result.returncode == 0, result.stderr
    assert "Đã xây lại toàn bộ chỉ mục" in result.stdout
    assert "thêm 4" in result.stdout
    assert "Thiếu trường" in result.stdout


def test_build_fails_clearly_on_a_missing_corpus(tmp_path):
    result = _run("build", "--corpus", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix"))
    assert result.returncode == 1
    assert "không có thư mục" in result.stderr


def test_update_rebuilds_from_the_sources_the_last_build_recorded(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(NOTICES, corpus)
    bulk = tmp_path / "records.jsonl"
    bulk.write_text(json.dumps({"id": "tin-1", "title": "Tin về cảng cá", "text": "Cảng cá Phan Thiết."},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    built = _run("build", "--corpus", str(corpus), "--jsonl", str(bulk), "--vocab", CORPUS,
                 "--index", str(index))
    assert built.returncode == 0, built.stderr
    first = sorted(os.listdir(corpus))[0]
    (corpus / first).with_suffix(".meta.json").write_text('{"title": "Tiêu đề đã sửa"}', encoding="utf-8")
    updated = _run("update", "--index", str(index), cwd=tmp_path)  # sources come from the manifest
    assert updated.returncode == 0, updated.stderr
    assert "cập nhật 1" in updated.stdout and "xóa 0" in updated.stdout
    manifest = IndexStore(str(index)).read_manifest()
    assert manifest["sources"] == {"corpus": str(corpus), "jsonl": [str(bulk)], "vocab": CORPUS}
    assert "tin-1" in manifest["docs"]


def test_update_refuses_an_index_without_recorded_sources(tmp_path):
    result = _run("update", "--index", str(tmp_path / "ix"))
    assert result.returncode == 1
    assert "chưa ghi nguồn" in result.stderr


def test_the_shared_metadata_checker_passes():
    tool = require_shared(os.path.join(SHARED, "tools", "check_metadata.py"))
    result = subprocess.run([sys.executable, tool, "--python", sys.executable], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.stdout.strip().splitlines()[-1] == "metadata: 65/65 checks pass", result.stdout
