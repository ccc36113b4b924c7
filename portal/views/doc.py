"""A notice (``/van-ban/<id>``): metadata, full text with highlights, citations, related notices.

Its original files: ``/van-ban/<id>/ban-goc`` the one the text came from, ``/ban-goc/<n>`` the
n-th (1-based; ``/ban-goc/1`` redirects to the short URL, so that each file has one URL).
"""

import collections
import re

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from markupsafe import Markup
from markupsafe import escape

from indexer.refs import REFERENCE
from indexer.refs import canonical_ref
from portal.highlight import mark
from portal.highlight import match_spans
from portal.downloads import send_original
from portal.pages import doc_page
from portal.pages import original_file
from portal.provenance import original_url

bp = Blueprint("doc", __name__)
# "1.", "2.3-", "II-", "a)" at the start of a paragraph: a numbered point a link can open at.
_POINT = re.compile(r"^\s*((?:[IVX]+|\d+(?:\.\d+)*)[.\-)]|[a-zđ]\))\s*")


def _point_anchor(paragraph: str) -> str | None:
    match = _POINT.match(paragraph)
    if not match:
        return None
    return "muc-" + re.sub(r"[^\w]+", "-", match.group(1)).strip("-").lower()


def _link_references(html: Markup, references: dict, own: str | None) -> Markup:
    """Turn cited numbers into links: to the notice when the corpus has it, else to a search."""
    def replace(match):
        number = canonical_ref(match.group(0))
        if number == own:
            return match.group(0)
        owner = references.get(number)
        target = url_for("doc.show", doc_id=owner) if owner else url_for("search.results", q=number)
        return f'<a class="ref" href="{escape(target)}">{match.group(0)}</a>'

    # Numbers hold no characters that escaping changes, so the escaped text still shows them whole.
    return Markup(REFERENCE.sub(replace, str(html)))


def paragraphs(text: str, phrases, references: dict, own: str | None = None) -> list[dict]:
    """Split a notice into paragraphs, highlighted, with anchors on numbered points."""
    spans = match_spans(text, phrases)
    out, start, seen = [], 0, collections.Counter()
    for block in text.split("\n"):
        end = start + len(block)
        if block.strip():
            html = _link_references(mark(text, spans, start, end), references, own)
            anchor = _point_anchor(block)
            if anchor:
                # Notices do number two points alike ("2.2-" twice in one seed): ids must stay unique.
                seen[anchor] += 1
                anchor = anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}"
            out.append({"html": html, "anchor": anchor})
        start = end + 1
    return out


@bp.route("/van-ban/<doc_id>")
def show(doc_id: str):
    """Show one notice; arriving from a search highlights its terms."""
    doc = doc_page(doc_id, request.args)
    doc["paragraphs"] = paragraphs(doc["text"], doc["phrases"], doc["references"], doc["meta"].get("number"))
    return render_template("doc/notice.html", doc=doc)


@bp.route("/van-ban/<doc_id>/ban-goc")
def original(doc_id: str):
    """Serve the file a notice's text came from (its first original)."""
    return send_original(original_file(doc_id, 1))


@bp.route("/van-ban/<doc_id>/ban-goc/<int:number>")
def original_number(doc_id: str, number: int):
    """Serve a notice's ``number``-th original; the first has one URL only, the short one."""
    if number == 1:
        return redirect(original_url(doc_id, 1), code=301)
    return send_original(original_file(doc_id, number))
