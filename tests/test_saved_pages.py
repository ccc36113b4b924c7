"""Notices saved as web pages the way offices save them: Word's "Save as Web Page" and site editors."""

import pytest

from indexer.htmltext import html_to_text
from indexer.layout import columns
from indexer.notice import load_file
from indexer.reading import read_notice
from tests.conftest import NOTICES
from tests.conftest import read_seed
from tests.conftest import seed_names
from tests.savedpages import STYLES
from tests.savedpages import saved_page
from tests.scans import agreement
from tests.test_extract import assert_matches
from tests.variants import to_cp1258

AGREEMENT = 0.99
# What the issue asks a saved page to give exactly as its text file does.
SAME_AS_TEXT = ("type", "number", "place", "issuer", "date", "meeting_date", "title", "signer", "signer_title",
                "chair", "chair_title", "author", "units", "topics", "references")


@pytest.fixture(scope="module")
def from_text(vocab):
    """Metadata of each seed read from its text file."""
    return {name: load_file(f"{NOTICES}/{name}", vocab).as_dict() for name in seed_names()}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", seed_names())
def test_a_saved_page_gives_the_text_and_metadata_of_its_text_file(tmp_path, vocab, expected, from_text, name, style):
    path = tmp_path / name.replace(".txt", ".htm")
    path.write_bytes(saved_page(read_seed(name), style))
    notice = load_file(str(path), vocab)
    got = notice.as_dict()
    assert agreement(notice.text, read_seed(name)) >= AGREEMENT
    assert_matches(expected[name], got)
    assert {f: got[f] for f in SAME_AS_TEXT} == {f: from_text[name][f] for f in SAME_AS_TEXT}
    assert notice.origin.format == "html"


@pytest.mark.parametrize(
    "gap",
    [
        "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;",
        "&nbsp; &nbsp; &nbsp; &nbsp;",  # CKEditor's way with typed spaces
        "<span style='mso-tab-count:3'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span>",
        "<span style='mso-tab-count:2'>                      </span>",  # older Word: plain spaces
        "<span style='mso-tab-count:1'> </span>",  # a tab stop however narrow it came out
        "<span style='mso-spacerun:yes'>&nbsp;&nbsp;&nbsp;&nbsp; </span>",
        "\t",
        "        ",
        "&nbsp;\r\n&nbsp;",  # Word broke its source line inside the run
    ],
)
def test_a_run_of_spaces_inside_a_paragraph_is_a_column_gap(gap):
    text = html_to_text(f"<body><p class=MsoNormal>Số 503-TB/TU{gap}Phan Thiết, ngày 16 tháng 5 năm 2008</p></body>")
    assert columns(text) == ["Số 503-TB/TU", "Phan Thiết, ngày 16 tháng 5 năm 2008"]


@pytest.mark.parametrize(
    ("markup", "line"),
    [
        ("Phan Thiết, ngày 16&nbsp; tháng 5", "Phan Thiết, ngày 16 tháng 5"),
        ("làm việc\r\nvới Đảng ủy khối", "làm việc với Đảng ủy khối"),  # Word wraps its source lines
        ("làm việc\n            với Đảng ủy khối", "làm việc với Đảng ủy khối"),  # an indented source
        ("<b>THÔNG</b> <b>BÁO</b>", "THÔNG BÁO"),
        # Word's list label: the tab after it is a 7-point span of spaces, not a column.
        ("<![if !supportLists]><span style='mso-list:Ignore'>-<span style='font:7.0pt \"Times New Roman\"'>"
         "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>Thường trực Tỉnh ủy;", "- Thường trực Tỉnh ủy;"),
    ],
)
def test_spaces_that_are_no_column_gap_become_one(markup, line):
    assert html_to_text(f"<body><p class=MsoNormal>{markup}</p></body>") == line


def test_each_paragraph_is_a_line_and_empty_ones_a_single_blank_line():
    page = (
        "<body><div><p>KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY</p>\n<p>tại buổi làm việc</p></div>\n"
        "<p>&nbsp;</p>\n<p class=MsoNormal><o:p>&nbsp;</o:p></p><p><br></p><div>&nbsp;</div>\n"
        "<p>Ngày 14/5/2008, đồng chí<br>Lê Tiến Phương<br></p><p> </p><p></p><div>Tham dự</div>"
        "<p>a<br><br>b</p><pre>A      B\nC</pre></body>"
    )
    assert html_to_text(page).split("\n") == [
        "KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY", "tại buổi làm việc", "",
        "Ngày 14/5/2008, đồng chí", "Lê Tiến Phương", "Tham dự", "a", "", "b", "A    B", "C",
    ]


def test_word_markup_never_reaches_the_text():
    page = (
        "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head>"
        "<meta http-equiv=Content-Type content='text/html; charset=utf-8'><title>Tiêu đề</title>"
        "<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>Văn thư</o:Author>"
        "</o:DocumentProperties></xml><![endif]-->"
        "<style><!-- p.MsoNormal {margin:0in;} --></style></head><body lang=EN-US><div class=WordSection1>"
        "<xml><w:data>0102FFFF</w:data></xml>"
        "<p class=MsoNormal>THÔNG BÁO<o:p></o:p></p>"
        "<p class=MsoNormal><![if !supportEmptyParas]>&nbsp;<![endif]><o:p></o:p></p>"
        "<p class=MsoNormal>Nội dung<span style='display:none;mso-hide:all'>ẩn đi</span> chính"
        "<!--[if gte vml 1]><v:shape><v:textbox>hình vẽ</v:textbox></v:shape><![endif]-->"
        "<![if !vml]><img src='a_files/image001.gif'><![endif]><o:p></o:p></p>"
        "</div></body></html>"
    )
    assert html_to_text(page) == "THÔNG BÁO\n\nNội dung chính"


def test_a_header_table_reads_cell_by_cell_and_gives_the_header_fields(tmp_path, vocab):
    cell = "<td valign=top>{}</td>"
    left = "".join(f"<p class=MsoNormal align=center><b>{line}</b></p>"
                   for line in ("TỈNH ỦY BÌNH THUẬN", "*", "Số 503-TB/TU"))
    right = ("<p align=center>ĐẢNG CỘNG SẢN VIỆT NAM</p><p align=center>&nbsp;</p>"
             "<p><i>Phan Thiết, ngày 16 tháng 5 năm 2008</i></p>")
    page = (
        f"<html><body><table class=MsoNormalTable border=0><tr>{cell.format(left)}{cell.format(right)}</tr></table>"
        "<p>&nbsp;</p><h1>THÔNG BÁO</h1><p>KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY</p>"
        "<p>Ngày 14/5/2008, đồng chí Lê Tiến Phương đã làm việc với Đảng ủy khối Doanh nghiệp.</p></body></html>"
    )
    assert html_to_text(page).split("\n")[:7] == [
        "TỈNH ỦY BÌNH THUẬN", "*", "Số 503-TB/TU", "ĐẢNG CỘNG SẢN VIỆT NAM", "",
        "Phan Thiết, ngày 16 tháng 5 năm 2008", "",
    ]
    path = tmp_path / "503-TB-TU.htm"
    path.write_text(page, encoding="utf-8")
    got = load_file(str(path), vocab).as_dict()
    header = (got["number"], got["place"], got["issuer"], got["date"])
    assert header == ("503-TB/TU", "Phan Thiết", "Tỉnh ủy Bình Thuận", "2008-05-16")
    assert got["title"] == "Kết luận của Thường trực Tỉnh ủy"


def test_a_page_declared_windows_1258_is_read_in_it_and_a_mislabelled_utf8_page_as_utf8(tmp_path):
    line = "Thông báo kết luận của Thường trực Tỉnh ủy về công tác phát triển đảng viên"
    page = f"<html><head><meta http-equiv=Content-Type content='text/html; charset=windows-1258'></head><p>{line}</p>"
    for name, data, encodings in (("a.htm", to_cp1258(page), ("Windows-1258",)), ("b.htm", page.encode(), ())):
        (tmp_path / name).write_bytes(data)
        decoded = read_notice(str(tmp_path / name))
        assert (decoded.text, decoded.origin.encodings) == (line, encodings)
