"""Known-item relevance: our search against SQLite FTS5 bm25 on the same articles, in one run.

For a sample of articles, a query is made of 3-4 distinctive syllables of the article's title
(the rarest in the corpus, in title order), typed with diacritics and without. Each engine's
MRR@10 is the mean of 1/rank of the article in its top 10 (0 when absent).

    .venv/bin/python bench/relevance.py                      # the whole corpus (builds an index)
    .venv/bin/python bench/relevance.py --limit 5000 --queries 200
"""

import argparse
import collections
import gzip
import itertools
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time

from werkzeug.datastructures import MultiDict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from indexer.build import BuildOptions  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.normalize import fold_accents  # noqa: E402
from indexer.normalize import normalize_line  # noqa: E402
from indexer.normalize import normalize_text  # noqa: E402
from indexer.vocab import load_vocabulary  # noqa: E402
from portal import create_app  # noqa: E402
from portal import search as search_service  # noqa: E402
from portal.params import parse_params  # noqa: E402

CORPUS = os.path.join(ROOT, "..", "shared", "bench", "vinews.jsonl.gz")
SYLLABLE = re.compile(r"[^\W_]+")
TOP = 10


def read_articles(path: str, limit: int | None) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, limit)]


def syllables(text: str) -> list[str]:
    return [s.lower() for s in SYLLABLE.findall(normalize_text(text))]


def make_queries(articles: list[dict], count: int, seed: int) -> list[tuple[str, str, str]]:
    """Return ``(article id, query with diacritics, query without)``, reproducibly."""
    frequency = collections.Counter()
    for article in articles:
        frequency.update(set(syllables(article["title"] + " " + article["text"])))
    rng = random.Random(seed)
    queries = []
    for article in rng.sample(articles, min(count, len(articles))):
        title = [s for s in dict.fromkeys(syllables(article["title"])) if not s.isdigit()]
        if len(title) < 3:
            continue
        size = rng.choice((3, 4))
        rare = set(sorted(title, key=lambda s: (frequency[s], s))[:size])
        words = [s for s in title if s in rare]
        queries.append((str(article["id"]), " ".join(words), fold_accents(" ".join(words))))
    return queries


def fts5_engine(articles: list[dict]):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                   ((str(a["id"]), normalize_line(a["title"]), normalize_text(a["text"])) for a in articles))

    def run(query: str) -> list[str]:
        match = " ".join(f'"{word}"' for word in query.split())
        rows = db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 10.0, 1.0) LIMIT ?",
                          (match, TOP))
        return [row[0] for row in rows]

    return run


def our_engine(index: str):
    app = create_app({"TESTING": True, "INDEX_PATH": index})

    def run(query: str) -> list[str]:
        with app.test_request_context():
            result = search_service.search(parse_params(MultiDict({"q": query})), per_page=TOP)
        return [hit["id"] for hit in result["hits"]]

    return run


def evaluate(run, queries, column: int) -> tuple[float, float]:
    """Return MRR@10 and the median seconds per query."""
    reciprocal, seconds = [], []
    for query in queries:
        started = time.perf_counter()
        ids = run(query[column])
        seconds.append(time.perf_counter() - started)
        reciprocal.append(1 / (ids.index(query[0]) + 1) if query[0] in ids else 0.0)
    return statistics.fmean(reciprocal), statistics.median(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument("--limit", type=int, help="use only the first N articles")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--index", help="an index already built from the same articles")
    args = parser.parse_args()
    articles = read_articles(args.corpus, args.limit)
    queries = make_queries(articles, args.queries, args.seed)
    print(f"{len(articles)} articles, {len(queries)} queries")
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if not index:
            bulk = os.path.join(tmp, "articles.jsonl")
            with open(bulk, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
            index = os.path.join(tmp, "index")
            started = time.perf_counter()
            build_index(BuildOptions(index=index, jsonl=(bulk,)), load_vocabulary(os.path.join(ROOT, "corpus")))
            print(f"our index built in {time.perf_counter() - started:.0f} s")
        engines = {"ours (Whoosh + pyvi)": our_engine(index), "SQLite FTS5 bm25": fts5_engine(articles)}
        print("| engine | MRR@10 with diacritics | MRR@10 without | median ms/query (with, without) |")
        print("|---|---|---|---|")
        for name, run in engines.items():
            accented, t1 = evaluate(run, queries, 1)
            folded, t2 = evaluate(run, queries, 2)
            print(f"| {name} | {accented:.3f} | {folded:.3f} | {t1 * 1000:.1f}, {t2 * 1000:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
