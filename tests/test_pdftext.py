"""PDF text layers: Word-made PDFs of the seeds in Unicode and legacy fonts, and PDFs that must be refused."""

import os

import pytest

from indexer.extract import extract_metadata
from indexer.layout import columns
from indexer.layout import split_layout
from indexer.limits import LimitExceeded
from indexer.limits import Limits
from indexer.normalize import normalize_text
from indexer.pagetext import join_pages
from indexer.pdftext import read_pdf
from indexer.pdftext import usable
from indexer.rawtext import UnreadableFile
from tests import officefiles
from tests import scans
from tests.conftest import read_seed
from tests.conftest import seed_names

pytestmark = pytest.mark.slow
KINDS = ("unicode", "legacy")


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory):
    if not officefiles.have_libreoffice():
        pytest.skip("LibreOffice (soffice) is not installed: Debian package libreoffice-writer-nogui")
    seeds = {name: read_seed(name) for name in seed_names()}
    return officefiles.seed_pdfs(str(tmp_path_factory.mktemp("pdfs")), seeds)


def pdf_text(path: str, limits: Limits = Limits()) -> str:
    return join_pages([page or "" for page in read_pdf(path, limits).pages])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", seed_names())
def test_text_layer_reads_as_the_seed(pdfs, name, kind):
    result = read_pdf(pdfs[(name, kind)], Limits())
    assert result.missing == []
    assert result.pages_total == len(result.pages) >= 2
    assert scans.agreement(join_pages(result.pages), read_seed(name)) >= 0.99
    if kind == "legacy":
        assert result.encodings == ("TCVN3", "VNI")
        assert any("TCVN3, VNI" in warning for warning in result.warnings)
    else:
        assert (result.encodings, result.warnings) == ((), [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", seed_names())
def test_metadata_from_pdf_matches_expected(expected, vocab, pdfs, name, kind):
    text = normalize_text(pdf_text(pdfs[(name, kind)]))
    meta = extract_metadata(name[:-4], text, vocab, split_layout(text)).as_dict()
    failed = [check for check in scans.metadata_checks(expected[name], meta) if not check[1]]
    assert failed == []


def test_header_columns_and_signature_beside_recipients(pdfs):
    lines = pdf_text(pdfs[("004_abab5fe7c577bb0b.txt", "legacy")]).split("\n")
    assert columns(lines[0]) == ["TỈNH ỦY BÌNH THUẬN", "ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert columns(lines[2]) == ["Số 503-TB/TU", "Phan Thiết, ngày 16 tháng 5 năm 2008"]
    recipients = next(line for line in lines if line.startswith("Nơi nhận"))
    assert columns(recipients) == ["Nơi nhận:", "T/L BAN THƯỜNG VỤ"]
    assert lines[-1] == "Huỳnh Đa Trung"


def test_legacy_pdf_carries_legacy_font_names(pdfs):
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    def fontnames(container):
        for obj in container:
            if isinstance(obj, LTChar):
                yield obj.fontname
            elif hasattr(obj, "__iter__"):
                yield from fontnames(obj)

    page = next(iter(extract_pages(pdfs[("004_abab5fe7c577bb0b.txt", "legacy")], maxpages=1)))
    names = {name.split("+")[-1] for name in fontnames(page)}
    assert {".VnTime", ".VnTimeH", "VNI-Times"} <= names


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_pages_turned_for_display_read_the_same(pdfs, tmp_path, degrees):
    from pypdf import PdfWriter

    source = pdfs[("004_abab5fe7c577bb0b.txt", "legacy")]
    writer = PdfWriter(clone_from=source)
    for page in writer.pages:
        page.rotate(degrees)  # /Rotate: the text is drawn upright in the page's own space
    path = str(tmp_path / "turned.pdf")
    writer.write(path)
    assert pdf_text(path) == pdf_text(source)


def test_page_cap_reads_the_first_pages_and_says_so(pdfs, tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for name in ("004_abab5fe7c577bb0b.txt", "001_dddd422e47ca07c7.txt"):
        writer.append(pdfs[(name, "unicode")])
    path = tmp_path / "six.pdf"
    writer.write(str(path))
    result = read_pdf(str(path), Limits(pages=3))
    assert (len(result.pages), result.pages_total) == (3, 6)
    assert result.warnings == ["chỉ đọc 3/6 trang đầu (giới hạn trang)"]


def test_owner_password_alone_does_not_stop_reading(pdfs, tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=pdfs[("001_dddd422e47ca07c7.txt", "unicode")])
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    path = tmp_path / "owner.pdf"
    writer.write(str(path))
    assert scans.agreement(pdf_text(str(path)), read_seed("001_dddd422e47ca07c7.txt")) >= 0.99


def _protected(source: str, path: str) -> str:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="mat-khau", algorithm="RC4-128")
    writer.write(path)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda src, dst: _protected(src, dst), "tệp PDF có mật khẩu, không đọc được"),
        (lambda src, dst: _write(dst, _read(src)[: len(_read(src)) // 2]), "tệp PDF hỏng"),
        (lambda src, dst: _write(dst, b"%PDF-1.7\n" + os.urandom(4000)), "tệp PDF hỏng"),
        (lambda src, dst: _write(dst, b"GIF89a" + b"\0" * 100), "không phải tệp PDF"),
    ],
    ids=["password", "truncated", "garbage", "not-pdf"],
)
def test_unreadable_pdfs_are_refused_with_the_reason(pdfs, tmp_path, make, reason):
    path = make(pdfs[("004_abab5fe7c577bb0b.txt", "unicode")], str(tmp_path / "bad.pdf"))
    with pytest.raises(UnreadableFile) as caught:
        read_pdf(path, Limits())
    assert str(caught.value).startswith(reason)


def test_time_limit_stops_the_reader(pdfs):
    with pytest.raises(LimitExceeded, match="quá thời gian"):
        read_pdf(pdfs[("000_0e1e5b514ef6e61b.txt", "legacy")], Limits(seconds=0.01))


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _write(path: str, data: bytes) -> str:
    with open(path, "wb") as f:
        f.write(data)
    return path


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("Văn phòng Tỉnh ủy thông báo ý kiến kết luận của Thường trực Tỉnh ủy.", True),
        ("Số 503-TB/TU, UBND, HĐND, LĐLĐ tỉnh: 12/2019/QĐ-UBND ngày 3/4/2019 của Ủy ban nhân dân", True),
        ("(cid:12)(cid:44)(cid:3)(cid:91) " * 10, False),
        ("xqzt kjhw pfrr mnbv qwty zxcv lkjh gfds poiu ytrr wqaz " * 2, False),
        ("V¨n phßng TØnh ñy th«ng b¸o ý kiÕn kÕt luËn cña Th­êng trùc", False),
        ("Trang 2", False),
        ("Van phong Tinh uy thong bao y kien ket luan cua Thuong truc Tinh uy de cac dong chi biet. " * 4, False),
        ("Văn phòng Tỉnh ủy thông báo ý kiến kết luận của Thường trực Tỉnh ủy để các đồng chí biết. " * 4, True),
        # A scanner's OCR layer made without the Vietnamese model (Tesseract's English, seed 004).
        ("Sau khi nghe dai dién Thu@ng true Dang uy khéi Doanh nghiép bdo cdo tinh hinh va y kién phat biéu "
         "ctia cdc déng chi tham du budi lam viéc, dong chi Lé Tién Phong I- Danh gia tinh hinh thu hién "
         "nhiém vu 4 thang dau nam 2008:", False),
    ],
)
def test_usable_text_layer(text, readable):
    assert usable(text) is readable
