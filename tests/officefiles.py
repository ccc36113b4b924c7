"""Word files made from the seeds, the ways offices store them: Unicode with header and signature
tables, TCVN3 with ``.VnTimeH`` capitals, VNI, styled fonts, mixed encodings; and LibreOffice
conversions to ``.doc``, ``.rtf`` and ``.pdf``. Made by the tests, never committed."""

import difflib
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from indexer import legacy
from indexer.layout import DOC_TYPES
from indexer.layout import columns
from indexer.normalize import normalize_text

UNICODE, TCVN3, VNI, MIXED = "unicode", legacy.TCVN3, legacy.VNI, "mixed"
_HEADING = re.compile(r"^\s*(" + "|".join(DOC_TYPES) + r")\s*$")
_RECIPIENTS = re.compile(r"^\s*Nơi nhận", re.IGNORECASE)
# TCVN3 has these capitals; every other capital with a mark needs an H font.
_TCVN3_CAPITALS = set("ĂÂÊÔƠƯĐ")
_RIGHT_COLUMN = 40


def _split_columns(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split two-column lines into the left cell's lines and the right cell's."""
    left, right = [], []
    for line in lines:
        parts = columns(line)
        if len(parts) >= 2:
            left.append(parts[0])
            right.append(" ".join(parts[1:]))
        elif parts:
            indent = len(line) - len(line.lstrip())
            (right if indent >= _RIGHT_COLUMN else left).append(parts[0])
    return left, right


def notice_blocks(text: str) -> list[tuple]:
    """Cut a seed's text into ``("table", left, right)`` and ``("para", line)`` blocks (blank: ``""``)."""
    lines = text.split("\n")
    heading = next((i for i, line in enumerate(lines[:25]) if _HEADING.match(line)), None)
    head_end = heading if heading is not None and any(len(columns(l)) > 1 for l in lines[:heading]) else 0
    tail = next((i for i in range(len(lines) - 1, -1, -1) if _RECIPIENTS.match(lines[i])), None)
    if tail is None or not any(len(columns(l)) > 1 for l in lines[tail:]):
        tail = len(lines)
    blocks: list[tuple] = []
    if head_end:
        blocks.append(("table", *_split_columns(lines[:head_end])))
    blocks += [("para", line.strip()) for line in lines[head_end:tail]]
    if tail < len(lines):
        blocks.append(("table", *_split_columns(lines[tail:])))
    return blocks


def _tcvn3_runs(text: str) -> list[tuple[str, str]]:
    """Split a line into (surface, font) runs as a TCVN3 typist would: H-font for marked capitals."""
    if text.isupper() and len(text) > 3:
        return [(legacy.encode(text.lower(), TCVN3), ".VnTimeH")]
    runs: list[tuple[str, str]] = []
    for char in text:
        needs_h = char.isupper() and char not in _TCVN3_CAPITALS and not char.isascii()
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


def _runs(text: str, encoding: str, index: int) -> list[tuple[str, str | None]]:
    if encoding == MIXED:
        encoding = (UNICODE, TCVN3, VNI)[index % 3]
    if encoding == TCVN3:
        return _tcvn3_runs(text)
    if encoding == VNI:
        return _vni_runs(text)
    return [(text, "Times New Roman")]


def _fill(paragraph, text: str, encoding: str, index: int, styled: bool) -> None:
    for surface, font in _runs(text, encoding, index):
        run = paragraph.add_run(surface)
        if styled and font == ".VnTimeH":
            run.style = "Chu hoa VnTimeH"
        elif not (styled and font == ".VnTime"):
            run.font.name = font


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


def write_docx(path: str, text: str, encoding: str = UNICODE, styled: bool = False, blank_paragraphs: bool = True) -> str:
    """Write a seed's text as a Word file with borderless header and signature tables."""
    document = docx.Document()
    if styled:
        _styled(document)
    index = 0
    for block in notice_blocks(text):
        if block[0] == "para":
            if block[1] or blank_paragraphs:
                _fill(document.add_paragraph(), block[1], encoding, index, styled)
                index += 1
            continue
        table = document.add_table(rows=1, cols=2)
        for cell, lines in zip(table.rows[0].cells, block[1:]):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
            for line in lines or [""]:
                _fill(cell.add_paragraph(), line, encoding, index, styled)
                index += 1
    document.save(path)
    return path


def convert_with_libreoffice(source: str, target_format: str, outdir: str) -> str:
    """Convert a file with LibreOffice headless (``doc``, ``rtf``, ``pdf``), in a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="lo-test-") as profile:
        subprocess.run(
            ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
             "--convert-to", target_format, "--outdir", outdir, source],
            check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": profile},
        )
    target = os.path.join(outdir, os.path.splitext(os.path.basename(source))[0] + "." + target_format)
    assert os.path.exists(target), f"LibreOffice made no {target_format} from {source}"
    return target


def have_libreoffice() -> bool:
    """Tell whether LibreOffice is installed (``make test`` installs it)."""
    return shutil.which("soffice") is not None


def syllables(text: str) -> list[str]:
    """The syllables of a text, as the portal serves it (normalized, capitals kept)."""
    return re.findall(r"[^\W_]+", normalize_text(unicodedata.normalize("NFC", text)))


def syllable_agreement(got: str, want: str) -> float:
    """Share of the wanted syllables that the got text has, in order (difflib's matching blocks)."""
    a, b = syllables(got), syllables(want)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(b))


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
