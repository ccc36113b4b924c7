"""Totals and facet counts equal brute force, on the seeds and on real news articles."""

import collections
import gzip
import itertools
import json
import math
import re
from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import MultiDict

from indexer import postarrays
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.normalize import fold_accents
from portal import create_app
from portal import search as search_service
from portal.params import FACETS
from portal.params import PER_PAGE
from portal.params import parse_params
from portal.query import parse_query
from tests.conftest import BENCH
from tests.conftest import require_shared

FIELD_OF = {"year": "year", "signer": "signer", "unit": "units", "topic": "topics", "chair": "chair", "type": "type"}
SIGNERS = ("Lê Tấn Lai", "Huỳnh Đa Trung", "Nguyễn Văn Bình", "Trần Thị Mai")
UNITS = ("Huyện ủy Tuy Phong", "Đảng ủy khối Doanh nghiệp", "Thành ủy Phan Thiết", "Tỉnh Đoàn", "Hội Nông dân tỉnh")
BENCH_DOCS = 300


def _values(meta: dict, facet: str) -> list[str]:
    if facet == "year":
        return [meta["date"][:4]] if meta.get("date") else ["none"]
    value = meta.get(FIELD_OF[facet])
    return value if isinstance(value, list) else [value] if value else []


def _phrase_in(phrase, text: str) -> bool:
    haystack = text.lower() if phrase.exact else fold_accents(text.lower())
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, phrase.syllables)) + r"(?![^\W_])"
    return re.search(pattern, haystack) is not None


def _plain_words(parsed) -> list:
    return [group[0] for group in parsed.required if len(group) == 1 and len(group[0].syllables) == 1]


def _fillers_optional(parsed) -> bool:
    """Filler words ("mới nhất") are optional beside any word or phrase that names a subject."""
    return any(not (len(g) == 1 and len(g[0].syllables) == 1 and g[0].filler) for g in parsed.required)


def _most_words(docs: dict, parsed) -> dict:
    """The notices holding the strict parts and most of the plain words' weight (issue 11)."""
    words = [w for w in _plain_words(parsed) if not (w.filler and _fillers_optional(parsed))]
    strict = [group for group in parsed.required if not (len(group) == 1 and len(group[0].syllables) == 1)]
    held = {w: sum(_phrase_in(w, body) for _, body in docs.values()) for w in words}
    only_fillers = all(w.filler for w in _plain_words(parsed))
    weights = {w: math.log(1 + len(docs) / n) ** 2 for w, n in held.items() if n and (only_fillers or not w.filler)}
    total = sum(weights.values())
    coverage = {}
    for doc_id, (meta, body) in docs.items():
        ok = all(any(_phrase_in(p, body) for p in group) for group in strict) and \
            not any(_phrase_in(p, body) for p in parsed.excluded)
        share = sum(weight for w, weight in weights.items() if _phrase_in(w, body)) / total if total else 0
        if ok and share > 0:
            coverage[doc_id] = share
    floor = min(0.5 + 1e-4, max(coverage.values(), default=0) - 1e-6)
    return {doc_id: docs[doc_id][0] for doc_id, share in coverage.items() if share >= floor}


def brute_force(docs: dict, args: MultiDict) -> tuple[int, dict]:
    """Count by scanning every document: the total, and each facet as if its own filter were off."""
    params = parse_params(args)
    parsed = parse_query(params.q)

    optional = _fillers_optional(parsed) and not params.all_words
    required = [g for g in parsed.required if not (optional and len(g) == 1 and g[0].filler)]

    def text_ok(body):
        return all(any(_phrase_in(p, body) for p in group) for group in required) and \
            not any(_phrase_in(p, body) for p in parsed.excluded)

    def facet_ok(meta, facet):
        chosen = params.selected(facet)
        return not chosen or bool(set(_values(meta, facet)) & set(chosen))

    base = {doc_id: meta for doc_id, (meta, body) in docs.items() if text_ok(body)}
    total = sum(all(facet_ok(m, f) for f in FACETS) for m in base.values())
    words = len(_plain_words(parsed))
    if total < PER_PAGE and words >= 2 and not params.all_words:
        wider = _most_words(docs, parsed)
        wider_total = sum(all(facet_ok(m, f) for f in FACETS) for m in wider.values())
        if wider_total > total:
            base, total = wider, wider_total
    counts = {}
    for facet in FACETS:
        counter = collections.Counter()
        for meta in base.values():
            if all(facet_ok(meta, other) for other in FACETS if other != facet):
                counter.update(_values(meta, facet))
        counts[facet] = dict(counter)
    return total, counts


def _check(app, docs, query_string):
    from urllib.parse import parse_qsl

    args = MultiDict(parse_qsl(query_string))
    with app.test_request_context():
        result = search_service.search(parse_params(args))
    total, counts = brute_force(docs, args)
    assert result["total"] == total, query_string
    for facet in FACETS:
        got = {item["value"]: item["count"] for item in result["facets"][facet] if item["count"]}
        assert got == counts[facet], (query_string, facet)


def _stored_docs(app) -> dict:
    with app.app_context():
        generation = search_service._engine().generation()
        with generation.lock:
            return {f["id"]: (f["meta"], f["body"]) for f in generation.searcher().all_stored_fields()}


SEED_QUERIES = [
    "", "q=dang+vien", "q=%C4%91%E1%BA%A3ng+vi%C3%AAn", "q=tuy+phong", "q=%22doanh+nghiep%22", "year=2014",
    "q=dang&year=2014&year=2008", "signer=L%C3%AA+T%E1%BA%A5n+Lai&topic=M%E1%BA%B7t+tr%E1%BA%ADn+v%C3%A0+%C4%91o%C3%A0n+th%E1%BB%83",
    "q=ket+luan+-tuy", "q=dan+van+OR+thi+dua", "q=%22mat+tran+to+quoc%22", "q=%22kiem+tra+giam+sat%22+-%22uy+ban%22", "unit=%C4%90%E1%BA%A3ng+%E1%BB%A7y+kh%E1%BB%91i+Doanh+nghi%E1%BB%87p&year=2018",
]


@pytest.mark.parametrize("query_string", SEED_QUERIES)
def test_seed_counts_equal_brute_force(app, query_string):
    _check(app, _stored_docs(app), query_string)


@pytest.fixture(scope="module")
def bench_app(tmp_path_factory):
    """A few hundred real articles, facet values derived from their ids (they have none)."""
    folder = tmp_path_factory.mktemp("bench")
    records = []
    with gzip.open(require_shared(BENCH), "rt", encoding="utf-8") as f:
        for line in itertools.islice(f, BENCH_DOCS):
            record = json.loads(line)
            n = int(record["id"]) if str(record["id"]).isdigit() else len(records)
            record["date"] = f"{2010 + n % 9}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 10 else None
            record["signer"] = SIGNERS[n % len(SIGNERS)]
            record["units"] = sorted({UNITS[n % 5], UNITS[n % 3]})
            records.append(record)
    bulk = folder / "sample.jsonl"
    bulk.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    from indexer.vocab import load_vocabulary
    from tests.conftest import CORPUS

    with pytest.MonkeyPatch.context() as patch:
        # Pairs of syllables held by 20 documents or more are read from the posting arrays; phrases
        # of rarer ones are checked on positions: the brute-force checks below cover both ways.
        patch.setattr(postarrays, "PAIR_MIN_DOCS", 20)
        build_index(BuildOptions(index=str(folder / "ix"), jsonl=(str(bulk),)), load_vocabulary(CORPUS))
    return create_app({"TESTING": True, "INDEX_PATH": str(folder / "ix")})


BENCH_QUERIES = [
    "", "q=vi%E1%BB%87t+nam", "q=viet+nam", "q=%22th%C3%A0nh+ph%E1%BB%91%22", "q=%22thanh+pho%22",
    "year=2012&year=2015", "q=nguoi&signer=L%C3%AA+T%E1%BA%A5n+Lai", "q=cong+an+-giao+thong",
    "unit=T%E1%BB%89nh+%C4%90o%C3%A0n&unit=H%E1%BB%99i+N%C3%B4ng+d%C3%A2n+t%E1%BB%89nh&year=none",
    "q=kinh+t%E1%BA%BF&topic=Kinh+t%E1%BA%BF%2C+doanh+nghi%E1%BB%87p", "q=ha+noi+OR+sai+gon",
    # Phrases of three and more syllables, common ones, with and without diacritics.
    urlencode({"q": '"thành phố hồ chí minh"'}), urlencode({"q": '"thanh pho ho chi minh"'}),
    urlencode({"q": '"của các"'}), urlencode({"q": '"người dân" -"hà nội"', "year": "2012"}),
    urlencode({"q": '"có thể" OR "không có"'}),
    # Pairs of common and rarer syllables, typed with and without diacritics.
    urlencode({"q": '"tham quan"'}), urlencode({"q": '"dong cua"'}), urlencode({"q": '"được danh tính"'}),
    urlencode({"q": '"nam 2016" "cua cac"'}),
    # Mixed marks: one marked syllable makes every syllable exact.
    urlencode({"q": "kinh tế"}), urlencode({"q": '"trong số"'}), urlencode({"q": '"so với"'}),
    urlencode({"q": '"trong so"'}), urlencode({"q": "người dan"}), urlencode({"q": '"thanh phố"'}),
    # Natural queries: too few notices hold every word, those holding most of them are counted.
    urlencode({"q": "giá xăng tăng bao nhiêu trong tháng 5 năm 2017 tại Bình Thuận"}),
    urlencode({"q": "tai nan giao thong moi nhat nhu the nao", "year": "2014"}),
    urlencode({"q": '"công an" bắt giữ đối tượng mới nhất -"hà nội"'}),
    urlencode({"q": "như thế nào"}), urlencode({"q": "giá vàng hôm nay bao nhiêu", "match": "tat-ca"}),
]


@pytest.mark.parametrize("query_string", BENCH_QUERIES)
def test_bench_counts_equal_brute_force(bench_app, query_string):
    _check(bench_app, _stored_docs(bench_app), query_string)


def test_a_query_with_marks_finds_only_the_forms_typed(bench_app):
    docs = _stored_docs(bench_app)
    with bench_app.test_request_context():
        marked = {hit["id"] for hit in search_service.search(parse_params(MultiDict({"q": '"trong số"'})))["hits"]}
        bare = search_service.search(parse_params(MultiDict({"q": '"trong so"'})))["total"]
    for doc_id in marked:
        assert "trong số" in docs[doc_id][1].lower()
    # Without marks the phrase also finds "trong sở", "trọng số"...: at least as many notices.
    assert bare >= len(marked) > 0
