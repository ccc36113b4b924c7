"""Word files made from the seeds, the ways offices store them, and LibreOffice conversions of them.

Unicode with header and signature tables, TCVN3 with ``.VnTimeH`` capitals, VNI, styled fonts, mixed
encodings; ``formatted``, as an office types a notice for print (A4, bold, sizes, a letter-spaced
heading), which LibreOffice turns into the seeds' PDFs. Legacy PDFs use fonts named ``.VnTime``,
``.VnTimeH`` and ``VNI-Times`` (Liberation Serif renamed with fontTools, seen only by the LibreOffice
run that needs them). Made by the tests, never committed.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.shared import Pt

from indexer import legacy
from indexer.layout import DOC_TYPES

UNICODE, TCVN3, VNI, MIXED = "unicode", legacy.TCVN3, legacy.VNI, "mixed"
LEGACY = "legacy"  # TCVN3, every fourth body paragraph in VNI: how the legacy PDFs are typed
UNICODE_FONT = "Times New Roman"
SERIF = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"
LEGACY_FAMILIES = (".VnTime", ".VnTimeH", "VNI-Times")
STAND_IN = "\u00af"
_HEADING = re.compile(r"^\s*(" + "|".join(DOC_TYPES) + r")\s*$")
_BODY_START = re.compile(r"^(Ngày|Sáng|Chiều)\s|^.{160,}")
_RECIPIENTS = re.compile(r"^\s*Nơi nhận", re.IGNORECASE)
_PART = re.compile(r"\S+(?: {1,2}\S+)*")  # columns are cut at runs of three or more spaces
_RIGHT_COLUMN = 30  # characters: a part starting further right belongs to the right-hand column
_MADE: dict = {}  # one build per session, whichever test module asks first


# ---- a seed's blocks -------------------------------------------------------------------------

def _row(line: str) -> tuple[str, str]:
    """Split a two-column line into its left and right cells."""
    left, right = [], []
    for part in _PART.finditer(line):
        (right if part.start() >= _RIGHT_COLUMN else left).append(part.group())
    return " ".join(left), " ".join(right)


def _two_columns(line: str) -> bool:
    """Tell whether a line is laid out in two (or more) columns."""
    return len(_PART.findall(line)) > 1


def _roles(lines: list[str], heading: int | None, tail: int | None) -> list[str]:
    """Give every line its role in the notice's look (see notice_blocks)."""
    roles, in_title = [], heading is not None
    for index, line in enumerate(raw.strip() for raw in lines):
        if in_title and index > heading and _BODY_START.match(line):
            in_title = False
        if not line:
            role = "blank"
        elif tail is not None and index > tail and not line.startswith(("-", "Nơi nhận")):
            role = "sign"
        elif (tail is not None and index >= tail) or (heading is None and index < 2):
            role = "plain" if index else "title"  # without a heading, the first line is the title
        else:
            role = "heading" if index == heading else "title" if in_title else "body" if len(line) > 40 else "plain"
        roles.append(role)
    return roles


def notice_blocks(text: str) -> list[tuple]:
    """Cut a seed into ``("table", [(left, right), ...])`` and ``("para", line, role)`` blocks.

    A header or a signature laid out in two columns is a table, a row a line; a paragraph's line is
    as the seed has it (indentation and trailing spaces kept). Roles:
    ``heading``/``title`` (centred), ``body`` (justified, indented), ``sign`` (the signature lines
    of a one-column tail), ``plain``, and ``blank`` for an empty line.
    """
    lines = text.split("\n")
    heading = next((i for i, line in enumerate(lines[:25]) if _HEADING.match(line)), None)
    tail = next((i for i in range(len(lines) - 1, -1, -1) if _RECIPIENTS.match(lines[i])), None)
    head_end = heading if heading is not None and any(map(_two_columns, lines[:heading])) else 0
    body_end = tail if tail is not None and any(map(_two_columns, lines[tail:])) else len(lines)
    roles = _roles(lines, heading, tail)
    blocks: list[tuple] = [("table", [_row(line) for line in lines[:head_end] if line.strip()])] if head_end else []
    blocks += [("para", lines[i], roles[i]) for i in range(head_end, body_end)]
    if body_end < len(lines):
        blocks.append(("table", [_row(line) for line in lines[body_end:] if line.strip()]))
    return blocks


# ---- runs in legacy fonts --------------------------------------------------------------------

def _tcvn3_runs(text: str) -> list[tuple[str, str]]:
    """Split a line into (surface, font) runs as a TCVN3 typist would: H-font for marked capitals."""
    if text.isupper() and len(text) > 3:
        return [(legacy.encode(text.lower(), TCVN3), ".VnTimeH")]
    runs: list[tuple[str, str]] = []
    for char in unicodedata.normalize("NFC", text):
        # TCVN3 has no code for a toned capital: the typist switched to the H font for that letter.
        needs_h = char.isupper() and legacy.encode(char, TCVN3) == legacy.encode(char.lower(), TCVN3)
        font, surface = (".VnTimeH", legacy.encode(char.lower(), TCVN3)) if needs_h else (".VnTime", legacy.encode(char, TCVN3))
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + surface, font)
        else:
            runs.append((surface, font))
    return runs


def _vni_runs(text: str) -> list[tuple[str, str]]:
    # Cut after every base letter that takes a mark, so that letters and marks land in two runs.
    surface = legacy.encode(text, VNI)
    pieces = re.split(r"(?<=[aeouyAEOUYôöÔÖ])(?=[\u00c0-\u00ff])", surface)
    return [(piece, "VNI-Times") for piece in pieces if piece]


class _Typist:
    """Type a document's paragraphs one after another, in the encoding each one gets.

    ``MIXED`` cycles Unicode, TCVN3, VNI paragraph by paragraph; ``LEGACY`` types every fourth body
    paragraph in VNI, the rest in TCVN3. ``for_pdf``: TCVN3's "ư" (U+00AD) becomes a stand-in.
    """

    def __init__(self, encoding: str, for_pdf: bool = False):
        self.encoding, self.for_pdf, self.paragraphs, self.bodies = encoding, for_pdf, 0, 0

    def runs(self, text: str, role: str = "plain") -> list[tuple[str, str]]:
        """Return (surface, font) runs for the next paragraph."""
        encoding = self.encoding
        if encoding == MIXED:
            encoding = (UNICODE, TCVN3, VNI)[self.paragraphs % 3]
        elif encoding == LEGACY:
            encoding = VNI if role == "body" and self.bodies % 4 == 3 else TCVN3
        self.paragraphs += 1
        self.bodies += role == "body"
        if encoding == VNI:
            return _vni_runs(text)
        if encoding != TCVN3:
            return [(text, UNICODE_FONT)]
        runs = _tcvn3_runs(text)
        if self.for_pdf:
            # LibreOffice takes U+00AD for a soft hyphen and drops it from a PDF: restore_tcvn3_u maps it back.
            runs = [(surface.replace("\u00ad", STAND_IN), font) for surface, font in runs]
        return runs


# ---- Word files ------------------------------------------------------------------------------

def _fill(paragraph, runs: list[tuple[str, str]], styled: bool, look: dict | None = None) -> None:
    """Add runs; ``look``: ``size`` and ``spaced`` (expanded character spacing) in points, ``bold``, ``italic``."""
    for surface, font in runs:
        run = paragraph.add_run(surface)
        if styled and font == ".VnTimeH":
            run.style = "Chu hoa VnTimeH"
        elif not (styled and font == ".VnTime"):
            run.font.name = font
        if look:
            run.font.size = Pt(look["size"])
            run.bold, run.italic = look.get("bold", False), look.get("italic", False)
        if look and look.get("spaced"):
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(int(look["spaced"] * 20)))
            run._r.get_or_add_rPr().append(spacing)


def _styled(document) -> None:
    """Fonts named by styles only: the document defaults and Normal say .VnTime; a character style .VnTimeH."""
    document.styles["Normal"].font.name = ".VnTime"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), ".VnTime")
    fonts.set(qn("w:hAnsi"), ".VnTime")
    style = document.styles.add_style("Chu hoa VnTimeH", WD_STYLE_TYPE.CHARACTER)
    style.font.name = ".VnTimeH"


def cell_lines(rows: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Return a table's left and right cells' lines, as one cell a column holds them."""
    return [left for left, _ in rows if left], [right for _, right in rows if right]


def _table(document, rows: list[tuple[str, str]], typist: _Typist, styled: bool) -> None:
    """Add a one-row table: each cell holds its column's lines as paragraphs."""
    table = document.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, cell_lines(rows)):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        for line in lines or [""]:
            _fill(cell.add_paragraph(), typist.runs(line), styled)


def _formatted_table(document, rows: list[tuple[str, str]], typist: _Typist, styled: bool) -> None:
    """Add a table of a row a line, 7 and 9 cm wide, every cell centred; names in capitals bold, dates italic."""
    table = document.add_table(rows=len(rows), cols=2)
    table.autofit = False
    for row, texts in zip(table.rows, rows):
        for cell, width, text in zip(row.cells, (Cm(7.0), Cm(9.0)), texts):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = 0
            if text:
                look = {"size": 13, "bold": text.isupper() and len(text) > 3, "italic": "ngày" in text and "tháng" in text}
                _fill(paragraph, typist.runs(text, "cell"), styled, look)


def _formatted_paragraph(document, line: str, role: str, typist: _Typist, styled: bool) -> None:
    """Add a paragraph laid out for its role (see notice_blocks)."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    if role == "blank":
        return
    if role in ("heading", "title", "sign"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if role == "sign":
        paragraph.paragraph_format.left_indent = Cm(8.0)
    elif role == "body":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    heading = role == "heading"
    look = {"size": 14 if heading else 13, "spaced": 2 if heading else 0,
            "bold": line.isupper() and role in ("heading", "title", "sign")}
    _fill(paragraph, typist.runs(line, role), styled, look)


def _a4(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)


def write_docx(path: str, text: str, encoding: str = UNICODE, styled: bool = False, blank_paragraphs: bool = True,
               formatted: bool = False, for_pdf: bool = False) -> str:
    """Write a seed's text as a Word file with borderless header and signature tables.

    :param encoding: ``UNICODE``, ``TCVN3``, ``VNI``, ``MIXED`` or ``LEGACY`` (see _Typist).
    :param styled: legacy fonts named by the styles and document defaults only, not by the runs.
    :param blank_paragraphs: an empty paragraph for every blank line (else none).
    :param formatted: typed for print: A4, bold, sizes, a row a line in tables, blank lines run together.
    :param for_pdf: TCVN3's "ư" typed as a stand-in that LibreOffice keeps (see restore_tcvn3_u).
    """
    document = docx.Document()
    if styled:
        _styled(document)
    if formatted:
        _a4(document)
    typist, previous = _Typist(encoding, for_pdf), None
    for block in notice_blocks(text):
        blank = block[0] == "para" and block[2] == "blank"
        if blank and (not blank_paragraphs or formatted and previous in (None, "blank")):
            continue
        if block[0] == "table":
            (_formatted_table if formatted else _table)(document, block[1], typist, styled)
        elif formatted:
            _formatted_paragraph(document, block[1].strip(), block[2], typist, styled)
        else:
            _fill(document.add_paragraph(), typist.runs(block[1].strip(), block[2]), styled)
        previous = "blank" if blank else block[0]
    document.save(path)
    return path


def raw_docx(path: str, body: str, styles: str = "", numbering: str = "") -> str:
    """Write a minimal ``.docx`` around hand-written WordprocessingML (for what python-docx cannot make)."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
         'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {ns}><w:body>{body}</w:body></w:document>')
        if styles:
            archive.writestr("word/styles.xml", f'<?xml version="1.0"?><w:styles {ns}>{styles}</w:styles>')
        if numbering:
            archive.writestr("word/numbering.xml", f'<?xml version="1.0"?><w:numbering {ns}>{numbering}</w:numbering>')
    return path


# ---- LibreOffice -----------------------------------------------------------------------------

def have_libreoffice() -> bool:
    """Tell whether LibreOffice is installed (``make test`` installs it; Debian libreoffice-writer-nogui)."""
    return shutil.which("soffice") is not None


def make_legacy_fonts(folder: str) -> str:
    """Write Liberation Serif under the legacy family names into ``folder`` (a fonts folder)."""
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


def convert_with_libreoffice(sources: list[str], target_format: str, outdir: str, fonts: str | None = None,
                             timeout: float = 300) -> list[str]:
    """Convert files with one LibreOffice headless run (``doc``, ``rtf``, ``pdf``) in a throw-away profile.

    :param fonts: a folder of extra fonts that only this run sees (make_legacy_fonts).
    :return: the converted files' paths, in the order of ``sources``.
    """
    if not sources:
        return []
    with tempfile.TemporaryDirectory(prefix="lo-test-") as home:
        env = {**os.environ, "HOME": home, "XDG_CACHE_HOME": os.path.join(home, "cache")}
        if fonts:
            env["XDG_DATA_HOME"] = os.path.join(home, "share")  # fontconfig reads $XDG_DATA_HOME/fonts
            shutil.copytree(fonts, os.path.join(home, "share", "fonts"))
        subprocess.run(
            ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{home}/profile",
             "--convert-to", target_format, "--outdir", outdir, *sources],
            check=True, capture_output=True, timeout=timeout, env=env,
        )
    targets = [os.path.join(outdir, os.path.splitext(os.path.basename(p))[0] + "." + target_format) for p in sources]
    missing = [p for p in targets if not os.path.exists(p)]
    assert not missing, f"LibreOffice made no {missing}"
    return targets


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


def seed_pdfs(folder: str, seeds: dict[str, str]) -> dict[tuple[str, str], str]:
    """Make a Unicode and a legacy-font PDF of every seed: ``{(name, "unicode"|"legacy"): path}``."""
    if "pdfs" in _MADE:
        return _MADE["pdfs"]
    docs = {}
    for name, text in seeds.items():
        for kind, encoding in (("unicode", UNICODE), ("legacy", LEGACY)):
            path = os.path.join(folder, f"{name[:3]}-{kind}.docx")
            docs[(name, kind)] = write_docx(path, text, encoding, formatted=True, for_pdf=True)
    fonts = make_legacy_fonts(os.path.join(folder, "fonts"))
    made = dict(zip(docs, convert_with_libreoffice(list(docs.values()), "pdf", folder, fonts)))
    for (name, kind), path in made.items():
        if kind == "legacy":
            restore_tcvn3_u(path)
    _MADE["pdfs"] = made
    return made
