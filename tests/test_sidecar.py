import json

from indexer.notice import load_file
from tests.conftest import read_seed

SEED = "000_0e1e5b514ef6e61b"


def _notice(tmp_path, sidecar):
    (tmp_path / f"{SEED}.txt").write_text(read_seed(f"{SEED}.txt"), encoding="utf-8")
    if sidecar is not None:
        data = sidecar if isinstance(sidecar, str) else json.dumps(sidecar, ensure_ascii=False)
        (tmp_path / f"{SEED}.meta.json").write_text(data, encoding="utf-8")
    return tmp_path / f"{SEED}.txt"


def test_sidecar_overrides_and_normalizes_fields(tmp_path, vocab):
    path = _notice(tmp_path, {"number": "12/TB-TU", "signer": "lê tấn  LAI", "issuer": "Tỉnh uỷ Bình Thuận",
                              "units": ["Đảng uỷ khối doanh nghiệp"], "date": "2014-06-06"})
    meta = load_file(str(path), vocab).meta
    assert meta.number == "12/TB-TU"
    assert meta.signer == "Lê Tấn Lai"
    assert meta.issuer == "Tỉnh ủy Bình Thuận"
    assert meta.units == ["Đảng ủy khối Doanh nghiệp"]
    assert meta.date == "2014-06-06"
    assert not any(w.startswith(("number:", "issuer:")) for w in meta.warnings)


def test_invalid_sidecar_is_ignored_with_a_warning(tmp_path, vocab):
    meta = load_file(str(_notice(tmp_path, "{not json")), vocab).meta
    assert meta.signer == "Lê Tấn Lai"
    assert any("không hợp lệ" in w and ".meta.json" in w for w in meta.warnings)


def test_unknown_fields_and_bad_values_are_reported(tmp_path, vocab):
    meta = load_file(str(_notice(tmp_path, {"colour": "red", "date": "16/5/2008", "units": "x"})), vocab).meta
    warnings = " | ".join(meta.warnings)
    assert "colour" in warnings
    assert "date: giá trị sửa" in warnings and "units: giá trị sửa" in warnings
    assert meta.date == "2014-06-05"  # the bad override did not replace the extracted date


def test_sidecar_can_clear_a_field(tmp_path, vocab):
    meta = load_file(str(_notice(tmp_path, {"chair": None, "references": []})), vocab).meta
    assert meta.chair is None and meta.references == []
