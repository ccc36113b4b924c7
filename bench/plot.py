"""Render the benchmark results (bench/out/results-*.json) as docs/benchmark.png.

    .venv/bin/python bench/plot.py
"""

import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.path.join(ROOT, "docs", "benchmark.png")


def main() -> int:
    import matplotlib  # noqa: PLC0415 (only this script needs it)

    matplotlib.use("Agg")
    from matplotlib import pyplot  # noqa: PLC0415

    runs = []
    for path in sorted(glob.glob(os.path.join(HERE, "out", "results-*x.json"))):
        with open(path, encoding="utf-8") as f:
            runs.append(json.load(f))
    if not runs:
        print("no results in bench/out: run bench/run.py first")
        return 1
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    for run in runs:
        for engine, label in (("ours", "Whoosh + pyvi"), ("fts5", "SQLite FTS5")):
            values = sorted(run[engine]["uncached"]["all_ms"])
            share = [i / len(values) for i in range(1, len(values) + 1)]
            left.plot(values, share, label=f"{label}, {run['documents']:,} documents")
    left.set_xscale("log")
    left.set_xlabel("latency per query, uncached (ms, log scale)")
    left.set_ylabel("share of the 200 queries")
    left.set_title("Search with every facet counted and snippets")
    left.legend()
    runs.sort(key=lambda r: r["documents"])
    docs = [r["documents"] for r in runs]
    for engine, label in (("ours", "Whoosh + pyvi"), ("fts5", "SQLite FTS5")):
        right.plot(docs, [r[engine]["uncached"]["p50_ms"] for r in runs], "o-", label=f"{label} p50")
        right.plot(docs, [r[engine]["uncached"]["p95_ms"] for r in runs], "s--", label=f"{label} p95")
    right.set_xlabel("documents")
    right.set_ylabel("ms")
    right.set_title("Scaling")
    right.legend()
    figure.tight_layout()
    figure.savefig(TARGET, dpi=110)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
