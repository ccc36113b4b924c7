"""Read a Word ``.docx`` into text in reading order, converting legacy-font runs to Unicode.

Paragraphs become lines; a table's cells are read row by row, left to right, each cell's lines
kept together, so a borderless header table reads like the two-column header of a ``.txt``
notice. Text inside insertions, hyperlinks, fields, content controls and text boxes counts;
deleted text, field codes and hidden runs do not. Each character's font (run properties, then
character style, paragraph style, document defaults, theme) decides its legacy conversion.
"""

import zipfile

from lxml import etree

from indexer import fonts
from indexer import legacy
from indexer.docxstyles import Styles
from indexer.docxstyles import W
from indexer.docxstyles import local
from indexer.docxstyles import parse_part
from indexer.numbering import Numbering
from indexer.rawtext import Origin
from indexer.rawtext import RawText
from indexer.rawtext import UnreadableFile

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Unpacked size the parts we read may reach: a small .docx can unzip to gigabytes (a zip bomb).
MAX_UNPACKED = 256 * 1024 * 1024
_DOCUMENT = "word/document.xml"
# Containers whose content is read as if it stood in their place.
_TRANSPARENT = frozenset({"ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "sdtContent",
                          "bdo", "dir", "sdt"})
# Content that is not text of the notice.
_SKIPPED = frozenset({"del", "moveFrom", "rPr", "pPr", "sdtPr", "sdtEndPr", "proofErr", "bookmarkStart",
                      "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "permStart", "permEnd"})
_RUN_TEXT = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "softHyphen": "\u00ad", "noBreakHyphen": "-"}
_SYMBOL_BULLETS = frozenset({0xF0B7, 0xF0A7, 0xF0D8, 0xF076, 0xF0FC, 0xF0E0, 0xF06C, 0xF06E, 0xF0A8})


class _Paragraph:
    """Pieces of one paragraph's text with the legacy font each is set in."""

    def __init__(self):
        self.pieces: list[tuple[str, fonts.LegacyFont | None]] = []
        self.extra: list[str] = []  # lines of text boxes anchored in the paragraph

    def add(self, text: str, font) -> None:
        if not text:
            return
        if self.pieces and self.pieces[-1][1] == font:
            # Adjacent runs of one font convert together: a VNI letter and its mark may be split.
            self.pieces[-1] = (self.pieces[-1][0] + text, font)
        else:
            self.pieces.append((text, font))

    def text(self, encodings: set) -> str:
        out = []
        for text, font in self.pieces:
            if font is None:
                converted, encoding = legacy.repair_unnamed(text)
            else:
                converted, encoding = fonts.convert(text, font), font.encoding
            if converted != text:
                encodings.add(encoding)
            out.append(converted)
        return "".join(out)


class _Reader:
    """Walks ``word/document.xml`` with the document's styles and numbering."""

    def __init__(self, styles: Styles, numbering: Numbering):
        self.styles = styles
        self.numbering = numbering
        self.encodings: set[str] = set()

    def blocks(self, parent) -> list[str]:
        """Return the lines of block-level content (paragraphs, tables, content controls)."""
        lines: list[str] = []
        for child in parent:
            name = local(child)
            if name == "p":
                lines.extend(self.paragraph(child))
            elif name == "tbl":
                lines.extend(self.table(child))
            elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
                lines.extend(self.blocks(child))
        return lines

    def table(self, table) -> list[str]:
        lines: list[str] = []
        for row in table.iterfind(f"{W}tr"):
            for cell in row.iterfind(f"{W}tc"):
                lines.extend(line for line in self.blocks(cell) if line.strip())
        return lines

    def paragraph(self, paragraph) -> list[str]:
        style = self.styles.paragraph_style(paragraph)
        collected = _Paragraph()
        label = self.numbering.label(paragraph, self.styles, style)
        if label:
            collected.add(label, None)
        self.inline(paragraph, style, collected)
        text = collected.text(self.encodings)
        return [*text.split("\n"), *collected.extra]

    def inline(self, parent, style: str | None, collected: _Paragraph) -> None:
        for child in parent:
            name = local(child)
            if name == "r":
                self.run(child, style, collected)
            elif name == "AlternateContent":
                choice = child.find(f"{MC}Choice")
                if choice is not None:
                    self.inline(choice, style, collected)
            elif name in _TRANSPARENT:
                self.inline(child, style, collected)

    def run(self, run, style: str | None, collected: _Paragraph) -> None:
        props = self.styles.run_properties(run, style)
        if props.hidden:
            return
        for child in run:
            name = local(child)
            if name == "t":
                self._add_text(child.text or "", props, collected)
            elif name in _RUN_TEXT:
                # In a .VnTime run a soft hyphen is the letter "ư": special content keeps the run's font.
                self._add_text(_RUN_TEXT[name], props, collected)
            elif name == "sym":
                self._add_symbol(child, props, collected)
            elif name in ("drawing", "pict", "AlternateContent", "object"):
                self._text_boxes(child, collected)

    def _add_text(self, text: str, props, collected: _Paragraph) -> None:
        if props.caps:
            text = text.upper()
        for segment, font in props.split_by_font(text):
            collected.add(segment, fonts.legacy_font(font))

    def _add_symbol(self, sym, props, collected: _Paragraph) -> None:
        try:
            code = int(sym.get(f"{W}char", ""), 16)
        except ValueError:
            return
        font = fonts.legacy_font(sym.get(f"{W}font"))
        if font is not None:
            collected.add(chr(code & 0xFF), font)
        elif code in _SYMBOL_BULLETS:
            collected.add("-", None)
        elif not 0xE000 <= code <= 0xF8FF:
            collected.add(chr(code), None)

    def _text_boxes(self, element, collected: _Paragraph) -> None:
        # A drawing holds its text box twice (DrawingML choice, VML fallback): read the first only.
        for box in element.iter(f"{W}txbxContent"):
            collected.extra.extend(self.blocks(box))
            return


def _check_size(archive: zipfile.ZipFile) -> None:
    total = sum(info.file_size for info in archive.infolist() if info.filename.startswith("word/"))
    if total > MAX_UNPACKED:
        raise UnreadableFile(
            f"tệp Word giải nén ra quá lớn ({total / 1048576:.0f} MB, giới hạn {MAX_UNPACKED // 1048576} MB)"
        )


def read_docx(path: str, format_name: str = "docx") -> RawText:
    """Read a ``.docx`` file into text with its origin.

    :raise UnreadableFile: not a Word document, damaged, or too large unpacked
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _DOCUMENT not in names:
                raise UnreadableFile("tệp ZIP không phải văn bản Word (thiếu word/document.xml)")
            _check_size(archive)
            document = parse_part(archive, _DOCUMENT)
            styles = Styles(parse_part(archive, "word/styles.xml"), parse_part(archive, "word/theme/theme1.xml"))
            numbering = Numbering(parse_part(archive, "word/numbering.xml"))
    except (zipfile.BadZipFile, EOFError) as exc:
        raise UnreadableFile(f"tệp ZIP hỏng, không đọc được như văn bản Word ({exc})") from None
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"tệp Word hỏng (XML lỗi: {exc})") from None
    body = document.find(f"{W}body")
    if body is None:
        raise UnreadableFile("tệp Word không có phần nội dung (w:body)")
    reader = _Reader(styles, numbering)
    text = "\n".join(reader.blocks(body))
    encodings = tuple(sorted(reader.encodings))
    warnings = [f"đã chuyển chữ ở phông cũ {', '.join(encodings)} sang Unicode"] if encodings else []
    return RawText(text, Origin(format_name, encodings=encodings), warnings)
