"""Seeds saved as web pages the ways offices save them, line by line from the seed text: Word's
"Save as Web Page" (a paragraph per line, the header's columns aligned with tabs and non-breaking
spaces, or set in tables) and a site editor (every line a ``<p>``, ``<p>&nbsp;</p>`` between).
Made by the tests, never committed."""

import html
import re

from tests.officefiles import cell_lines
from tests.officefiles import notice_blocks
from tests.variants import to_cp1258

WORD, WORD_1258, WORD_TABLES = "word", "word-1258", "word-tables"
EDITOR, EDITOR_CSS = "editor", "editor-css"  # the latter spaces paragraphs by its style sheet, not empty ones
STYLES = (WORD, WORD_1258, WORD_TABLES, EDITOR, EDITOR_CSS)
_GAP = re.compile(r"( {3,})")
_ITEM = re.compile(r"^([-+]) (.*)$")
_HEADING = re.compile(r"^(THÔNG BÁO|KẾT LUẬN|NGHỊ QUYẾT)$")

_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<link rel=File-List href="thong-bao_files/filelist.xml">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Van phong Tinh uy</o:Author>
  <o:Pages>3</o:Pages>
 </o:DocumentProperties>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
\t{{font-family:"Times New Roman";}}
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{{mso-style-parent:"";
\tmargin:0in;
\tfont-size:14.0pt;
\tfont-family:"Times New Roman",serif;}}
div.WordSection1
\t{{page:WordSection1;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 table.MsoNormalTable {{mso-style-name:"Table Normal";}}
</style>
<![endif]-->
</head>

<body lang=EN-US style='tab-interval:.5in'>
<!--[if gte mso 9]><xml>
 <w:WordDocument><w:View>Print</w:View><w:Zoom>100</w:Zoom></w:WordDocument>
</xml><![endif]-->

<div class=WordSection1>

{body}

</div>

</body>

</html>
"""

_EDITOR_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>{title} - Cổng thông tin điện tử Tỉnh ủy</title>
  <link rel="stylesheet" href="/css/site.css">
  <script>var menu = "Trang chủ | Giới thiệu";</script>
</head>
<body>
<div id="wrapper">
  <div class="top-header">Cổng thông tin điện tử Tỉnh ủy Bình Thuận</div>
  <ul class="main-menu"><li><a href="/">Trang chủ</a></li><li><a href="/tin">Tin tức</a></li></ul>
  <div class="container">
    <div class="col-main">
      <div class="news-detail">
        <div class="news-content">
{body}
        </div>
      </div>
    </div>
    <div class="sidebar"><h3>Tin mới</h3><ul><li><a href="/a">Hội nghị sơ kết</a></li></ul></div>
  </div>
  <div id="footer">Bản quyền thuộc Văn phòng Tỉnh ủy Bình Thuận</div>
</div>
</body>
</html>
"""


def _wrap_source(markup: str, width: int = 76) -> str:
    """Break long source lines at single spaces, as Word writes its HTML."""
    out, column = [], 0
    for piece in re.split(r"(?<! )( )(?! )", markup):
        if piece == " " and column >= width:
            out.append("\r\n")
            column = 0
            continue
        out.append(piece)
        column += len(piece)
    return "".join(out)


def _word_spaces(count: int) -> str:
    return "<span style='mso-spacerun:yes'>" + "&nbsp;" * (count - 1) + " </span>"


def _word_tab(width: int, index: int) -> str:
    # Word fills a tab's span with non-breaking spaces, or (older versions) with plain spaces.
    fill = "&nbsp;" * (width - 1) + " " if index % 2 == 0 else " " * width
    return f"<span style='mso-tab-count:{1 + width // 12}'>{fill}</span>"


def _word_runs(line: str) -> str:
    """A line's text as Word's runs: indentation and double spaces kept, column gaps as tabs."""
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    out = [_word_spaces(indent) if indent > 1 else ""]
    for index, part in enumerate(_GAP.split(stripped.rstrip(" "))):
        if index % 2:
            out.append(_word_tab(len(part), index // 2))
        else:
            escaped = html.escape(part, quote=False)
            out.append(re.sub(r"  +", lambda m: _word_spaces(len(m.group(0))), escaped))
    text = "".join(out)
    return f"<b><span lang=VI>{text}</span></b>" if stripped.isupper() else f"<span lang=VI>{text}</span>"


def _word_paragraph(line: str) -> str:
    if not line.strip():
        if len(line) % 2:
            return "<p class=MsoNormal><![if !supportEmptyParas]>&nbsp;<![endif]><o:p></o:p></p>"
        return "<p class=MsoNormal><span lang=VI><o:p>&nbsp;</o:p></span></p>"
    item = _ITEM.match(line.strip())
    if item:
        label = (
            "<![if !supportLists]><span lang=VI><span style='mso-list:Ignore'>"
            f"{item.group(1)}<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; "
            "</span></span></span><![endif]>"
        )
        return (
            "<p class=MsoListParagraphCxSpMiddle style='text-indent:-.25in;mso-list:l0 level1 lfo1'>"
            f"{label}{_word_runs(item.group(2))}<o:p></o:p></p>"
        )
    if _HEADING.match(line.strip()):
        return f"<h1 align=center style='text-align:center'>{_word_runs(line.strip())}<o:p></o:p></h1>"
    return f"<p class=MsoNormal style='text-align:justify'>{_word_runs(line)}<o:p></o:p></p>"


def _word_table(left: list[str], right: list[str]) -> str:
    cells = []
    for lines, width in ((left, 246), (right, 372)):
        paragraphs = "\n".join(_word_paragraph(line) for line in lines or [""])
        cells.append(f"  <td width={width} valign=top style='width:{width * 0.75}pt;padding:0in 5.4pt 0in 5.4pt'>\n"
                     f"  {paragraphs}\n  </td>")
    return (
        "<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0\n"
        " style='border-collapse:collapse;mso-yfti-tbllook:1184;mso-padding-alt:0in 5.4pt 0in 5.4pt'>\n"
        " <tr style='mso-yfti-irow:0;mso-yfti-firstrow:yes;mso-yfti-lastrow:yes'>\n"
        + "\n".join(cells) + "\n </tr>\n</table>"
    )


def _word_tables(text: str) -> list[str]:
    """A header and a signature laid out in two columns become tables; every other line a paragraph."""
    return [_word_table(*cell_lines(block[1])) if block[0] == "table" else _word_paragraph(block[1])
            for block in notice_blocks(text)]


def word_page(text: str, charset: str = "utf-8", tables: bool = False) -> bytes:
    """Save a seed as Word's "Save as Web Page" does: one paragraph per line, empty ones between."""
    parts = _word_tables(text) if tables else [_word_paragraph(line) for line in text.split("\n")]
    body = "\n\n".join(_wrap_source(part) for part in parts)
    first = next(line.strip() for line in text.split("\n") if line.strip())
    page = _WORD_HEAD.format(charset=charset, title=html.escape(first), body=body).replace("\n", "\r\n")
    return to_cp1258(page) if charset == "windows-1258" else page.encode("utf-8")


def _editor_spaces(count: int) -> str:
    # What CKEditor writes for a run of typed spaces: "&nbsp; &nbsp; ...".
    return "".join("&nbsp;" if i % 2 == 0 else " " for i in range(count - 1)) + "&nbsp;"


def _editor_text(line: str) -> str:
    parts = _GAP.split(line.strip())
    text = "".join(
        _editor_spaces(len(part)) if index % 2 else html.escape(part, quote=False)
        for index, part in enumerate(parts)
    )
    stripped = line.strip()
    if stripped.isupper() or stripped.startswith("Nơi nhận"):
        return f"<strong>{text}</strong>"
    if stripped.startswith("("):
        return f"<em>{text}</em>"
    return text


def _editor_group(lines: list[str]) -> str:
    """Consecutive lines: each its own ``<p>``; a list a ``<p>`` broken by ``<br />``, one item a ``<div>``."""
    if all(_ITEM.match(line.strip()) for line in lines):
        if len(lines) == 1:
            return f"<div>{_editor_text(lines[0])}</div>"
        return "<p>" + "<br />\n".join(_editor_text(line) for line in lines) + "</p>"
    return "\n".join(
        f'<p style="text-align: {"center" if line.strip().isupper() else "justify"};">{_editor_text(line)}</p>'
        for line in lines
    )


def editor_page(text: str, spacers: bool = True) -> bytes:
    """Save a seed as a site editor does: each line a block, ``<p>&nbsp;</p>`` for a blank line (or none)."""
    blocks, group = [], []
    for line in text.split("\n"):
        if line.strip():
            group.append(line)
            continue
        if group:
            blocks.append(_editor_group(group))
            group = []
        if spacers:
            blocks.append("<p>&nbsp;</p>")
    if group:
        blocks.append(_editor_group(group))
    first = next(line.strip() for line in text.split("\n") if line.strip())
    return _EDITOR_PAGE.format(title=html.escape(first), body="\n".join(blocks)).encode("utf-8")


def saved_page(text: str, style: str) -> bytes:
    """Return a seed saved as a web page in one of :data:`STYLES`."""
    if style in (EDITOR, EDITOR_CSS):
        return editor_page(text, spacers=style == EDITOR)
    return word_page(text, "windows-1258" if style == WORD_1258 else "utf-8", tables=style == WORD_TABLES)

