"""Known-item relevance: our search against SQLite FTS5 bm25 on the same articles, in one run.

For a sample of articles, a query is made of 3-4 distinctive syllables of the article's title
(the rarest in the corpus, in title order), typed with diacritics and without. Each engine's
MRR@10 is the mean of 1/rank of the article in its top 10 (0 when absent).

Natural queries (issue 11): three such title syllables plus two filler phrases people add
("mới nhất", "như thế nào"...), which the article need not hold. FTS5 answers the same words as
an OR query (it has no "most of the words" mode); ours as typed.

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

from bench.workload import NATURAL_FILLERS  # noqa: E402
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




def natural_queries(queries: list[tuple[str, str, str]], seed: int) -> list[tuple[str, str, str]]:
    """Three title syllables of each known-item query plus two filler phrases, with and without marks."""
    rng = random.Random(seed)
    natural = []
    for doc_id, accented, _ in queries:
        words = accented.split()[:3]
        first, second = rng.sample(NATURAL_FILLERS, 2)
        text = " ".join([*words[:2], first, words[2], second]) if len(words) == 3 else " ".join([*words, first, second])
        natural.append((doc_id, text, fold_accents(text)))
    return natural


def build(articles: list[dict], folder: str) -> str:
    """Build our index of ``articles`` inside ``folder``; return its path."""
    bulk = os.path.join(folder, "articles.jsonl")
    with open(bulk, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
    index = os.path.join(folder, "index")
    started = time.perf_counter()
    build_index(BuildOptions(index=index, jsonl=(bulk,)), load_vocabulary(os.path.join(ROOT, "corpus")))
    print(f"our index built in {time.perf_counter() - started:.0f} s")
    return index


def fts5_engine(articles: list[dict], any_word: bool = False):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                   ((str(a["id"]), normalize_line(a["title"]), normalize_text(a["text"])) for a in articles))

    def run(query: str) -> list[str]:
        match = (" OR " if any_word else " ").join(f'"{word}"' for word in query.split())
        rows = db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 10.0, 1.0) LIMIT ?",
                          (match, TOP))
        return [row[0] for row in rows]

    return run


def our_engine(index: str):
    app = create_app({"TESTING": True, "INDEX_PATH": index})

    def run(query: str) -> list[str]:
        with app.test_request_context():
            # The portal's own page size: whether notices holding most of the words come in depends on it.
            result = search_service.search(parse_params(MultiDict({"q": query})))
        return [hit["id"] for hit in result["hits"][:TOP]]

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
        index = args.index or build(articles, tmp)
        ours = our_engine(index)
        rows = [("known item", "ours (Whoosh + pyvi)", ours, queries),
                ("known item", "SQLite FTS5 bm25", fts5_engine(articles), queries),
                ("natural", "ours (Whoosh + pyvi)", ours, natural_queries(queries, args.seed)),
                ("natural", "SQLite FTS5 bm25, words OR-ed", fts5_engine(articles, any_word=True),
                 natural_queries(queries, args.seed))]
        print("| queries | engine | MRR@10 with diacritics | MRR@10 without | median ms/query (with, without) |")
        print("|---|---|---|---|---|")
        for kind, name, run, asked in rows:
            accented, t1 = evaluate(run, asked, 1)
            folded, t2 = evaluate(run, asked, 2)
            print(f"| {kind} | {name} | {accented:.3f} | {folded:.3f} | {t1 * 1000:.1f}, {t2 * 1000:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
