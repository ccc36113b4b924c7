"""Turn a saved web page into the plain text of its article body.

Word's "Save as Web Page" and site editors put each line of a notice in its own paragraph, with
empty paragraphs between lines, and align a header's two columns with tabs or runs of
non-breaking spaces. So each block is one line, an empty paragraph a blank line, and white space
that shows as three spaces or more stays a column gap, as in a text file (``layout.columns``).
"""

import codecs
import re

from selectolax.lexbor import LexborHTMLParser

# Whole subtrees that never hold article text (``xml``: Word's data islands).
_DROP = "script, style, noscript, template, iframe, svg, canvas, nav, header, footer, aside, form, " \
        "button, select, input, textarea, object, embed, xml, [role=navigation], [aria-hidden=true]"
_BOILERPLATE = re.compile(
    r"(^|[\s_-])(menu|nav|navbar|footer|header|sidebar|breadcrumbs?|comments?|share|social|banner|"
    r"advert|ads|related|tags|toolbar|pagination)($|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.IGNORECASE)
_BODY_HINT = re.compile(r"article|content|detail|entry|post|news|body|main|noidung|chitiet", re.I)
_BLOCK = frozenset(
    "p div section article main li ul ol blockquote pre dd dt dl figure figcaption center hr address "
    "tr tbody thead tfoot caption".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SKIPPED = frozenset({"-comment", "img"})
# Word marks a tab stop with a span whatever fills it (non-breaking spaces, plain spaces, or one).
_TAB_STYLE = re.compile(r"mso-tab-count", re.IGNORECASE)
# Word's list labels end in a tab drawn as a 7-point span of spaces: a space, not a column gap.
_LIST_TAB_STYLE = re.compile(r"font\s*:\s*7\.0pt", re.IGNORECASE)
_TAB = "\ue000"
_COLUMN_GAP = "    "
_MIN_GAP = 3
_COLLAPSIBLE = " \t\r\n\f"
_WHITE_RUN = re.compile("[" + _COLLAPSIBLE + "\u00a0\u2007\u202f\u3000" + _TAB + "]+")
# A line break in the page source, with the indentation around it: one space, as a browser shows it.
_SOURCE_BREAK = re.compile(r"[ \t\f]*[\r\n][ \t\r\n\f]*")

_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """Return the codec a page's ``<meta>`` declares, by Python's name (``windows-1258`` -> ``cp1258``)."""
    match = _META_CHARSET.search(data[:4096])
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name if match else None
    except (LookupError, UnicodeDecodeError):
        return None


def _drop_boilerplate(tree: LexborHTMLParser) -> None:
    for node in tree.css(_DROP):
        node.decompose()
    for node in tree.css("[style]"):
        if _HIDDEN.search(node.attributes.get("style") or ""):
            node.decompose()
    for node in tree.css("[class], [id]"):
        label = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BOILERPLATE.search(label) and node.tag not in ("body", "html", "article", "main"):
            node.decompose()


def _main_node(tree: LexborHTMLParser):
    for selector in ("article", "[itemprop=articleBody]", "main"):
        node = tree.css_first(selector)
        if node is not None and len(node.text(strip=True)) > 200:
            return node
    candidates = [
        node for node in tree.css("div, section, td")
        if _BODY_HINT.search(f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}")
    ]
    best = max(candidates, key=lambda n: len(n.text(strip=True)), default=None)
    if best is not None and len(best.text(strip=True)) > 200:
        return best
    return tree.body or tree.root


def _spacing(run: str) -> str:
    """Show a run of white space as one space, or as a column gap when it is three spaces wide or a tab."""
    run = _SOURCE_BREAK.sub(" ", run)
    if _TAB in run or "\t" in run or len(run) >= _MIN_GAP:
        return _COLUMN_GAP
    return " "


def _line(pieces: list[str]) -> str | None:
    """Return the line that inline pieces show, or None when they hold only collapsible white space."""
    raw = "".join(pieces)
    if not raw.strip(_COLLAPSIBLE):
        return None
    return _WHITE_RUN.sub(lambda m: _spacing(m.group(0)), raw).strip(" ")


def _rows(table):
    """Yield the rows of a table (not of tables nested in its cells)."""
    for child in table.iter():
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child.iter() if row.tag == "tr")


class _Lines:
    """Lines of text rendered from a page: a block per line, a ``<br>`` ends one, an empty paragraph is blank."""

    def __init__(self, pre: bool = False):
        self.lines: list[str] = []
        self.pieces: list[str] = []
        self.pre = pre

    def end_line(self, hard: bool = False) -> None:
        """Finish the current line; a hard break (``<br>``) keeps even an empty one."""
        line = _line(self.pieces)
        self.pieces = []
        if line is not None:
            self.lines.append(line)
        elif hard:
            self.lines.append("")

    def render(self, node) -> None:
        """Append the text of ``node``'s children."""
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                self.text(child.text_content or "")
            elif tag == "br":
                self.end_line(hard=True)
            elif tag == "table":
                self.table(child)
            elif tag in _HEADINGS:
                self.apart(child)
            elif tag in _BLOCK:
                self.block(child)
            elif tag not in _SKIPPED:
                self.inline(child)
            child = child.next

    def text(self, text: str) -> None:
        if not self.pre:
            self.pieces.append(text)
            return
        first, *rest = text.split("\n")
        self.pieces.append(first)
        for line in rest:
            self.end_line(hard=True)
            self.pieces.append(line)

    def inline(self, node) -> None:
        style = node.attributes.get("style") or ""
        if _TAB_STYLE.search(style):
            self.pieces.append(_TAB)
        elif _LIST_TAB_STYLE.search(style) and not node.text(deep=True).strip():
            self.pieces.append(" ")
        else:
            self.render(node)

    def block(self, node) -> None:
        self.end_line()
        if node.tag == "li":
            self.pieces.append("- ")
        pre, self.pre = self.pre, self.pre or node.tag == "pre"
        self.render(node)
        self.end_line()
        self.pre = pre

    def apart(self, node) -> None:
        """Render a heading on lines of its own, set apart by blank lines."""
        self.end_line()
        self.lines.append("")
        self.block(node)
        self.lines.append("")

    def table(self, node) -> None:
        """Read cells left to right, row by row, each cell's lines together (as the Word reader does)."""
        self.end_line()
        for row in _rows(node):
            for cell in row.iter():
                if cell.tag in ("td", "th"):
                    self.lines.extend(_cell_lines(cell, self.pre))


def _cell_lines(cell, pre: bool) -> list[str]:
    lines = _Lines(pre)
    lines.render(cell)
    lines.end_line()
    text = "\n".join(lines.lines).strip("\n")
    return text.split("\n") if text else []


def html_to_text(html: str) -> str:
    """Return the article (headline and body) of an HTML page as lines of text.

    >>> html_to_text("<title>T</title><body><nav>menu</nav><h1>Tin</h1><p>Một&nbsp;câu.</p></body>")
    'Tin\\n\\nMột câu.'
    """
    tree = LexborHTMLParser(html)
    _drop_boilerplate(tree)
    lines = _Lines()
    lines.render(_main_node(tree))
    lines.end_line()
    # The page <title> is left out: it repeats the headline or names the site.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines.lines)).strip("\n")
