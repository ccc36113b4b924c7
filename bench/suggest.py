"""Diacritics suggestion, held out: titles of articles the index does not hold, typed without marks.

An index is built of the first N articles (or an index of them is given); titles of other
articles (later in the file, none equal to an indexed title) are folded and given to the
suggestion, which must give back their syllables exactly. Three ways are compared:

(a) each syllable's most frequent accented form in the index, alone;
(b) the method before issue 11: the most frequent form of pyvi compound words of two or three
    syllables where the folded query holds one, else of single syllables;
(c) the portal's suggestion: the likeliest accented sequence in context (portal.restore).

    .venv/bin/python bench/suggest.py                           # 6,000 articles, 1,000 titles
    .venv/bin/python bench/suggest.py --index /tmp/index-6000   # an index of the same first N articles
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bench.relevance import CORPUS
from bench.relevance import build
from bench.relevance import read_articles
from bench.relevance import syllables
from indexer.normalize import fold_accents
from indexer.normalize import normalize_line
from portal import engine
from portal import restore
from portal.arrays import term_frequencies
from portal.query import parse_query


def held_out_titles(articles: list[dict], indexed: int, count: int, seed: int) -> list[str]:
    """Titles of articles after the first ``indexed``, none equal to an indexed title, with marks."""
    seen = {normalize_line(a["title"]).lower() for a in articles[:indexed]}
    pool = list(dict.fromkeys(t for t in (normalize_line(a["title"]) for a in articles[indexed:])
                              if t.lower() not in seen and fold_accents(t) != t))
    return random.Random(seed).sample(pool, min(count, len(pool)))


def most_frequent(generation: engine.Generation):
    """(a): each syllable's most frequent form in the index's text."""
    def suggest(folded: str) -> str:
        typed = syllables(folded)
        return " ".join(restore.restore([s], [generation.arrays.forms.get(s, ())], generation.language)[0]
                        for s in typed)
    return suggest


def old_method(generation: engine.Generation):
    """(b): the suggestion before issue 11 (commit bcb5e97's ``restore_diacritics``), from the same index."""
    def best_forms(frequencies) -> dict[str, str]:
        best: dict[str, str] = {}
        for term, count in frequencies.items():
            key = fold_accents(term)
            if key not in best or count > frequencies[best[key]]:
                best[key] = term
        return best

    words = best_forms(term_frequencies(generation.reader, "body_words"))
    singles = best_forms(generation.arrays.frequencies["body"])

    def suggest(folded: str) -> str:
        typed, out, i = fold_accents(folded.lower()).split(), [], 0
        while i < len(typed):
            for size in (3, 2, 1):
                key = "_".join(typed[i:i + size])
                found = (words if size > 1 else singles).get(key) if i + size <= len(typed) else None
                if found:
                    out.append(found.replace("_", " "))
                    i += size
                    break
            else:
                out.append(typed[i])
                i += 1
        return " ".join(out)
    return suggest


def in_context(generation: engine.Generation):
    """(c): the portal's suggestion for the folded title typed as a query."""
    def suggest(folded: str) -> str:
        parsed = parse_query(folded)
        return engine.suggestion(parsed, engine.restore_accents(generation, parsed)) or parsed.text
    return suggest


def measure(suggest, titles: list[str]) -> tuple[float, float, float, float]:
    """Return the share of syllables and of whole titles given back exactly, and median and p95 ms."""
    right = total = whole = 0
    seconds = []
    for title in titles:
        folded = fold_accents(title)
        started = time.perf_counter()
        suggested = suggest(folded)
        seconds.append(time.perf_counter() - started)
        wanted, got = syllables(title), syllables(suggested)
        hits = sum(w == g for w, g in zip(wanted, got)) if len(wanted) == len(got) else 0
        right, total, whole = right + hits, total + len(wanted), whole + (hits == len(wanted))
    seconds.sort()
    return (right / total, whole / len(titles), statistics.median(seconds) * 1000,
            seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))] * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument("--limit", type=int, default=6000, help="index the first N articles")
    parser.add_argument("--titles", type=int, default=1000, help="held-out titles to restore")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--index", help="an index already built from the same first N articles")
    args = parser.parse_args()
    articles = read_articles(args.corpus, None)
    titles = held_out_titles(articles, args.limit, args.titles, args.seed)
    indexed = articles[:args.limit]
    del articles
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or build(indexed, tmp)
        started = time.perf_counter()
        generation = engine.WhooshEngine(index).generation()
        print(f"{len(indexed)} articles indexed, {len(titles)} held-out titles "
              f"({sum(len(syllables(t)) for t in titles)} syllables); generation opened in "
              f"{time.perf_counter() - started:.2f} s, counts {generation.language.nbytes / 1e6:.1f} MB")
        print("| method | syllables restored exactly | titles restored whole | median ms | p95 ms |")
        print("|---|---|---|---|---|")
        for name, method in (("(a) most frequent form of each syllable", most_frequent),
                             ("(b) before: compound words, then syllables", old_method),
                             ("(c) in context (trigrams, Viterbi)", in_context)):
            share, whole, median, p95 = measure(method(generation), titles)
            print(f"| {name} | {share:.1%} | {whole:.1%} | {median:.2f} | {p95:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
