"""Name variants (/quan-tri/ten-goi): grouping, the vocabulary rewrite, merge and undo, end to end."""

import json
import os
import re
import shutil
import sys
import time

import pytest

from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.vocab import load_vocabulary
from portal import workspace
from portal.workspace import audit
from portal.workspace import merges
from portal.workspace import variants
from portal.workspace import vocabfile
from portal.workspace.db import get_db
from portal.workspace.rebuild import Rebuilder
from portal.workspace.variants import KINDS
from portal.workspace.variants import Group
from portal.workspace.variants import Member
from portal.workspace.variants import expand
from portal.workspace.variants import find_groups
from portal.workspace.vocabfile import MergeRefused
from portal.workspace.vocabfile import merged_text
from tests.conftest import CORPUS
from tests.workspace_fixtures import make_user
from tests.workspace_fixtures import sign_in

PAGE = "/quan-tri/ten-goi"
MERGE = "/quan-tri/ten-goi/gop"
UNDO = "/quan-tri/ten-goi/hoan-tac"
JSON = {"Accept": "application/json"}
PEOPLE, UNITS = KINDS["nguoi"], KINDS["don-vi"]
UPDATE_SECONDS = 180


def _values(**counts) -> dict:
    return {name: {"": n, "unit": n} for name, n in counts.items()}


def _named(*pairs) -> dict:
    return {name: {"": n, "signer": n} for name, n in pairs}


def _names(groups: list[Group]) -> list[list[str]]:
    return [[m.name for m in g.members] for g in groups]


# -- grouping -----------------------------------------------------------------------------------

def test_names_alike_once_marks_punctuation_and_spaces_are_set_aside_are_one_group():
    values = _named(("Nguyễn Văn Thành", 3), ("Nguyen Van Thanh", 1), ("Nguyễn Văn  Thanh.", 1), ("Trần Hùng", 2))
    assert find_groups(values, {}) == [Group(
        members=(Member("Nguyễn Văn Thành", 3, (("signer", 3),), False, ("folded",)),
                 Member("Nguyen Van Thanh", 1, (("signer", 1),), False, ("folded",)),
                 Member("Nguyễn Văn  Thanh.", 1, (("signer", 1),), False, ("folded",))),
        suggested="Nguyễn Văn Thành", count=5)]


def test_abbreviations_written_out_join_and_the_full_form_is_suggested():
    abbreviations = variants.load_abbreviations()
    values = _values(**{"Thành ủy TP": 1, "Thành ủy TP HCM": 4, "Thành ủy Thành phố Hồ Chí Minh": 2,
                        "ĐU Khối DN": 2, "Đảng uỷ khối Doanh nghiệp": 3})
    groups = find_groups(values, {}, abbreviations)
    assert _names(groups) == [["Thành ủy Thành phố Hồ Chí Minh", "Thành ủy TP HCM", "Thành ủy TP"],
                              ["Đảng uỷ khối Doanh nghiệp", "ĐU Khối DN"]]
    assert [g.suggested for g in groups] == ["Thành ủy Thành phố Hồ Chí Minh", "Đảng uỷ khối Doanh nghiệp"]
    assert [m.reasons for m in groups[0].members] == [("abbreviation",), ("abbreviation", "shortened"), ("shortened",)]
    assert groups[0].count == 7


@pytest.mark.parametrize("name, expanded", [
    ("ĐU Khối DN", "đảng ủy khối doanh nghiệp"),
    ("Thành ủy TP.HCM", "thành ủy thành phố hồ chí minh"),
    ("Tp Phan Thiết", "thành phố phan thiết"),
    ("tp phan thiết", "tp phan thiết"),  # written small: a word, not an abbreviation
    ("Sở Du lịch", "sở du lịch"),  # "Du" is not "ĐU"
])
def test_expand_spells_out_abbreviations_written_with_a_capital(name, expanded):
    assert expand(name, variants.load_abbreviations()) == expanded


def test_vocabulary_aliases_group_with_their_entry_which_is_suggested():
    entries = load_vocabulary(CORPUS).units
    values = _values(**{"Hội Liên hiệp Phụ nữ tỉnh": 2, "Hội LHPN tỉnh": 1, "Thành uỷ Phan Thiet": 1,
                        "Đảng ủy khối Doanh nghiệp": 5, "ĐU Khối DN": 1})
    groups = find_groups(values, entries, variants.load_abbreviations())
    assert _names(groups) == [["Đảng ủy khối Doanh nghiệp", "ĐU Khối DN"],
                              ["Hội Liên hiệp Phụ nữ tỉnh", "Hội LHPN tỉnh"],
                              ["Thành ủy Phan Thiết", "Thành uỷ Phan Thiet"]]
    assert [m.entry for m in groups[2].members] == [True, False] and groups[2].members[0].count == 0
    assert groups[1].members[1].reasons == ("alias",)


def test_a_typo_in_a_long_word_joins_but_short_names_a_letter_apart_do_not():
    entries = load_vocabulary(CORPUS).people
    values = _named(("Lê Tiến Phươn", 1), ("Lê Tấn Lai", 5), ("Lê Tấn Tài", 2), ("Trần Văn Minh", 1),
                    ("Trần Văn Linh", 1), ("Ngyuễn Văn Hải", 1), ("Nguyễn Văn Hải", 3))
    groups = find_groups(values, entries)
    assert _names(groups) == [["Nguyễn Văn Hải", "Ngyuễn Văn Hải"], ["Lê Tiến Phương", "Lê Tiến Phươn"]]
    assert [m.reasons for g in groups for m in g.members] == [("distance",)] * 4  # a swap is one slip


def test_other_districts_and_a_shortened_name_fitting_two_groups_stay_apart():
    entries = load_vocabulary(CORPUS).units
    values = _values(**{"Huyện ủy Hàm Thuận Bắc": 2, "Huyện ủy Hàm Thuận Nam": 3, "Huyện ủy Hàm Thuận": 1,
                        "Huyện ủy Hàm Tân": 4})
    assert find_groups(values, entries, variants.load_abbreviations()) == []


def test_facet_counts_sum_a_kinds_facets_and_keep_each():
    facets = {"signer": [{"value": "A", "count": 1, "selected": False}, {"value": "B", "count": 1, "selected": False}],
              "chair": [{"value": "A", "count": 2, "selected": False}],
              "unit": [{"value": "U", "count": 4, "selected": False}], "topic": [{"value": "T", "count": 9}]}
    assert variants.facet_counts(facets, PEOPLE) == {"A": {"": 3, "signer": 1, "chair": 2}, "B": {"": 1, "signer": 1}}
    assert variants.facet_counts(facets, UNITS) == {"U": {"": 4, "unit": 4}}


# -- the vocabulary file --------------------------------------------------------------------------

def _units_text() -> str:
    with open(os.path.join(CORPUS, "units.toml"), encoding="utf-8") as f:
        return f.read()


def test_a_merge_changes_only_the_canonical_entrys_aliases_line():
    before = _units_text()
    after = merged_text(before, "unit", "Đảng ủy khối Doanh nghiệp", ["ĐU Khối DN", "Đảng uỷ khối Doanh nghiệp"])
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert len(old) == len(new) and len(changed) == 1
    assert new[changed[0]] == ('aliases = ["Đảng ủy khối Doanh nghiệp tỉnh", "Đảng bộ khối Doanh nghiệp", '
                               '"ĐUK Doanh nghiệp", "ĐU Khối DN"]\n')
    assert old[changed[0] - 1] == 'name = "Đảng ủy khối Doanh nghiệp"\n'


def test_a_new_canonical_name_becomes_a_new_entry_after_the_others():
    before = _units_text()
    after = merged_text(before, "unit", "Thành ủy Thành phố Hồ Chí Minh", ["Thành ủy TP", "Thành ủy TP HCM"])
    assert after == before + ('\n[[unit]]\nname = "Thành ủy Thành phố Hồ Chí Minh"\n'
                              'aliases = ["Thành ủy TP", "Thành ủy TP HCM"]\n')


def test_a_variant_that_is_an_entry_or_anothers_alias_moves_into_the_canonical_entry():
    before = ('# Người\n\n[[person]]\nname = "A Bê"\n# ghi chú\naliases = [\n  "A Be",  # không dấu\n]\n\n'
              '[[person]]\nname = "A Bề"\naliases = ["Bề"]\n\n[[person]]\nname = "Cê"\naliases = ["Xê", "Ă Bê"]\n')
    after = merged_text(before, "person", "A Bê", ["A Bề", "Ă Bê"])
    assert after == ('# Người\n\n[[person]]\nname = "A Bê"\n# ghi chú\naliases = [\n  "A Be",  # không dấu\n'
                     '  "A Bề",\n  "Ă Bê",\n  "Bề",\n]\n\n[[person]]\nname = "Cê"\naliases = ["Xê"]\n')


def test_a_canonical_name_that_is_anothers_alias_is_refused():
    with pytest.raises(MergeRefused, match="ĐUK Doanh nghiệp"):
        merged_text(_units_text(), "unit", "ĐUK Doanh nghiệp", ["ĐU Khối DN"])


def test_a_file_that_is_not_toml_is_refused():
    with pytest.raises(MergeRefused, match="không phải TOML"):
        merged_text("[[unit]\nname = ", "unit", "A", ["B"])


def test_a_vocabulary_that_would_not_load_is_refused(tmp_path):
    shutil.copyfile(os.path.join(CORPUS, "units.toml"), tmp_path / "units.toml")
    with pytest.raises(MergeRefused, match="không đọc được"):
        vocabfile.load_with(str(tmp_path), "units.toml", '[[unit]]\nname = "A"\naliases = "B"\n')


def test_write_atomic_keeps_the_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "people.toml"
    path.write_text("# cũ\n", encoding="utf-8")
    os.chmod(path, 0o640)
    vocabfile.write_atomic(str(path), "# mới\n")
    assert path.read_text(encoding="utf-8") == "# mới\n" and (os.stat(path).st_mode & 0o777) == 0o640
    assert os.listdir(tmp_path) == ["people.toml"]


# -- merge and undo, as the audit log sees them -------------------------------------------------------

@pytest.fixture
def vocab_dir(tmp_path):
    folder = tmp_path / "vocab"
    folder.mkdir()
    for name in ("units.toml", "people.toml", "topics.toml"):
        shutil.copyfile(os.path.join(CORPUS, name), folder / name)
    return folder


COUNTS = {"ĐU Khối DN": {"": 3, "unit": 3}, "Đảng ủy khối Doanh nghiệp": {"": 5, "unit": 5}}


def _merge(app, vocab_dir, actor="bientap", canonical="Đảng ủy khối Doanh nghiệp", chosen=("ĐU Khối DN",),
           kind=UNITS) -> int:
    with app.app_context():
        return merges.merge(get_db(), actor, kind, str(vocab_dir), canonical, list(chosen), COUNTS,
                            str(vocab_dir.parent / "vocabulary.lock"))


def _undo(app, vocab_dir, merge_id, actor="bientap", admin=False) -> int:
    with app.app_context():
        return merges.undo(get_db(), actor, admin, merge_id, str(vocab_dir), str(vocab_dir.parent / "vocabulary.lock"))


def _log(app, action):
    with app.app_context():
        return audit.recent(get_db(), 10, filters={"action": action})


def test_a_merge_is_logged_with_the_file_as_it_was_and_undo_restores_it(workspace_app, vocab_dir):
    path = vocab_dir / "units.toml"
    before = path.read_text(encoding="utf-8")
    merge_id = _merge(workspace_app, vocab_dir, canonical="Đảng ủy khối Doanh nghiệp",
                      chosen=["Đảng ủy khối Doanh nghiệp", "ĐU Khối DN"])
    merged = path.read_text(encoding="utf-8")
    assert load_vocabulary(str(vocab_dir)).canonical_unit("ĐU Khối DN") == "Đảng ủy khối Doanh nghiệp"
    [entry] = _log(workspace_app, "merge")
    assert entry["id"] == merge_id and entry["actor"] == "bientap"
    assert entry["detail"] == {
        "kind": "don-vi", "facets": ["unit"], "file": "units.toml", "canonical": "Đảng ủy khối Doanh nghiệp",
        "variants": ["ĐU Khối DN"], "notices": 3, "before": before, "before_hash": vocabfile.digest(before),
        "after_hash": vocabfile.digest(merged)}
    undo_id = _undo(workspace_app, vocab_dir, merge_id)
    assert path.read_text(encoding="utf-8") == before
    [undone] = _log(workspace_app, "merge.undo")
    assert undone["id"] == undo_id and undone["detail"]["merge"] == merge_id
    assert undone["detail"]["after_hash"] == vocabfile.digest(before)
    with pytest.raises(MergeRefused, match="đã được hoàn tác"):
        _undo(workspace_app, vocab_dir, merge_id)


def test_undo_is_refused_once_the_file_changed_since(workspace_app, vocab_dir):
    first = _merge(workspace_app, vocab_dir, canonical="Đảng ủy khối Doanh nghiệp")
    second = _merge(workspace_app, vocab_dir, canonical="Thành ủy Thành phố Hồ Chí Minh", chosen=["Thành ủy TP"])
    after_both = (vocab_dir / "units.toml").read_text(encoding="utf-8")
    with pytest.raises(MergeRefused, match="đã thay đổi sau lần gộp này"):
        _undo(workspace_app, vocab_dir, first)
    assert (vocab_dir / "units.toml").read_text(encoding="utf-8") == after_both
    _undo(workspace_app, vocab_dir, second)
    _undo(workspace_app, vocab_dir, first)  # in reverse order, both come off
    assert (vocab_dir / "units.toml").read_text(encoding="utf-8") == _units_text()


def test_only_an_admin_undoes_someone_elses_merge(workspace_app, vocab_dir):
    merge_id = _merge(workspace_app, vocab_dir, actor="nguoikhac", canonical="Đảng ủy khối Doanh nghiệp")
    with pytest.raises(MergeRefused, match="Chỉ quản trị viên"):
        _undo(workspace_app, vocab_dir, merge_id, actor="bientap")
    _undo(workspace_app, vocab_dir, merge_id, actor="quantri", admin=True)
    assert (vocab_dir / "units.toml").read_text(encoding="utf-8") == _units_text()


def test_a_broken_result_is_never_written_nor_logged(workspace_app, vocab_dir, monkeypatch):
    monkeypatch.setattr(merges, "merged_text", lambda *args: '[[unit]]\nname = "A"\naliases = "không phải danh sách"\n')
    with pytest.raises(MergeRefused, match="không đọc được nên không được ghi"):
        _merge(workspace_app, vocab_dir, canonical="Đảng ủy khối Doanh nghiệp")
    assert (vocab_dir / "units.toml").read_text(encoding="utf-8") == _units_text()
    assert _log(workspace_app, "merge") == []


def test_a_log_that_cannot_be_written_puts_the_file_back(workspace_app, vocab_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("nhật ký không ghi được")

    monkeypatch.setattr(audit, "record", refuse)
    with pytest.raises(RuntimeError):
        _merge(workspace_app, vocab_dir, canonical="Đảng ủy khối Doanh nghiệp")
    assert (vocab_dir / "units.toml").read_text(encoding="utf-8") == _units_text()


@pytest.mark.parametrize("canonical, chosen, message", [
    ("Đảng ủy khối Doanh nghiệp", ["ĐUK Doanh nghiệp"], "không có gì để gộp thêm"),
    ("", ["ĐU Khối DN"], "Hãy chọn hoặc nhập tên chuẩn"),
    ("Đảng ủy khối Doanh nghiệp", ["Đảng uỷ khối doanh nghiệp"], "ít nhất một tên khác tên chuẩn"),
    ("Đảng ủy khối Doanh nghiệp", ["Tỉnh ủy"], "cơ quan ban hành"),
    ("Đảng ủy khối Doanh nghiệp", ["x" * 201], "dài quá"),
])
def test_merges_that_make_no_sense_are_refused(workspace_app, vocab_dir, canonical, chosen, message):
    with pytest.raises(MergeRefused, match=message):
        _merge(workspace_app, vocab_dir, canonical=canonical, chosen=chosen)
    assert (vocab_dir / "units.toml").read_text(encoding="utf-8") == _units_text()


# -- end to end: a small index, the page, the public facets ------------------------------------------

NOTICE = """THÔNG BÁO

KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY
tại buổi làm việc với {unit} về công tác dân vận năm {year}

Ngày 05/6/{year}, đồng chí Dương Văn An – Phó Bí thư Tỉnh ủy có buổi làm việc với {unit} về công tác dân vận năm {year}. Sau khi nghe báo cáo và ý kiến của các thành viên dự họp, đồng chí Phó Bí thư Tỉnh ủy đã kết luận:

1. Trong năm {year}, {unit} đã tập trung lãnh đạo, chỉ đạo thực hiện công tác dân vận đạt nhiều kết quả.

2. Thời gian tới, đề nghị {unit} tiếp tục quan tâm công tác dân vận.

Văn phòng Tỉnh ủy thông báo ý kiến kết luận của Thường trực Tỉnh ủy để {unit} biết, triển khai thực hiện./.

Nơi nhận:

- Thường trực Tỉnh ủy;
- Lưu Văn phòng Tỉnh ủy.

CHÁNH VĂN PHÒNG

(đã ký và đóng dấu)

{signer}
"""
# Each notice: file name, the unit it is written with, its signer as written, its sidecar (if any).
NOTICES = [
    ("tp-hcm-2015", "Thành ủy TP HCM", "Nguyễn Văn Thành", None),
    ("tp-2016", "Thành ủy TP", "Nguyễn Văn Thanh", None),
    ("du-khoi-dn-2017", "ĐU Khối DN", "Nguyen Van Thanh", {"units": ["ĐU Khối DN"]}),
]
SCRIPT_NAMES = ("Trần <script>alert(1)</script> Hùng", "Tran <script>alert(1)</script> Hung")


@pytest.fixture
def small_corpus(tmp_path):
    """A copy of corpus/ with three notices writing one unit and one signer in several ways."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    for n, (name, unit, signer, sidecar) in enumerate(NOTICES):
        (folder / "notices" / f"{name}.txt").write_text(NOTICE.format(unit=unit, signer=signer, year=2015 + n),
                                                        encoding="utf-8")
        if sidecar:
            (folder / "notices" / f"{name}.meta.json").write_text(json.dumps(sidecar, ensure_ascii=False),
                                                                  encoding="utf-8")
    return folder


@pytest.fixture
def workspace_config(workspace_config, small_corpus, tmp_path):
    index = str(tmp_path / "index")
    build_index(BuildOptions(index=index, corpus=str(small_corpus / "notices"), vocab=str(small_corpus), procs=1),
                load_vocabulary(str(small_corpus)))
    return {**workspace_config, "INDEX_PATH": index}


def _facet(client, facet: str) -> dict:
    return {item["value"]: item["count"] for item in client.get("/api/search").get_json()["facets"][facet]}


def _token(client) -> str:
    """The session's CSRF token, as this page gives it to scripts (not through the queue page: one page at stake)."""
    page = client.get(PAGE + "?loai=don-vi").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": _token(client), **data})


def _wait_for_update(app) -> None:
    """Wait until the updates the requests asked for have run (the views keep their tickets to themselves)."""
    updater = workspace.rebuilder(app)
    deadline = time.monotonic() + UPDATE_SECONDS
    while updater.status()["busy"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not updater.status()["busy"] and updater.last.ok, updater.last and updater.last.output


def test_the_page_lists_groups_with_counts_per_field(editor_client):
    page = editor_client.get(PAGE + "?loai=nguoi", headers=JSON).get_json()
    assert page["groups"] == [{"suggested": "Nguyễn Văn Thành", "count": 3, "count_label": "3 lượt ký hoặc chủ trì", "members": [
        {"name": name, "count": 1, "entry": False, "reasons": ["giống nhau khi bỏ dấu, dấu câu, dấu cách"], "weak": False,
         "by_facet": [{"facet": "signer", "label": "Người ký", "count": 1}]}
        for name in ("Nguyễn Văn Thành", "Nguyen Van Thanh", "Nguyễn Văn Thanh")]}]
    assert "Dương Văn An" in page["names"] and page["can_merge"] and page["problem"] is None
    units = editor_client.get(PAGE + "?loai=don-vi", headers=JSON).get_json()["groups"]
    assert [[(m["name"], m["count"], m["weak"]) for m in g["members"]] for g in units] == [
        [("Thành ủy TP HCM", 1, True), ("Thành ủy TP", 1, True)],
        [("Đảng ủy khối Doanh nghiệp", 1, False), ("ĐU Khối DN", 1, False)]]
    html = editor_client.get(PAGE + "?loai=don-vi").get_data(as_text=True)
    # A shortened name is offered, not ticked: it would also match "Thành ủy TP Phan Thiết".
    assert 'name="bien_the" value="Thành ủy TP" aria-label="Gộp «Thành ủy TP»">' in html
    assert 'name="bien_the" value="ĐU Khối DN" aria-label="Gộp «ĐU Khối DN»" checked>' in html


@pytest.mark.slow
def test_a_merge_makes_one_public_facet_value_and_undo_brings_both_back(editor_client, workspace_app, small_corpus):
    before = _facet(editor_client, "unit")
    assert before["Thành ủy TP HCM"] == 1 and before["Thành ủy TP"] == 1
    assert before["ĐU Khối DN"] == 1 and before["Đảng ủy khối Doanh nghiệp"] == 1
    response = _post(editor_client, MERGE, {"loai": "don-vi", "ten_chuan": "Thành ủy TP HCM",
                                            "ten_khac": "Thành ủy Thành phố Hồ Chí Minh",
                                            "bien_the": ["Thành ủy TP HCM", "Thành ủy TP"]})
    assert response.status_code == 303
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã gộp 2 tên vào «Thành ủy Thành phố Hồ Chí Minh»." in page
    _wait_for_update(workspace_app)
    after = _facet(editor_client, "unit")
    assert after["Thành ủy Thành phố Hồ Chí Minh"] == 2
    assert "Thành ủy TP HCM" not in after and "Thành ủy TP" not in after
    [entry] = _log(workspace_app, "merge")
    assert entry["detail"]["variants"] == ["Thành ủy TP HCM", "Thành ủy TP"] and entry["detail"]["notices"] == 2
    response = _post(editor_client, UNDO, {"loai": "don-vi", "gop": entry["id"]})
    assert response.status_code == 303
    _wait_for_update(workspace_app)
    assert _facet(editor_client, "unit") == before
    assert (small_corpus / "units.toml").read_text(encoding="utf-8") == _units_text()


@pytest.mark.slow
def test_merging_signers_reclassifies_text_and_sidecar_values_alike(editor_client, workspace_app, small_corpus):
    assert editor_client.get(PAGE + "?loai=don-vi").status_code == 200
    response = editor_client.post(MERGE, json={"loai": "don-vi", "ten_chuan": "Đảng ủy khối Doanh nghiệp",
                                               "bien_the": ["ĐU Khối DN"]},
                                  headers={"X-CSRF-Token": _token(editor_client), **JSON})
    assert response.status_code == 200 and response.get_json()["merge"]
    response = _post(editor_client, MERGE, {"loai": "nguoi", "ten_chuan": "Nguyễn Văn Thành",
                                            "bien_the": ["Nguyễn Văn Thành", "Nguyen Van Thanh", "Nguyễn Văn Thanh"]})
    assert response.status_code == 303
    _wait_for_update(workspace_app)
    signers = _facet(editor_client, "signer")
    assert signers["Nguyễn Văn Thành"] == 3 and "Nguyen Van Thanh" not in signers and "Nguyễn Văn Thanh" not in signers
    units = _facet(editor_client, "unit")
    assert units["Đảng ủy khối Doanh nghiệp"] == 2 and "ĐU Khối DN" not in units
    people = load_vocabulary(str(small_corpus)).people
    assert people["Nguyễn Văn Thành"] == ("Nguyen Van Thanh", "Nguyễn Văn Thanh")
    assert editor_client.get(PAGE + "?loai=nguoi", headers=JSON).get_json()["groups"] == []


def test_the_page_says_the_notices_are_being_reclassified_while_the_update_runs(editor_client, workspace_app,
                                                                                tmp_path):
    go = tmp_path / "go"
    hold = (sys.executable, "-c", f"import os, time\nwhile not os.path.exists({str(go)!r}): time.sleep(0.05)")
    workspace_app.extensions["workspace.rebuilder"] = Rebuilder(workspace_app.config["INDEX_PATH"], command=hold)
    _post(editor_client, MERGE, {"loai": "don-vi", "ten_chuan": "Đảng ủy khối Doanh nghiệp", "bien_the": ["ĐU Khối DN"]})
    total = len(NOTICES) + len([n for n in os.listdir(os.path.join(CORPUS, "notices")) if n.endswith(".txt")])
    page = editor_client.get(PAGE).get_data(as_text=True)
    assert f"Đang phân loại lại {total} văn bản…" in page and "admin-variants.js" in page
    assert editor_client.get(PAGE, headers=JSON).get_json()["update"]["busy"] is True
    go.touch()
    _wait_for_update(workspace_app)
    status = editor_client.get(PAGE, headers=JSON).get_json()["update"]
    assert status["busy"] is False and status["message"].startswith("Chỉ mục đã được cập nhật")


def test_merge_and_undo_need_the_csrf_token_and_a_session(editor_client, workspace_app, small_corpus):
    units = (small_corpus / "units.toml").read_text(encoding="utf-8")
    form = {"loai": "don-vi", "ten_chuan": "Đảng ủy khối Doanh nghiệp", "bien_the": ["ĐU Khối DN"]}
    assert editor_client.post(MERGE, data=form).status_code == 403
    assert editor_client.post(MERGE, json=form, headers=JSON).status_code == 403
    anonymous = workspace_app.test_client()
    assert anonymous.post(MERGE, data=form).status_code == 302
    assert anonymous.post(UNDO, data={"gop": "1"}, headers=JSON).status_code == 401
    assert (small_corpus / "units.toml").read_text(encoding="utf-8") == units
    assert _log(workspace_app, "merge") == []


def test_an_editor_cannot_undo_an_admins_merge_through_the_page(workspace_app, editor_client, small_corpus):
    make_user(workspace_app, "quantri", "admin")
    admin = workspace_app.test_client()
    sign_in(admin, "quantri")
    workspace_app.extensions["workspace.rebuilder"] = Rebuilder("unused", command=(sys.executable, "-c", ""))
    _post(admin, MERGE, {"loai": "don-vi", "ten_chuan": "Đảng ủy khối Doanh nghiệp", "bien_the": ["ĐU Khối DN"]})
    [entry] = _log(workspace_app, "merge")
    page = editor_client.get(PAGE + "?loai=don-vi").get_data(as_text=True)
    assert f'name="gop" value="{entry["id"]}"' not in page
    response = _post(editor_client, UNDO, {"loai": "don-vi", "gop": entry["id"]})
    assert response.status_code == 409 and "Chỉ quản trị viên" in response.get_data(as_text=True)
    assert _post(admin, UNDO, {"loai": "don-vi", "gop": entry["id"]}).status_code == 303
    assert (small_corpus / "units.toml").read_text(encoding="utf-8") == _units_text()


def test_bad_input_gets_a_vietnamese_answer_not_an_error(editor_client, small_corpus):
    response = _post(editor_client, MERGE, {"loai": "khong-co", "ten_chuan": "A", "bien_the": ["B"]})
    assert response.status_code == 400 and "Không rõ loại tên" in response.get_data(as_text=True)
    response = _post(editor_client, MERGE, {"loai": "nguoi", "ten_chuan": "Nguyễn Văn Thành"})
    assert response.status_code == 400 and "ít nhất một tên" in response.get_data(as_text=True)
    response = _post(editor_client, UNDO, {"gop": "../1"})
    assert response.status_code == 400 and "Không rõ lần gộp" in response.get_data(as_text=True)
    response = _post(editor_client, UNDO, {"gop": "999"})
    assert response.status_code == 409 and "Không có lần gộp này" in response.get_data(as_text=True)


def test_names_with_script_are_shown_escaped(editor_client, workspace_app, small_corpus):
    for (name, *_), chair in zip(NOTICES, SCRIPT_NAMES):
        side = small_corpus / "notices" / f"{name}.meta.json"
        data = json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}
        side.write_text(json.dumps({**data, "chair": chair}, ensure_ascii=False), encoding="utf-8")
    updater = workspace.rebuilder(workspace_app)
    assert updater.wait(updater.request(), timeout=UPDATE_SECONDS) and updater.last.ok
    workspace_app.extensions["workspace.rebuilder"] = Rebuilder("unused", command=(sys.executable, "-c", ""))
    _post(editor_client, MERGE, {"loai": "nguoi", "ten_chuan": SCRIPT_NAMES[0], "bien_the": list(SCRIPT_NAMES)})
    page = editor_client.get(PAGE + "?loai=nguoi").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "Trần &lt;script&gt;alert(1)&lt;/script&gt; Hùng" in page  # in the groups and in the merges
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
