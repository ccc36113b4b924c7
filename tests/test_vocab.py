import pytest

from indexer.vocab import VocabularyError
from indexer.vocab import load_vocabulary


@pytest.mark.parametrize(
    "written",
    ["Đảng uỷ khối Doanh nghiệp", "Đảng ủy Khối doanh nghiệp", "ĐẢNG ỦY KHỐI DOANH NGHIỆP", "Đảng  ủy khối   Doanh nghiệp"],
)
def test_unit_aliases_never_split_a_facet(vocab, written):
    assert vocab.canonical_unit(written) == "Đảng ủy khối Doanh nghiệp"
    assert vocab.find_units(f"làm việc với {written} về") == ["Đảng ủy khối Doanh nghiệp"]


def test_issuer_organs_are_not_units(vocab):
    assert vocab.find_units("Văn phòng Tỉnh ủy thông báo ý kiến của Thường trực Tỉnh ủy") == []
    assert vocab.canonical_unit("Văn phòng Tỉnh ủy") is None


def test_district_committees_are_found_without_an_entry(vocab):
    assert vocab.find_units("làm việc với Ban Thường vụ Huyện ủy Hàm Tân về") == ["Huyện ủy Hàm Tân"]
    assert vocab.find_units("các huyện, thị, thành ủy, đảng ủy trực thuộc") == []


def test_a_district_name_ends_with_its_line(vocab):
    assert vocab.find_units("- Huyện ủy Tuy Phong\n\nNgày 16 tháng 5 năm 2008") == ["Huyện ủy Tuy Phong"]
    assert vocab.find_units("- Thị ủy La Gi\nLưu Văn phòng") == ["Thị ủy La Gi"]


def test_a_city_committee_keeps_thanh_pho_in_its_name(vocab):
    assert vocab.find_units("Thành ủy Thành phố Hồ Chí Minh chủ trì") == ["Thành ủy Thành phố Hồ Chí Minh"]
    assert vocab.find_units("Thành ủy Thành phố phối hợp") == []


def test_a_listed_unit_wins_over_a_district_pattern_inside_it(tmp_path):
    for name in ("topics.toml", "people.toml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "units.toml").write_text(
        '[[unit]]\nname = "Thành ủy Thành phố Hồ Chí Minh"\naliases = ["Thành ủy TP HCM"]\n', encoding="utf-8")
    vocab = load_vocabulary(str(tmp_path))
    assert vocab.find_units("Thành ủy TP HCM và Thành ủy Thành phố Hồ Chí Minh") == ["Thành ủy Thành phố Hồ Chí Minh"]


def test_people_are_canonicalised(vocab):
    assert vocab.canonical_person("LÊ TẤN  LAI") == "Lê Tấn Lai"
    assert vocab.canonical_person("nguyễn văn bình") == "Nguyễn Văn Bình"


def test_topics_need_a_real_share_of_the_notice(vocab):
    title = "Kết luận về công tác phát triển đảng viên"
    body = "phát triển đảng viên mới, kết nạp đảng viên, quần chúng ưu tú. Có nhắc an ninh một lần."
    assert vocab.find_topics(title, body) == ["Phát triển đảng viên"]
    assert vocab.find_topics("", "") == []


def test_topic_phrases_ignore_punctuation(vocab):
    scores = vocab.topic_scores("", "công tác giáo dục chính trị tư tưởng")
    assert scores == vocab.topic_scores("", "công tác giáo dục chính trị, tư tưởng")
    assert scores["Giáo dục chính trị, tư tưởng"] > 0


def test_vocabulary_fingerprint_follows_the_files(tmp_path):
    (tmp_path / "topics.toml").write_text('[[topic]]\nname = "A"\nphrases = ["a b"]\n', encoding="utf-8")
    first = load_vocabulary(str(tmp_path)).fingerprint
    (tmp_path / "topics.toml").write_text('[[topic]]\nname = "A"\nphrases = ["a c"]\n', encoding="utf-8")
    assert load_vocabulary(str(tmp_path)).fingerprint != first


@pytest.mark.parametrize(
    ("content", "message"),
    [("[[topic]\nname=", "TOML"), ('[[topic]]\nphrases = ["x"]\n', "name"), ('[[topic]]\nname = "A"\nphrases = "x"\n', "danh sách")],
)
def test_broken_vocabulary_names_the_file(tmp_path, content, message):
    (tmp_path / "topics.toml").write_text(content, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message) as info:
        load_vocabulary(str(tmp_path))
    assert "topics.toml" in str(info.value)


def test_a_known_name_with_a_mark_lost_is_still_that_person(vocab, tmp_path):
    from indexer.vocab import load_vocabulary

    assert vocab.canonical_person("Huynh Đa Trung") == "Huỳnh Đa Trung"  # OCR dropped the mark
    assert vocab.canonical_person("huynh da trung") == "Huỳnh Đa Trung"
    assert vocab.canonical_person("Nguyen Van Binh") == "Nguyen Van Binh"  # nobody known: kept as written
    (tmp_path / "people.toml").write_text(
        '[[person]]\nname = "Lê Văn Hà"\naliases = []\n[[person]]\nname = "Lê Văn Hạ"\naliases = []\n', encoding="utf-8")
    ambiguous = load_vocabulary(str(tmp_path))
    assert ambiguous.canonical_person("Le Van Ha") == "Le Van Ha"
