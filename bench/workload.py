"""The benchmark workload: articles with facet values derived from their ids, and a fixed query set.

The news articles of ``vinews.jsonl.gz`` have no dates, signers, units or chairs; each gets them
deterministically from a hash of its id, so every run (and FTS5 in the same run) sees the same.
Topics come from the real topic rules at indexing time. Natural queries are three title words and
two filler phrases (half typed without marks); mixed-mark queries type one marked word without.

    .venv/bin/python bench/workload.py queries > bench/queries.json   # regenerate the query set
"""

import collections
import gzip
import hashlib
import itertools
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "..", "shared", "bench", "vinews.jsonl.gz")
QUERIES = os.path.join(HERE, "queries.json")
SIGNERS = ("Lê Tấn Lai", "Huỳnh Đa Trung", "Nguyễn Văn Bình", "Trần Thị Mai", "Phạm Quốc Hùng", "Võ Minh Tâm")
CHAIRS = ("Dương Văn An", "Lê Tiến Phương", "Ngô Quang Hưởng", "Nguyễn Mạnh Hùng")
UNITS = ("Huyện ủy Tuy Phong", "Huyện ủy Bắc Bình", "Huyện ủy Hàm Thuận Bắc", "Huyện ủy Hàm Tân",
         "Thành ủy Phan Thiết", "Thị ủy La Gi", "Đảng ủy khối Doanh nghiệp", "Đảng ủy Khối các cơ quan tỉnh",
         "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Tỉnh Đoàn")
SYLLABLE = re.compile(r"[^\W\d_]+")
# What people add to a title's words when they type naturally (the portal's own list decides what
# it treats as filler; these are only the queries).
NATURAL_FILLERS = ("mới nhất", "như thế nào", "bao nhiêu", "ở đâu", "là gì", "hôm nay", "tin tức",
                   "chi tiết", "cập nhật", "tình hình", "thông tin về", "hiện nay")


def _number(doc_id: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha1(f"{salt}:{doc_id}".encode()).digest()[:8], "big")


def derived_fields(doc_id: str) -> dict:
    """Facet values for an article without any: stable functions of its id."""
    n = _number(doc_id, "date")
    date = None if n % 20 == 0 else f"{2005 + n % 16}-{1 + n // 16 % 12:02d}-{1 + n // 192 % 28:02d}"
    units = sorted({UNITS[_number(doc_id, "unit") % len(UNITS)], UNITS[_number(doc_id, "unit2") % len(UNITS)]})
    return {
        "date": date,
        "signer": SIGNERS[_number(doc_id, "signer") % len(SIGNERS)],
        "chair": CHAIRS[_number(doc_id, "chair") % len(CHAIRS)] if n % 3 else None,
        "units": units[: 1 + _number(doc_id, "units") % 2],
    }


def articles(path: str = CORPUS, limit: int | None = None):
    """Yield the benchmark articles with their derived facet values, ids made unique per copy."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in itertools.islice(f, limit):
            record = json.loads(line)
            record["id"] = str(record["id"])
            yield {**record, **derived_fields(record["id"])}


def scaled(records: list[dict], copies: int):
    """Yield the corpus ``copies`` times under new ids (the 4x corpus)."""
    for copy in range(copies):
        for record in records:
            doc_id = record["id"] if copy == 0 else f"{record['id']}-{copy}"
            yield {**record, "id": doc_id, **derived_fields(doc_id)}


def make_queries(records: list[dict], seed: int = 20261122) -> list[dict]:
    """Build the fixed query set: each entry has a kind and its URL parameters."""
    from indexer.normalize import fold_accents  # noqa: PLC0415 (the workload file needs no project import)

    rng = random.Random(seed)
    frequency = collections.Counter()
    titles = []
    for record in records:
        words = [w.lower() for w in SYLLABLE.findall(record["title"])]
        frequency.update(set(words))
        if len(words) >= 4:
            titles.append(words)
    common = [w for w, _ in frequency.most_common(400)[20:]]
    queries: list[dict] = []

    def add(kind, **params):
        queries.append({"kind": kind, "params": {k: v for k, v in params.items() if v}})

    for word in rng.sample(common, 30):
        add("one word", q=word)
    for words in rng.sample(titles, 30):
        add("several words", q=" ".join(rng.sample(words, 3)))
    for words in rng.sample(titles, 30):
        add("without diacritics", q=fold_accents(" ".join(rng.sample(words, 2))))
    for words in rng.sample(titles, 30):
        start = rng.randrange(len(words) - 2)
        add("quoted phrase", q='"' + " ".join(words[start:start + rng.choice((2, 3))]) + '"')
    for word in rng.sample(common, 30):
        add("one facet", q=word, year=str(rng.randrange(2005, 2021)))
    for word in rng.sample(common, 20):
        add("two facets", q=word, year=str(rng.randrange(2005, 2021)), unit=rng.choice(UNITS))
    for number in ("100/2019/NĐ-CP", "05-CT/TW", "503-TB/TU", "16/CT-TTg", "15/2020/NĐ-CP"):
        add("document number", q=number)
    for _ in range(25):
        add("browse", year=str(rng.randrange(2005, 2021)), signer=rng.choice(SIGNERS))
    # Their own random stream: the kinds above stay the queries earlier runs measured.
    rng = random.Random(seed + 1)
    for i, words in enumerate(rng.sample(titles, 30)):
        text = " ".join([*rng.sample(words, 3), *rng.sample(NATURAL_FILLERS, 2)])
        add("natural", q=text if i % 2 else fold_accents(text))
    for words in rng.sample(titles, 20):
        picked = rng.sample(words, 3)
        marked = [i for i, w in enumerate(picked) if fold_accents(w) != w]
        if marked:
            folded_at = rng.choice(marked)
            picked[folded_at] = fold_accents(picked[folded_at])
        add("mixed marks", q=" ".join(picked))
    return queries


def query_urls(queries: list[dict], path: str = "/api/search") -> list[str]:
    """The canonical URL of every query (the portal redirects other forms)."""
    from werkzeug.datastructures import MultiDict  # noqa: PLC0415

    from portal.params import parse_params  # noqa: PLC0415

    return [f"{path}?{parse_params(MultiDict(q['params'])).query_string()}".rstrip("?") for q in queries]


def main() -> int:
    sys.path.insert(0, ROOT)
    if sys.argv[1:] == ["queries"]:
        json.dump(make_queries(list(articles())), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
