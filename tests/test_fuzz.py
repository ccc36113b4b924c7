"""Property-based fuzzing of every route and parameter: never a 5xx, always Vietnamese."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

# Any Unicode a URL can carry (lone surrogates cannot be encoded, so no browser sends them).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
HUGE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=2000, max_size=6000)
VALUE = st.one_of(TEXT, HUGE, st.sampled_from(["2014", "none", "Lê Tấn Lai", "0", "-1", "9" * 30, "", " "]))
PARAMS = st.lists(
    st.tuples(st.sampled_from(["q", "year", "signer", "unit", "topic", "chair", "type", "from", "to", "sort",
                               "page", "x", ""]), VALUE),
    max_size=30,
)
SEARCH_ROUTES = ["/tim-kiem", "/tim-kiem.atom", "/tim-kiem.csv", "/api/search"]
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _assert_answer(response):
    assert response.status_code < 500
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert '<html lang="vi">' in page
    elif response.mimetype == "application/json" and response.status_code >= 400:
        assert response.get_json()["error"]


@pytest.mark.parametrize("route", SEARCH_ROUTES)
@FUZZ
@given(params=PARAMS)
def test_search_routes_never_fail(client, route, params):
    response = client.get(route, query_string=params, follow_redirects=True)
    _assert_answer(response)
    assert response.status_code == 200


@FUZZ
@given(segment=TEXT.filter(lambda s: s not in (".", "..")), q=TEXT)
def test_notice_and_browse_routes_never_fail(client, segment, q):
    for route in ("/van-ban/", "/api/doc/", "/nam/", "/api/nam/"):
        _assert_answer(client.get(route + segment.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"),
                                  query_string={"q": q}))
    _assert_answer(client.get("/nam/2014/" + segment.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")))


@pytest.mark.parametrize(
    "raw",
    ["q=%ff%fe%00", "q=%", "q=%zz", "year=%E2%80%AE2014", "page=1e9", "page=%00", "from=2014-02-30",
     "q=" + "a%20" * 3000, "&&&===", "q=%22" * 50, "unit=" + "x" * 10000],
)
def test_malformed_query_strings(client, raw):
    for route in SEARCH_ROUTES:
        _assert_answer(client.get(f"{route}?{raw}", follow_redirects=True))


def test_wrong_methods_get_a_vietnamese_405(client):
    response = client.post("/tim-kiem")
    assert response.status_code == 405
    assert "Phương thức không được hỗ trợ" in response.get_data(as_text=True)
