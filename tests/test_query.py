import pytest

from portal.query import MAX_QUERY_CHARS
from portal.query import Phrase
from portal.query import parse_query


def P(text, exact):
    return Phrase(tuple(text.split()), exact)


@pytest.mark.parametrize(
    ("typed", "required", "excluded", "filters", "number_key"),
    [
        ("ket luan tuy phong", [(P("ket", False),), (P("luan", False),), (P("tuy", False),), (P("phong", False),)], [], {}, None),
        ("kết luận", [(P("kết", True),), (P("luận", True),)], [], {}, None),
        ('"đảng viên" -"Tuy Phong"', [(P("đảng viên", True),)], [P("tuy phong", True)], {}, None),
        # One mark anywhere: every syllable as typed ("kinh" is not "kính", "so" not "số").
        ('"ket luận"', [(P("ket luận", True),)], [], {}, None),
        ("kinh tế", [(P("kinh", True),), (P("tế", True),)], [], {}, None),
        ('"trong số" so', [(P("trong số", True),), (P("so", True),)], [], {}, None),
        ('"trong so"', [(P("trong so", False),)], [], {}, None),
        ('signer:"Lê Tấn Lai" dang', [(P("dang", False),)], [], {"signer": ["Lê Tấn Lai"]}, None),  # filters do not count
        ("dân vận OR mặt trận", [(P("dân", True),), (P("vận", True), P("mặt", True)), (P("trận", True),)], [], {}, None),
        ("503-TB/TU", [(P("503 tb tu", False),)], [], {}, "503 tb tu"),
        ("503/TB-TU", [(P("503 tb tu", False),)], [], {}, "503 tb tu"),
        ("503 TB TU", [(P("503", False),), (P("tb", False),), (P("tu", False),)], [], {}, "503 tb tu"),
        ('signer:"Lê Tấn Lai" năm:2014 đơnvị:tuy', [], [], {"signer": ["Lê Tấn Lai"], "year": ["2014"], "unit": ["tuy"]}, None),
        ("đảng:viên", [(P("đảng viên", True),)], [], {}, None),  # not a field: read as words
        ('((( """ ]]', [], [], {}, None),
        ("", [], [], {}, None),
        ("Tỉnh uỷ", [(P("tỉnh", True),), (P("ủy", True),)], [], {}, None),  # tone-mark style normalized
    ],
)
def test_parse_query(typed, required, excluded, filters, number_key):
    parsed = parse_query(typed)
    assert parsed.required == required
    assert parsed.excluded == excluded
    assert parsed.filters == filters
    assert parsed.number_key == number_key


def test_or_keeps_the_user_words_for_ranking():
    assert parse_query("dân vận OR mặt trận").plain == "dân vận mặt trận"


def test_huge_queries_are_cut_and_say_so():
    parsed = parse_query("đảng " * 1000)
    assert parsed.truncated
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert len(parsed.required) <= 32


def test_empty_query_is_empty():
    assert parse_query("   ").is_empty
    assert not parse_query("year:2014").is_empty


@pytest.mark.parametrize(("typed", "fillers"), [
    ("giá xăng mới nhất", ["mới", "nhất"]),
    ("tình hình giá xăng", ["tình", "hình"]),
    ("thong tin ve giá xăng", ["thong", "tin", "ve"]),
    ("vé máy bay", []),  # "về" alone is no filler: unmarked, "ve" is also "vé"
])
def test_query_frames_are_marked_as_fillers(typed, fillers):
    words = [group[0] for group in parse_query(typed).required]
    assert [w.syllables[0] for w in words if w.filler] == fillers
