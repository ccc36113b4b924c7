import pytest

from indexer.layout import columns
from indexer.pagetext import Item
from indexer.pagetext import join_pages
from indexer.pagetext import page_text

CHAR = 6.0  # width of one character, in points, for 12 pt text
PITCH = 14.0


def words(text: str, x: float, line: int, pitch: float = PITCH, jitter: float = 0.0, right=None) -> list[Item]:
    """Lay out ``text`` as word boxes on line ``line`` from ``x``; justified up to ``right`` if given."""
    items = []
    top = line * pitch + jitter
    parts = text.split(" ")
    stretch = (right - right_end(text, x)) / max(1, len(parts) - 1) if right else 0.0
    for word in parts:
        items.append(Item(x, x + CHAR * len(word), top, top + 12.0, word, size=12.0))
        x += CHAR * (len(word) + 1) + stretch
    return items


def right_end(text: str, x: float) -> float:
    return x + CHAR * len(text)


def test_two_columns_on_one_line_are_kept_apart_by_a_column_gap():
    items = words("Số 503-TB/TU", 60, 0) + words("Phan Thiết, ngày 16 tháng 5 năm 2008", 300, 0, jitter=1.5)
    text = page_text(items)
    assert "     " in text
    assert columns(text) == ["Số 503-TB/TU", "Phan Thiết, ngày 16 tháng 5 năm 2008"]


LINES = [
    # (text, x, line number): a justified paragraph, then a list, a gap, a centred title
    ("Sau khi nghe báo cáo của Thường trực Đảng ủy khối Doanh nghiệp", 90, 0),
    ("và ý kiến phát biểu của các đồng chí dự họp, đồng chí Phó Bí", 60, 1),
    ("thư Thường trực Tỉnh ủy đã kết luận:", 60, 2),
    ("1- Khẩn trương triển khai kế hoạch của Đảng ủy khối để triển khai", 90, 3),
    ("Chương trình hành động của Tỉnh ủy.", 60, 4),
    ("Chỉ thị số 20-CT/TU của Ban Thường vụ Tỉnh ủy chưa được tập trung, theo số", 60, 6),
    ("20-CT/TU của Ban Thường vụ.", 60, 7),
]


def paragraph_items(lines=LINES) -> list[Item]:
    right = max(right_end(text, x) for text, x, _ in lines)
    items = []
    for text, x, line in lines:
        # Full lines of a justified paragraph end at the right margin.
        items += words(text, x, line, right=right if line in (0, 1, 3, 6) else None)
    return items


def test_wrapped_lines_are_joined_and_paragraphs_kept():
    assert page_text(paragraph_items()).split("\n") == [
        "Sau khi nghe báo cáo của Thường trực Đảng ủy khối Doanh nghiệp và ý kiến phát biểu của các "
        "đồng chí dự họp, đồng chí Phó Bí thư Thường trực Tỉnh ủy đã kết luận:",
        "1- Khẩn trương triển khai kế hoạch của Đảng ủy khối để triển khai Chương trình hành động của Tỉnh ủy.",
        "",
        "Chỉ thị số 20-CT/TU của Ban Thường vụ Tỉnh ủy chưa được tập trung, theo số 20-CT/TU của Ban Thường vụ.",
    ]


def test_a_line_broken_after_a_hyphen_joins_without_a_space():
    lines = [("theo tinh thần Chỉ thị số 35-", 60, 0), ("CT/TU của Ban Thường vụ.", 60, 1)]
    items = words(*lines[0]) + words(*lines[1])
    assert page_text(items) == "theo tinh thần Chỉ thị số 35-CT/TU của Ban Thường vụ."


@pytest.mark.parametrize("marker", ["2.", "2.1-", "-", "+", "a)", "II-"])
def test_a_list_item_after_a_finished_line_starts_a_paragraph(marker):
    first = "- Thường trực Tỉnh ủy, các ban của Tỉnh ủy và Văn phòng Tỉnh ủy;"
    items = words(first, 60, 0) + words(f"{marker} Lưu Văn phòng.", 60, 1)
    assert page_text(items).split("\n") == [first, f"{marker} Lưu Văn phòng."]


def test_centred_and_right_hand_lines_stay_lines():
    items = (words("KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY", 150, 0) + words("tại buổi làm việc với Đảng ủy khối", 160, 1)
             + words("Văn phòng Tỉnh ủy thông báo để các đồng chí biết và triển khai thực hiện.", 60, 3)
             + words("PHÓ CHÁNH VĂN PHÒNG", 330, 4) + words("Huỳnh Đa Trung", 345, 5))
    assert page_text(items).split("\n") == [
        "KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY", "tại buổi làm việc với Đảng ủy khối", "",
        "Văn phòng Tỉnh ủy thông báo để các đồng chí biết và triển khai thực hiện.",
        "PHÓ CHÁNH VĂN PHÒNG", "Huỳnh Đa Trung",
    ]


def test_signature_beside_recipients_keeps_both_columns():
    items = (words("Nơi nhận:", 60, 0) + words("T/L BAN THƯỜNG VỤ", 330, 0)
             + words("- Thường trực Tỉnh ủy;", 60, 1) + words("PHÓ CHÁNH VĂN PHÒNG", 320, 1))
    assert [columns(line) for line in page_text(items).split("\n")] == [
        ["Nơi nhận:", "T/L BAN THƯỜNG VỤ"], ["- Thường trực Tỉnh ủy;", "PHÓ CHÁNH VĂN PHÒNG"],
    ]


def test_lone_page_numbers_are_dropped():
    items = words("- 2 -", 280, 0) + words("Nội dung trang hai của thông báo.", 60, 2) + words("3", 290, 50)
    assert page_text(items) == "Nội dung trang hai của thông báo."


def test_a_tall_box_does_not_pull_the_next_line_in():
    items = words("và ý kiến phát biểu của các đồng chí", 60, 0) + words("Phó Bí thư Tỉnh ủy", 60, 1)
    items.append(Item(300, 306, 0, 2 * PITCH + 12, "|"))  # a stroke of a stamp read as a word
    lines = page_text(items).split("\n")
    assert lines[0].startswith("và ý kiến") and lines[-1].startswith("Phó Bí thư")


def test_empty_page():
    assert page_text([]) == ""
    assert page_text([Item(0, 1, 0, 1, " ")]) == ""


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        (["lựa chọn những vấn", "đề sát sườn."], "lựa chọn những vấn đề sát sườn."),
        (["kết luận như sau.", "Văn phòng"], "kết luận như sau.\n\nVăn phòng"),
        (["gồm:", "a) một"], "gồm:\n\na) một"),
        (["", "Trang hai"], "Trang hai"),
    ],
)
def test_join_pages(pages, expected):
    assert join_pages(pages) == expected
