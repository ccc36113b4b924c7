"""Word files as offices keep them: .docx in Unicode and legacy fonts, .doc and .rtf through LibreOffice."""

import os
import zipfile

import pytest

from indexer import limits as limits_module
from indexer.docxtext import read_docx
from indexer.limits import Limits
from indexer.notice import load_file
from indexer.reading import ReadOptions
from indexer.reading import UnreadableFile
from indexer.reading import read_notice
from tests import officefiles
from tests.conftest import read_seed
from tests.conftest import seed_names
from tests.officefiles import MIXED
from tests.officefiles import TCVN3
from tests.officefiles import UNICODE
from tests.officefiles import VNI
from tests.officefiles import raw_docx
from tests.officefiles import write_docx
from tests.scans import agreement
from tests.test_extract import assert_matches

DIGITAL_AGREEMENT = 0.99
W_RUN = '<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
needs_libreoffice = pytest.mark.skipif(not officefiles.have_libreoffice(), reason="LibreOffice is not installed (make test installs it)")

VARIANTS = [(UNICODE, False, True), (TCVN3, False, False), (TCVN3, True, True), (VNI, False, False), (MIXED, False, True)]


@pytest.fixture(scope="module")
def word_files(tmp_path_factory):
    """Every seed as Word files in each encoding (made once for the module)."""
    folder = tmp_path_factory.mktemp("word")
    made = {}
    for name in seed_names():
        for encoding, styled, blanks in VARIANTS:
            path = folder / f"{name[:3]}-{encoding}{'-styled' if styled else ''}.docx"
            made[name, encoding, styled] = write_docx(str(path), read_seed(name), encoding, styled, blanks)
    return made


@pytest.mark.parametrize("name", seed_names())
@pytest.mark.parametrize(("encoding", "styled", "blanks"), VARIANTS)
def test_docx_gives_the_seed_text_and_metadata(word_files, vocab, expected, name, encoding, styled, blanks):
    notice = load_file(word_files[name, encoding, styled], vocab)
    assert agreement(notice.text, read_seed(name)) >= DIGITAL_AGREEMENT
    assert_matches(expected[name], notice.as_dict())
    converted = {TCVN3: {TCVN3}, VNI: {VNI}, MIXED: {TCVN3, VNI}}.get(encoding, set())
    assert set(notice.origin.encodings) == converted
    assert notice.origin.format == "docx" and notice.origin.method == "text"


def test_header_table_cells_are_read_whole_and_left_before_right(word_files):
    text = read_docx(word_files["004_abab5fe7c577bb0b.txt", TCVN3, False]).text
    lines = [line for line in text.split("\n") if line.strip()]
    assert lines[:5] == ["TỈNH ỦY BÌNH THUẬN", "*", "Số 503-TB/TU", "ĐẢNG CỘNG SẢN VIỆT NAM",
                         "Phan Thiết, ngày 16  tháng 5 năm 2008"]  # the seed has two spaces there


@needs_libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("target", ["doc", "rtf"])
@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_doc_and_rtf_saved_from_legacy_word_files_read_the_same(word_files, vocab, expected, tmp_path, target, encoding):
    name = "004_abab5fe7c577bb0b.txt"
    [converted] = officefiles.convert_with_libreoffice([word_files[name, encoding, False]], target, str(tmp_path))
    notice = load_file(converted, vocab)
    assert notice.origin.format == target and notice.origin.encodings == (encoding,)
    assert agreement(notice.text, read_seed(name)) >= DIGITAL_AGREEMENT
    assert_matches(expected[name], notice.as_dict())


def _body(*paragraphs: str) -> str:
    return "".join(f"<w:p>{p}</w:p>" for p in paragraphs)


def test_insertions_links_fields_and_special_characters_are_text(tmp_path):
    body = _body(
        '<w:ins w:id="1" w:author="a"><w:r><w:t>Kết luận</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>bỏ đi</w:delText></w:r></w:del>'
        '<w:hyperlink w:anchor="x"><w:r><w:t xml:space="preserve"> của Thường trực</w:t></w:r></w:hyperlink>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>16/5/2008</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:fldSimple w:instr=" PAGE "><w:r><w:t xml:space="preserve"> trang 1</w:t></w:r></w:fldSimple>',
        # TCVN3 keeps "ư" as U+00AD; Word may store it as a soft-hyphen element.
        W_RUN.format(font=".VnTime", text="Th") + '<w:r><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr>'
        '<w:softHyphen/></w:r>' + W_RUN.format(font=".VnTime", text="êng trùc"),
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r><w:r><w:t>hiện</w:t><w:tab/><w:t>sau</w:t></w:r>',
        '<w:sdt><w:sdtContent><w:r><w:t>trong ô nhập</w:t></w:r></w:sdtContent></w:sdt>',
        '<w:r><w:t>Mục</w:t></w:r><w:r><w:rPr><w:caps/></w:rPr><w:t xml:space="preserve"> in hoa</w:t></w:r>',
    )
    lines = read_docx(raw_docx(str(tmp_path / "a.docx"), body)).text.split("\n")
    assert lines[0] == "Kết luận của Thường trực"
    assert lines[1] == "16/5/2008 trang 1"
    assert lines[2] == "Thường trực"
    assert lines[3] == "hiện\tsau"
    assert lines[4] == "trong ô nhập"
    assert lines[5] == "Mục IN HOA"


def test_runs_without_a_font_take_it_from_styles_and_defaults(tmp_path):
    styles = (
        '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="VNI-Times" w:hAnsi="VNI-Times"/></w:rPr>'
        '</w:rPrDefault></w:docDefaults>'
        '<w:style w:type="paragraph" w:styleId="Base"><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading"><w:basedOn w:val="Base"/></w:style>'
        '<w:style w:type="character" w:styleId="Caps"><w:rPr><w:rFonts w:ascii=".VnTimeH" w:hAnsi=".VnTimeH"/></w:rPr></w:style>'
    )
    body = _body(
        '<w:r><w:t>Vieät Nam</w:t></w:r>',  # document defaults: VNI
        '<w:pPr><w:pStyle w:val="Heading"/></w:pPr><w:r><w:rPr><w:rStyle w:val="Caps"/></w:rPr><w:t>ñ</w:t></w:r>'
        '<w:r><w:t>y ban</w:t></w:r>',  # a one-letter H run inside a word
        '<w:pPr><w:pStyle w:val="Heading"/></w:pPr><w:r><w:rPr><w:rStyle w:val="Caps"/></w:rPr><w:t>th«ng b¸o</w:t></w:r>',
        '<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/></w:rPr><w:t>Tỉnh ủy</w:t></w:r>',
    )
    raw = read_docx(raw_docx(str(tmp_path / "a.docx"), body, styles))
    assert raw.text.split("\n") == ["Việt Nam", "Ủy ban", "THÔNG BÁO", "Tỉnh ủy"]
    assert raw.origin.encodings == (TCVN3, VNI)


def test_a_vni_letter_and_its_mark_in_two_runs_join(tmp_path):
    body = _body(W_RUN.format(font="VNI-Times", text="Vie") + W_RUN.format(font="VNI-Times", text="äc"))
    assert read_docx(raw_docx(str(tmp_path / "a.docx"), body)).text == "Việc"


def test_word_numbering_is_written_out(tmp_path):
    numbering = (
        '<w:abstractNum w:abstractNumId="0">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1-"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>'
        '</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num>'
    )

    def item(level, text):
        return (f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="3"/></w:numPr></w:pPr>'
                f'<w:r><w:t>{text}</w:t></w:r>')

    body = _body(item(0, "Đánh giá"), item(1, "Ưu điểm"), item(1, "Hạn chế"), item(0, "Nhiệm vụ"), item(1, "Tập trung"))
    text = read_docx(raw_docx(str(tmp_path / "a.docx"), body, numbering=numbering)).text
    assert text.split("\n") == ["I- Đánh giá", "I.1. Ưu điểm", "I.2. Hạn chế", "II- Nhiệm vụ", "II.1. Tập trung"]


def test_text_boxes_are_read_once(tmp_path):
    box = '<w:txbxContent><w:p><w:r><w:t>Số 12-TB/TU</w:t></w:r></w:p></w:txbxContent>'
    body = _body(
        '<w:r><w:t>Đầu</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wrap>{box}</wrap></w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r>'
    )
    assert read_docx(raw_docx(str(tmp_path / "a.docx"), body)).text.split("\n") == ["Đầu", "Số 12-TB/TU"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04" + bytes(300), "ZIP hỏng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "Workbook".encode("utf-16-le"), "không phải văn bản Word"),
    ],
)
def test_damaged_word_files_say_why(tmp_path, data, reason):
    path = tmp_path / "hong.docx"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=reason):
        read_notice(str(path))


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path):
    path = tmp_path / "bang-tinh.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnreadableFile, match="không phải văn bản Word"):
        read_notice(str(path))


def test_password_protected_word_file_is_refused_by_name(word_files, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    target = tmp_path / "mat-khau.docx"
    with open(word_files["000_0e1e5b514ef6e61b.txt", UNICODE, False], "rb") as source, open(target, "wb") as out:
        OOXMLFile(source).encrypt("bi-mat", out)
    with pytest.raises(UnreadableFile, match="mật khẩu"):
        read_notice(str(target))


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    import indexer.docxtext

    monkeypatch.setattr(indexer.docxtext, "MAX_UNPACKED", 1024 * 1024)
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>" + " " * (2 * 1024 * 1024))
    with pytest.raises(UnreadableFile, match="giải nén ra quá lớn"):
        read_notice(str(path))


@needs_libreoffice
@pytest.mark.slow
def test_corrupt_doc_is_skipped_with_the_reason(tmp_path):
    path = tmp_path / "hong.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "WordDocument".encode("utf-16-le") + os.urandom(4000))
    with pytest.raises(UnreadableFile, match="LibreOffice"):
        read_notice(str(path))


@needs_libreoffice
@pytest.mark.slow
def test_a_conversion_over_its_time_limit_is_stopped(word_files, tmp_path):
    [source] = officefiles.convert_with_libreoffice([word_files["000_0e1e5b514ef6e61b.txt", TCVN3, False]], "doc", str(tmp_path))
    with pytest.raises(limits_module.LimitExceeded, match="quá thời gian"):
        read_notice(source, ReadOptions(limits=Limits(seconds=0.05)))


def test_a_missing_converter_names_the_package_to_install(tmp_path, monkeypatch):
    path = tmp_path / "cu.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Th\\'abng b\\'b8o}")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(limits_module.MissingProgram, match="libreoffice-writer-nogui"):
        read_notice(str(path))


def test_legacy_text_in_a_font_we_do_not_know_is_still_converted(tmp_path):
    surface = "Th«ng b¸o kÕt luËn cña Th\u00adêng trùc TØnh ñy"
    body = _body(W_RUN.format(font="VnTimes New Roman", text=surface), W_RUN.format(font="Arial", text="Số 12-TB/TU"),
                 W_RUN.format(font="Arial", text="Réunion du comité à Paris"))
    raw = read_docx(raw_docx(str(tmp_path / "a.docx"), body))
    assert raw.text.split("\n") == ["Thông báo kết luận của Thường trực Tỉnh ủy", "Số 12-TB/TU", "Réunion du comité à Paris"]
    assert raw.origin.encodings == (TCVN3,)


def test_a_reader_over_its_memory_limit_is_stopped(tmp_path):
    path = raw_docx(str(tmp_path / "lon.docx"), _body("<w:r><w:t>" + "Đảng viên " * 4_000_000 + "</w:t></w:r>"))
    with pytest.raises(limits_module.LimitExceeded, match="bộ nhớ"):
        read_notice(path, ReadOptions(limits=Limits(memory_mb=16)))
