"""Turn a saved web page into the plain text of its article body."""

import re

from selectolax.lexbor import LexborHTMLParser

# Whole subtrees that never hold article text.
_DROP = "script, style, noscript, template, iframe, svg, canvas, nav, header, footer, aside, form, " \
        "button, select, input, textarea, object, embed, [role=navigation], [aria-hidden=true]"
_BOILERPLATE = re.compile(
    r"(^|[\s_-])(menu|nav|navbar|footer|header|sidebar|breadcrumbs?|comments?|share|social|banner|"
    r"advert|ads|related|tags|toolbar|pagination)($|[\s_-])",
    re.IGNORECASE,
)
_BODY_HINT = re.compile(r"article|content|detail|entry|post|news|body|main|noidung|chitiet", re.I)
_BLOCK = frozenset(
    "p div section article main li ul ol h1 h2 h3 h4 h5 h6 tr table tbody thead blockquote pre "
    "dd dt dl figure figcaption center hr address".split()
)
_CELL = frozenset({"td", "th"})
_WS = re.compile(r"\s+")


def _drop_boilerplate(tree: LexborHTMLParser) -> None:
    for node in tree.css(_DROP):
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


def _render(node, out: list[str], pre: bool = False) -> None:
    """Append the text of ``node`` to ``out``; blocks become lines, cells become columns."""
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            out.append(text if pre else _WS.sub(" ", text))
        elif tag == "br":
            out.append("\n")
        elif tag in _CELL:
            out.append("    ")
            _render(child, out, pre)
            out.append("    ")
        elif tag in _BLOCK:
            out.append("\n")
            if tag == "li":
                out.append("- ")
            _render(child, out, pre or tag == "pre")
            out.append("\n")
        elif tag not in ("-comment", "img"):
            _render(child, out, pre)
        child = child.next


def html_to_text(html: str) -> str:
    """Return the article (headline and body) of an HTML page as lines of text.

    >>> html_to_text("<title>T</title><body><nav>menu</nav><h1>Tin</h1><p>Một&nbsp;câu.</p></body>")
    'Tin\\n\\nMột câu.'
    """
    tree = LexborHTMLParser(html)
    _drop_boilerplate(tree)
    main = _main_node(tree)
    out: list[str] = []
    _render(main, out)
    lines = [line.strip(" ") for line in "".join(out).split("\n")]
    # The page <title> is left out: it repeats the headline or names the site.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
