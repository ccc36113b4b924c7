import pytest

from indexer.reading import ReadOptions
from indexer.reading import UnreadableFile
from indexer.reading import read_notice
from tests.conftest import read_seed
from tests.variants import to_cp1258
from tests.variants import variants

SEED = "004_abab5fe7c577bb0b.txt"


@pytest.mark.parametrize("variant", sorted(variants("x")))
def test_every_stored_variant_reads_to_the_same_words(tmp_path, variant):
    text = read_seed(SEED)
    suffix = ".html" if variant == "html" else ".txt"
    path = tmp_path / f"notice{suffix}"
    path.write_bytes(variants(text)[variant])
    decoded = read_notice(str(path))
    reference = read_notice(str(_write(tmp_path / "plain.txt", text.encode())))
    assert decoded.text.split() == reference.text.split()


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_html_drops_scripts_navigation_and_footer(tmp_path):
    page = (
        "<html><head><title>Tin</title><script>alert('x')</script><style>p{}</style></head><body>"
        "<nav>Trang chủ</nav><div class='content'><h1>Hội nghị Ban Chấp hành</h1>"
        "<p>Sáng 10.7, Đảng ủy Khối đã tổ chức hội nghị &amp; sơ kết công tác xây dựng Đảng.</p>"
        "<p>" + "Nội dung bài viết dài. " * 20 + "</p></div><footer>Bản quyền</footer></body></html>"
    )
    text = read_notice(str(_write(tmp_path / "a.html", page.encode()))).text
    assert text.startswith("Hội nghị Ban Chấp hành\n\nSáng 10.7")
    assert "hội nghị & sơ kết" in text
    for chrome in ("alert", "Trang chủ", "Bản quyền", "p{}"):
        assert chrome not in text


def test_utf16_without_bom_is_detected(tmp_path):
    decoded = read_notice(str(_write(tmp_path / "a.txt", "Thông báo kết luận".encode("utf-16-le"))))
    assert decoded.text == "Thông báo kết luận"
    assert any("utf-16-le" in w for w in decoded.warnings)


def test_a_few_invalid_bytes_are_replaced_and_reported(tmp_path):
    data = read_seed(SEED).encode() 
    data = data[:500] + b"\xff\xfe\xfa" + data[500:]
    decoded = read_notice(str(_write(tmp_path / "a.txt", data)))
    assert "\ufffd" in decoded.text
    assert any("không hợp lệ UTF-8" in w for w in decoded.warnings)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "tệp rỗng"),
        (b"   \n\n  \t ", "không có nội dung"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "ảnh PNG"),
        (b"PK\x03\x04" + bytes(200), "ZIP"),
        (bytes(range(256)) * 8, "nhị phân"),
        # Bytes in no encoding we can be sure of: French in Latin-1 is not Vietnamese.
        ("Le comité a décidé: réunion à Hà Nội. ".encode("latin-1", errors="replace") * 30, "bảng mã cũ"),
        # Too little legacy text to be sure which table it needs.
        ("Th«ng b¸o".encode("utf-8"), "TCVN3/VNI"),
    ],
)
def test_unreadable_files_say_why(tmp_path, data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        read_notice(str(_write(tmp_path / "bad.txt", data)))


def test_too_large_files_are_refused_before_reading(tmp_path):
    path = _write(tmp_path / "big.txt", b"a" * 2048)
    with pytest.raises(UnreadableFile, match="quá lớn"):
        read_notice(str(path), ReadOptions(max_bytes=1024))


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="không mở được"):
        read_notice(str(tmp_path / "nope.txt"))


PHRASE = "Thông báo kết luận của Thường trực Tỉnh ủy về công tác phát triển đảng viên mới trong doanh nghiệp ngoài khu vực Nhà nước"
# The same phrase typed with the classic legacy fonts (written out by hand, not generated).
TCVN3 = "Th«ng b¸o kÕt luËn cña Th\u00adêng trùc TØnh ñy vÒ c«ng t¸c ph¸t triÓn ®¶ng viªn míi trong doanh nghiÖp ngoµi khu vùc Nhµ n\u00adíc"
VNI = "Thoâng baùo keát luaän cuûa Thöôøng tröïc Tænh uûy veà coâng taùc phaùt trieån ñaûng vieân môùi trong doanh nghieäp ngoaøi khu vöïc Nhaø nöôùc"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ((TCVN3 + ".\n") .encode("cp1252") * 3, "TCVN3"),  # bytes of a .VnTime document
        ((VNI + ".\n").encode("cp1252") * 3, "VNI"),
        ((TCVN3 + ".\n").encode("utf-8") * 3, "TCVN3"),  # legacy bytes once read as Latin-1, saved as UTF-8
        (to_cp1258(PHRASE + ".\n") * 3, "Windows-1258"),
    ],
)
def test_legacy_encodings_are_converted_when_sure(tmp_path, data, encoding):
    decoded = read_notice(str(_write(tmp_path / "old.txt", data)))
    assert decoded.text.split("\n")[0] == PHRASE + "."
    assert any(encoding in w and "Unicode" in w for w in decoded.warnings)
