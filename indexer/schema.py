"""The index schema, and how a notice becomes one index document."""

from whoosh.analysis import RegexTokenizer
from whoosh.fields import ID
from whoosh.fields import KEYWORD
from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema

from indexer.analysis import syllable_analyzer
from indexer.analysis import word_analyzer
from indexer.notice import Notice
from indexer.refs import ref_key

# Bump when the schema or the extraction rules change: the next build then re-indexes everything.
SCHEMA_VERSION = 11
TITLE_BOOST = 3.0
# Facet value of notices without a date, so that they can be counted and selected.
UNDATED = "none"
# Multi-valued facets are indexed one value per line: values themselves contain commas.
_VALUE_SEPARATOR = "\n"
FACET_FIELDS = ("type", "year", "month", "signer", "chair", "units", "topics")
# The text fields searches score; their postings also get numpy arrays (indexer.postarrays).
SYLLABLE_FIELDS = ("title", "body")
SCORED_FIELDS = (*SYLLABLE_FIELDS, "title_words", "body_words")


def _values_field(**kwargs) -> KEYWORD:
    return KEYWORD(analyzer=RegexTokenizer(r"[^\n]+"), scorable=False, **kwargs)


def build_schema() -> Schema:
    """Return the schema: syllables and pyvi compound words of title and body, plus facets.

    Queries typed without diacritics match through the syllable lexicon (every accented form of a
    folded syllable), so no accent-folded copy of the text is indexed.
    """
    syllables, words = syllable_analyzer(), word_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        # A column too: ranking reads many titles, without unpickling each notice's stored body.
        title=TEXT(analyzer=syllables, stored=True, field_boost=TITLE_BOOST, sortable=True),
        title_words=TEXT(analyzer=words, phrase=False, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=syllables, stored=True),
        body_words=TEXT(analyzer=words, phrase=False),
        type=ID(sortable=True),
        date=ID(sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),
        signer=ID(sortable=True),
        chair=ID(sortable=True),
        units=_values_field(),
        topics=_values_field(),
        references=_values_field(),
        number=ID(sortable=True),
        number_key=ID(),
        cites=_values_field(),
        meta=STORED(),
        body_offset=STORED(),
    )


def _join(values: list[str]) -> str:
    return _VALUE_SEPARATOR.join(v for v in values if v)


def index_fields(notice: Notice) -> dict:
    """Return the field values that ``writer.add_document`` takes for one notice."""
    meta = notice.meta
    title = meta.title or ""
    fields = {
        "id": meta.id,
        "title": title,
        "title_words": title,
        "body": notice.text,
        "body_words": notice.text,
        "date": meta.date or "",
        "year": meta.date[:4] if meta.date else UNDATED,
        "month": meta.date[:7] if meta.date else UNDATED,
        "units": _join(meta.units),
        "topics": _join(meta.topics),
        "references": _join(meta.references),
        "cites": _join([ref_key(r) for r in meta.references]),
        "meta": {**meta.as_dict(), "path": notice.source, "originals": notice.originals,
                 **({"origin": notice.origin.as_dict()} if notice.origin else {})},
        "body_offset": notice.body_offset,
    }
    for name in ("type", "signer", "chair", "number"):
        if getattr(meta, name):
            fields[name] = getattr(meta, name)
    if meta.number:
        fields["number_key"] = ref_key(meta.number)
    return fields
