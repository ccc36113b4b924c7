"""The seeds as an office would type them in Word, converted to PDF by LibreOffice (test files).

Header and signature blocks are borderless two-column tables, headings letter-spaced. Legacy
PDFs use fonts named ``.VnTime``, ``.VnTimeH`` and ``VNI-Times`` (copies of Liberation Serif
renamed with fontTools, seen only by the LibreOffice run that needs them): TCVN3 runs, capitals
with marks in the H font, every fourth body paragraph in VNI. Nothing binary is committed.
"""

import os
import re
import shutil
import subprocess
import unicodedata

from indexer import legacy

SERIF = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"
LEGACY_FAMILIES = (".VnTime", ".VnTimeH", "VNI-Times")
_COLUMNS = re.compile(r" {3,}")
_HEADING = re.compile(r"^(THÔNG BÁO|KẾT LUẬN|NGHỊ QUYẾT|CHỈ THỊ|BÁO CÁO)$")
_BODY = re.compile(r"^(Ngày|Sáng|Chiều)\s|^.{160,}")
STAND_IN = "\u00af"
_RIGHT_COLUMN_AT = 30  # characters: a part starting further right belongs to the right-hand column
_MADE: dict = {}  # one build per session, whichever test module asks first


def _parts(line: str) -> list[tuple[int, str]]:
    """Split a seed line into (start column, text) parts at runs of 3+ spaces."""
    parts, start = [], 0
    for piece in _COLUMNS.split(line):
        offset = line.index(piece, start) if piece else start
        if piece.strip():
            parts.append((offset, piece.strip()))
        start = offset + len(piece)
    return parts


def _row(line: str) -> tuple[str, str]:
    left, right = [], []
    for offset, text in _parts(line):
        (right if offset >= _RIGHT_COLUMN_AT else left).append(text)
    return " ".join(left), " ".join(right)


def seed_blocks(text: str) -> list[tuple]:
    """Cut a seed into blocks: ``("table", rows)``, ``("para", text, role)`` or ``("blank",)``.

    Roles: ``heading``/``title`` (centred, bold), ``body`` (justified, indented), ``sign`` (the
    signature lines of a one-column tail, centred in the right half), ``plain``.
    """
    lines = text.split("\n")
    heading = next((i for i, line in enumerate(lines[:20]) if _HEADING.match(line.strip())), None)
    tail = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip().startswith("Nơi nhận")), None)
    blocks: list[tuple] = []
    header_end = heading if heading is not None and any(_COLUMNS.search(line.strip()) for line in lines[:heading]) else 0
    if header_end:
        blocks.append(("table", [_row(line) for line in lines[:header_end] if line.strip()]))
    columned_tail = tail is not None and _COLUMNS.search(lines[tail].strip())
    body_end = tail if columned_tail else len(lines)
    in_title = heading is not None
    for index in range(header_end, body_end):
        line = lines[index].strip()
        if not line:
            if blocks and blocks[-1][0] != "blank":
                blocks.append(("blank",))
            continue
        if in_title and index > heading and _BODY.match(line):
            in_title = False
        role = "heading" if index == heading else "title" if in_title else "body" if len(line) > 40 else "plain"
        if tail is not None and index > tail and not line.startswith(("-", "Nơi nhận")):
            role = "sign"
        elif tail is not None and index >= tail or heading is None and index < 2:
            role = "plain" if index else "title"
        blocks.append(("para", line, role))
    if columned_tail:
        blocks.append(("table", [_row(line) for line in lines[tail:] if line.strip()]))
    return blocks


def _tcvn3(text: str) -> str:
    # LibreOffice takes TCVN3's "ư" (U+00AD) for a soft hyphen and drops it: type a stand-in,
    # which restore_tcvn3_u() maps back in the PDF's ToUnicode table.
    return legacy.encode(text, legacy.TCVN3).replace("\u00ad", STAND_IN)


def _legacy_runs(text: str, capitals: bool, vni: bool) -> list[tuple[str, str]]:
    """Type ``text`` as an old office would: (font, surface) runs in TCVN3 or VNI."""
    if vni:
        return [("VNI-Times", legacy.encode(text, legacy.VNI))]
    if capitals:
        return [(".VnTimeH", _tcvn3(text.lower()))]
    runs: list[tuple[str, str]] = []
    for char in unicodedata.normalize("NFC", text):
        # TCVN3 has no code for a toned capital: the office switched to the H font for that letter.
        needs_h = char.isupper() and not char.isascii() and legacy.encode(char, legacy.TCVN3) == legacy.encode(char.lower(), legacy.TCVN3)
        font = ".VnTimeH" if needs_h else ".VnTime"
        surface = _tcvn3(char.lower() if needs_h else char)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + surface)
        else:
            runs.append((font, surface))
    return runs


def _fill(paragraph, text: str, font_legacy: bool, vni: bool = False, bold=False, italic=False, size=13, spaced=0):
    """Add ``text`` as runs; ``spaced``: expanded character spacing in points (headings often have it)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    capitals = text.isupper()
    runs = _legacy_runs(text, capitals, vni) if font_legacy else [("Liberation Serif", text)]
    for font, surface in runs:
        run = paragraph.add_run(surface)
        run.font.name = font
        run.font.size = Pt(size)
        run.bold, run.italic = bold, italic
        if spaced:
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(int(spaced * 20)))
            run._r.get_or_add_rPr().append(spacing)


def _add_table(document, rows, font_legacy: bool, left_align: bool):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = document.add_table(rows=len(rows), cols=2)
    table.autofit = False
    widths = (Cm(7.0), Cm(9.0))
    for row, (left, right) in zip(table.rows, rows):
        for cell, width, text in zip(row.cells, widths, (left, right)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            centred = not (left_align and cell is row.cells[0])
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            paragraph.paragraph_format.space_after = 0
            if text:
                strong = text.isupper() and len(text) > 3
                dated = "ngày" in text and "tháng" in text
                _fill(paragraph, text, font_legacy, bold=strong, italic=dated, size=13)


def build_docx(text: str, path: str, font_legacy: bool = False) -> str:
    """Write a seed as an office would type it; ``font_legacy``: in TCVN3 and VNI fonts."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    body_count = 0
    for block in seed_blocks(text):
        if block[0] == "table":
            _add_table(document, block[1], font_legacy, left_align=block[1][0][0].startswith("Nơi nhận"))
            continue
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if block[0] == "blank":
            continue
        _, line, role = block
        vni = role == "body" and body_count % 4 == 3
        body_count += role == "body"
        if role in ("heading", "title"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif role == "sign":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.left_indent = Cm(8.0)
        elif role == "body":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.first_line_indent = Cm(1.0)
        strong = role in ("heading", "title") and line.isupper() or role == "sign" and line.isupper()
        _fill(paragraph, line, font_legacy, vni=font_legacy and vni, bold=strong, size=14 if role == "heading" else 13,
              spaced=2 if role == "heading" else 0)
    document.save(path)
    return path


def make_legacy_fonts(folder: str) -> str:
    """Install Liberation Serif under the legacy family names into ``folder`` (a fonts dir)."""
    from fontTools.ttLib import TTFont

    os.makedirs(folder, exist_ok=True)
    for family in LEGACY_FAMILIES:
        font = TTFont(SERIF)
        table = font["name"]
        table.names = [n for n in table.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 18, 21, 22)]
        for name_id, value in ((1, family), (2, "Regular"), (3, family + ";test"), (4, family), (6, family)):
            table.setName(value, name_id, 3, 1, 0x409)
            table.setName(value, name_id, 1, 0, 0)
        font.save(os.path.join(folder, family.lstrip(".") + ".ttf"))
    return folder


def soffice_to_pdf(paths: list[str], outdir: str, workdir: str, fonts_dir: str | None = None) -> list[str]:
    """Convert documents to PDF with LibreOffice headless, in a private profile (and fonts)."""
    profile = os.path.join(workdir, "lo-profile")
    env = {**os.environ, "HOME": os.path.join(workdir, "home"), "XDG_CACHE_HOME": os.path.join(workdir, "cache")}
    if fonts_dir:
        env["XDG_DATA_HOME"] = os.path.dirname(fonts_dir)  # fontconfig reads $XDG_DATA_HOME/fonts
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
         "--convert-to", "pdf", "--outdir", outdir, *paths],
        check=True, capture_output=True, env=env, timeout=300,
    )
    out = [os.path.join(outdir, os.path.splitext(os.path.basename(p))[0] + ".pdf") for p in paths]
    missing = [p for p in out if not os.path.exists(p)]
    assert not missing, f"LibreOffice did not write {missing}"
    return out


def restore_tcvn3_u(path: str) -> None:
    """Map the stand-in back to U+00AD in the ToUnicode tables of the TCVN3 fonts, as Word writes it."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=path)
    seen = set()
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "VnTime" not in font["/BaseFont"] or id(font) in seen:
                continue
            seen.add(id(font))
            cmap = font[NameObject("/ToUnicode")].get_object()
            cmap.set_data(cmap.get_data().replace(b"<00AF>", b"<00AD>"))
    with open(path, "wb") as f:
        writer.write(f)


def have_soffice() -> bool:
    return shutil.which("soffice") is not None


def seed_pdfs(folder: str, seeds: dict[str, str]) -> dict[tuple[str, str], str]:
    """Make a Unicode and a legacy-font PDF of every seed: ``{(name, "unicode"|"legacy"): path}``."""
    if "pdfs" in _MADE:
        return _MADE["pdfs"]
    fonts = make_legacy_fonts(os.path.join(folder, "share", "fonts"))
    docs = {}
    for name, text in seeds.items():
        stem = name[:3]
        docs[(name, "unicode")] = build_docx(text, os.path.join(folder, f"{stem}-unicode.docx"))
        docs[(name, "legacy")] = build_docx(text, os.path.join(folder, f"{stem}-legacy.docx"), font_legacy=True)
    paths = soffice_to_pdf(list(docs.values()), folder, folder, fonts)
    made = dict(zip(docs, paths))
    for (name, kind), path in made.items():
        if kind == "legacy":
            restore_tcvn3_u(path)
    _MADE["pdfs"] = made
    return made
