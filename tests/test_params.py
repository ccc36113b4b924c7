import pytest
from werkzeug.datastructures import MultiDict

from portal.params import MAX_PAGE
from portal.params import SearchParams
from portal.params import parse_date
from portal.params import parse_params


def _parse(query_string):
    from urllib.parse import parse_qsl

    return parse_params(MultiDict(parse_qsl(query_string, keep_blank_values=True)))


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("q=&year=2014", "year=2014"),
        ("year=2015&year=2014&q=dang", "q=dang&year=2014&year=2015"),
        ("year=2014&year=2014", "year=2014"),
        ("q=Tỉnh+uỷ&page=1", "q=T%E1%BB%89nh+%E1%BB%A7y"),
        ("q=x&sort=phu-hop", "q=x"),
        ("sort=moi-nhat", ""),
        ("sort=cu-nhat&page=2", "sort=cu-nhat&page=2"),
        ("from=16/5/2008&to=2008-13-01", "from=2008-05-16"),
        ("year=abc&year=none", "year=none"),
        ("page=0", ""),
        ("page=-3&sort=zzz", ""),
        ("unit=++Huyện+ủy++Tuy+Phong+", "unit=Huy%E1%BB%87n+%E1%BB%A7y+Tuy+Phong"),
    ],
)
def test_one_canonical_form(given, canonical):
    assert _parse(given).query_string() == canonical


def test_problems_are_reported_in_vietnamese():
    params = _parse("year=abc&from=hôm+qua&sort=zzz&page=" + str(MAX_PAGE + 5))
    assert params.page == MAX_PAGE
    assert len(params.problems) == 4
    assert all(any(ch in p for ch in "ỏệợ") or "Chỉ" in p for p in params.problems)


def test_toggling_adds_and_removes_a_value_and_resets_the_page():
    params = SearchParams(q="x", unit=("B",), page=3)
    added = params.toggled("unit", "A")
    assert added.unit == ("A", "B") and added.page == 1
    assert added.toggled("unit", "A").unit == ("B",)


def test_effective_sort():
    assert SearchParams(q="x").effective_sort == "phu-hop"
    assert SearchParams().effective_sort == "moi-nhat"


@pytest.mark.parametrize(("text", "iso"), [("2008-05-16", "2008-05-16"), ("16/5/2008", "2008-05-16"),
                                           ("31/2/2020", None), ("yesterday", None)])
def test_parse_date(text, iso):
    assert parse_date(text) == iso
