from markupsafe import Markup

from portal.highlight import mark
from portal.highlight import match_spans
from portal.highlight import snippet
from portal.query import parse_query

TEXT = "Đảng ủy khối Doanh nghiệp <b>phát triển</b> đảng viên mới; doanh nghiệp tư nhân."


def test_spans_follow_diacritics_rules():
    exact = match_spans(TEXT, parse_query("doanh nghiệp").phrases())
    folded = match_spans(TEXT, parse_query("dang").phrases())
    assert [TEXT[a:b] for a, b in exact] == ["Doanh nghiệp", "doanh nghiệp"]
    assert [TEXT[a:b] for a, b in folded] == ["Đảng", "đảng"]


def test_phrase_spans_cover_the_whole_phrase():
    text = "công tác phát triển, đảng viên; phát triển kinh tế"
    spans = match_spans(text, parse_query('"phat trien dang vien"').phrases())
    assert [text[a:b] for a, b in spans] == ["phát triển, đảng viên"]


def test_snippet_escapes_everything_but_marks():
    html = str(snippet(TEXT, parse_query("phát triển").phrases()))
    assert "<mark>phát triển</mark>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_snippet_without_match_is_the_opening_of_the_body():
    text = "TIÊU ĐỀ\n\n" + "Nội dung " * 100
    html = str(snippet(text, [], skip=9))
    assert html.startswith("Nội dung") and html.endswith("…")


def test_snippet_fragments_do_not_repeat_text():
    text = ("đảng viên " + "chữ " * 80) * 4
    html = str(snippet(text, parse_query("đảng viên").phrases()))
    assert html.count("<mark>đảng</mark>") <= 4
    assert html.count("…") >= 2


def test_a_query_with_marks_highlights_only_the_forms_typed():
    parsed = parse_query("kinh tế")
    text = "Phát triển kinh tế, kính trọng và kinh nghiệm tế bào"
    assert mark(text, match_spans(text, parsed.phrases())) == Markup(
        "Phát triển <mark>kinh tế</mark>, kính trọng và <mark>kinh</mark> nghiệm <mark>tế</mark> bào")


def test_adjacent_matched_syllables_are_one_mark_but_not_across_punctuation():
    parsed = parse_query("doanh nghiep")
    text = "Doanh nghiệp. Doanh, nghiệp"
    assert mark(text, match_spans(text, parsed.phrases())) == Markup(
        "<mark>Doanh nghiệp</mark>. <mark>Doanh</mark>, <mark>nghiệp</mark>")
