"""A query of many words never ends on an empty page: notices holding most of the words come next."""

import re

def _api(client, **args):
    return client.get("/api/search", query_string=args).get_json()


def _syllables(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.lower()))


def _texts(client, ids):
    return {doc_id: client.get(f"/api/doc/{doc_id}").get_json()["text"] for doc_id in ids}


def test_a_title_with_filler_words_finds_its_notice_first(client):
    text = _texts(client, ["004_abab5fe7c577bb0b"])["004_abab5fe7c577bb0b"]
    assert not _syllables(text) & {"bao", "nhiêu", "đâu"}  # words people add that notice 004 lacks
    result = _api(client, q="khối doanh nghiệp bao nhiêu ở đâu")
    assert result["hits"][0]["id"] == "004_abab5fe7c577bb0b"
    assert result["most_words"]["all_words_total"] == 0
    assert {"bao", "nhiêu", "đâu"} <= set(result["most_words"]["missing"])
    # Without marks "dau" is also "đầu", which notices hold: the notice still comes first.
    assert _api(client, q="khoi doanh nghiep bao nhieu o dau")["hits"][0]["id"] == "004_abab5fe7c577bb0b"


def test_the_page_says_which_words_were_not_found_and_offers_all_words(client):
    query = "khối doanh nghiệp bao nhiêu"
    page = client.get("/tim-kiem", query_string={"q": query}).get_data(as_text=True)
    assert "Không có văn bản nào chứa đủ mọi từ đã gõ" in page
    assert "Không tìm thấy: <strong>bao, nhiêu</strong>" in page
    assert "match=tat-ca" in page
    strict = client.get("/tim-kiem", query_string={"q": query, "match": "tat-ca"})
    assert "Không tìm thấy văn bản nào phù hợp" in strict.get_data(as_text=True)
    assert _api(client, q=query, match="tat-ca")["total"] == 0


def test_each_hit_names_exactly_the_words_it_lacks(client):
    words = ["tuy", "phong", "doanh", "nghiệp", "xyzxyz"]
    result = _api(client, q=" ".join(words))
    texts = _texts(client, [hit["id"] for hit in result["hits"]])
    assert result["hits"] and "xyzxyz" in result["most_words"]["missing_everywhere"]
    for hit in result["hits"]:
        present = _syllables(texts[hit["id"]])
        # A mark in the query ("nghiệp"): every word is matched as typed.
        assert set(hit["missing"]) == {w for w in words if w not in present}


def test_totals_and_facets_count_the_notices_shown(client):
    result = _api(client, q="doanh nghiệp tuy phong mới nhất")
    assert result["total"] == len(result["hits"])
    assert sum(item["count"] for item in result["facets"]["year"]) == result["total"]


def test_phrases_exclusions_and_filters_stay_strict(client):
    texts = _texts(client, ["000_0e1e5b514ef6e61b", "001_dddd422e47ca07c7", "003_c27fd48b03f3a55c",
                            "004_abab5fe7c577bb0b"])
    phrase = _api(client, q='"Tuy Phong" mới nhất hôm nay')
    assert phrase["hits"] and all("tuy phong" in texts[h["id"]].lower() for h in phrase["hits"])
    excluded = _api(client, q="doanh nghiệp đảng viên mới nhất -Tuy")
    assert excluded["hits"] and all("tuy" not in _syllables(texts[h["id"]]) for h in excluded["hits"])
    filtered = _api(client, q="doanh nghiệp đảng viên mới nhất", year="2008")
    assert filtered["hits"] and all(h["date"].startswith("2008") for h in filtered["hits"])


def test_enough_notices_with_every_word_keep_the_strict_answer(client):
    result = _api(client, q="đảng viên")
    assert "most_words" not in result and all("missing" not in hit for hit in result["hits"])


def test_filler_phrases_are_optional_beside_a_subject_but_named_when_missing(client):
    from portal.query import parse_query

    assert [g[0].filler for g in parse_query("doanh nghiệp như thế nào mới nhất").required] == [False, False] + [True] * 5
    result = _api(client, q="Huyện ủy Tuy Phong như thế nào")  # no notice says "như thế nào"
    assert result["total"] == _api(client, q="Huyện ủy Tuy Phong")["total"] > 0
    assert "thế" in result["most_words"]["missing"] and result["most_words"]["all_words_total"] == 0
    assert _api(client, q="Huyện ủy Tuy Phong như thế nào", match="tat-ca")["total"] == 0
    alone = _api(client, q="như thế nào")  # alone, fillers are the words searched for
    assert alone["most_words"]["missing_everywhere"] == ["thế"] and alone["total"] > 0
