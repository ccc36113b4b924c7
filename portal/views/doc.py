"""A notice (``/van-ban/<id>``): metadata, full text with highlights, citations, related notices.

Its original files: ``/van-ban/<id>/ban-goc`` the one the text came from, ``/ban-goc/<n>`` the
n-th (1-based; ``/ban-goc/1`` redirects to the short URL, so that each file has one URL).
A numbered point opens at ``#diem-2-3``, any paragraph at ``#doan-<n>``; links made before
points were named so (``#muc-2-3``) are taken there by static/app.js.
"""

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
from portal.passages import split
from portal.provenance import original_url

bp = Blueprint("doc", __name__)


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


def sections(text: str, phrases, references: dict, own: str | None = None) -> list[dict]:
    """Split a notice into its numbered points and other paragraphs, highlighted, with their anchors.

    The split is :func:`portal.passages.split`, the one search hits link into.
    """
    spans = match_spans(text, phrases)
    return [
        {"anchor": section.anchor, "label": section.label,
         "paragraphs": [{"html": _link_references(mark(text, spans, p.start, p.end), references, own),
                         "anchor": p.anchor} for p in section.paragraphs]}
        for section in split(text)
    ]


@bp.route("/van-ban/<doc_id>")
def show(doc_id: str):
    """Show one notice; arriving from a search highlights its terms."""
    doc = doc_page(doc_id, request.args)
    doc["sections"] = sections(doc["text"], doc["phrases"], doc["references"], doc["meta"].get("number"))
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
