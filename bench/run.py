"""The performance benchmark: our indexer and portal against SQLite FTS5 on the same work, one run.

    .venv/bin/python bench/run.py                       # 1x corpus (34,663 articles)
    .venv/bin/python bench/run.py --scale 4             # 4x corpus (138,652 articles)
    .venv/bin/python bench/run.py --limit 2000 --load 10   # a quick look

Both engines index the same articles with the same derived facet values (bench/workload.py) and
answer the same 200 queries (bench/queries.json) doing the same work per query: the top 20, counts
for every facet (each as if its own filter were off) and snippets for the page. Figures are
medians over the query set; ratios (ours / FTS5) are what compares across noisy machines.
Results go to bench/out/results-<scale>x.json; docs/BENCHMARKS.md quotes them.
"""

import argparse
import gzip
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from werkzeug.datastructures import MultiDict  # noqa: E402

from bench import load  # noqa: E402
from bench.workload import articles  # noqa: E402
from bench.workload import query_urls  # noqa: E402
from bench.workload import scaled  # noqa: E402
from indexer.build import BuildOptions  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.normalize import normalize_line  # noqa: E402
from indexer.normalize import normalize_text  # noqa: E402
from indexer.store import IndexStore  # noqa: E402
from indexer.vocab import load_vocabulary  # noqa: E402
from portal import create_app  # noqa: E402
from portal.params import parse_params  # noqa: E402
from portal.query import parse_query  # noqa: E402

FACETS = ("year", "signer", "unit", "topic", "chair", "type")


def percentiles(values: list[float]) -> dict:
    """Median, 95th percentile and maximum in milliseconds, with every value kept for plots."""
    ordered = sorted(values)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p * len(ordered)))]  # noqa: E731
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": pick(0.95) * 1000, "max_ms": ordered[-1] * 1000,
            "all_ms": [round(v * 1000, 3) for v in values]}


def by_kind(kinds: list[str], measured: dict) -> dict:
    """Median and maximum per kind of query, from the times :func:`percentiles` kept in order."""
    times: dict[str, list[float]] = {}
    for kind, ms in zip(kinds, measured["all_ms"]):
        times.setdefault(kind, []).append(ms)
    return {kind: {"count": len(v), "p50_ms": statistics.median(v), "max_ms": max(v)} for kind, v in times.items()}


def dir_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


# --- ours -------------------------------------------------------------------------------------

def build_ours(bulk: str, index: str) -> dict:
    vocab = load_vocabulary(os.path.join(ROOT, "corpus"))
    started = time.perf_counter()
    report = build_index(BuildOptions(index=index, jsonl=(bulk,)), vocab)
    full = time.perf_counter() - started
    started = time.perf_counter()
    build_index(BuildOptions(index=index, jsonl=(bulk,)), vocab)
    unchanged = time.perf_counter() - started
    return {"documents": report.total, "full_build_s": full, "no_change_rebuild_s": unchanged,
            "index_bytes": dir_size(index)}


def one_changed(bulk: str, index: str) -> float:
    """Rewrite the bulk file with one record changed, then time the rebuild."""
    with gzip.open(bulk, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    record = json.loads(lines[len(lines) // 2])
    record["text"] += " Đoạn sửa cho lần đo."
    lines[len(lines) // 2] = json.dumps(record, ensure_ascii=False)
    with gzip.open(bulk, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    started = time.perf_counter()
    build_index(BuildOptions(index=index, jsonl=(bulk,)), load_vocabulary(os.path.join(ROOT, "corpus")))
    return time.perf_counter() - started


def warm_page_cache(index: str) -> None:
    """Read the served generation's files once, as a server that has been answering for a while has.

    Without it, whichever index was written last (the other scale's, the FTS5 database) decides
    how much of this one the operating system still caches, and the first queries pay for disk.
    """
    folder = IndexStore(index).current_path()
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            while f.read(1 << 20):
                pass


def query_ours(index: str, urls: list[str]) -> dict:
    warm_page_cache(index)
    app = create_app({"TESTING": True, "INDEX_PATH": index})
    client = app.test_client()
    client.get(urls[0])  # open the generation
    engines = app.extensions["search_engines"]
    uncached, repeated = [], []
    for url in urls:
        for engine in engines.values():
            engine.cache = type(engine.cache)()  # every first request computes
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        uncached.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        repeated.append(time.perf_counter() - started)
    return {"uncached": percentiles(uncached), "repeated_url": percentiles(repeated)}


# --- SQLite FTS5 ------------------------------------------------------------------------------

def build_fts5(records: list[dict], metadata: dict, path: str) -> dict:
    if os.path.exists(path):
        os.remove(path)  # a previous run's database in a kept workdir
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, year TEXT, date TEXT, signer TEXT, chair TEXT, type TEXT);
        CREATE TABLE multi(rowid INTEGER, facet TEXT, value TEXT);
    """)
    for rowid, record in enumerate(records, 1):
        meta = metadata[record["id"]]
        db.execute("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
                   (rowid, normalize_line(record["title"]), normalize_text(record["text"])))
        date = meta.get("date")
        db.execute("INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (rowid, record["id"], date[:4] if date else "none", date, meta.get("signer"), meta.get("chair"),
                    meta.get("type")))
        db.executemany("INSERT INTO multi VALUES (?, ?, ?)",
                       [(rowid, "unit", u) for u in meta.get("units", [])]
                       + [(rowid, "topic", t) for t in meta.get("topics", [])])
    db.executescript("CREATE INDEX multi_rowid ON multi(rowid); CREATE INDEX multi_value ON multi(facet, value);")
    db.commit()
    return {"db": db, "full_build_s": time.perf_counter() - started, "index_bytes": os.path.getsize(path)}


def fts5_match(q: str, any_word: bool = False) -> str | None:
    """Translate our query syntax into FTS5's: words ANDed (OR-ed with ``any_word``), phrases
    quoted, exclusions NOTed."""
    parsed = parse_query(q)
    parts = []
    for group in parsed.required:
        alternatives = ['"' + " ".join(p.syllables) + '"' for p in group]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    match = (" OR " if any_word else " AND ").join(parts)
    for phrase in parsed.excluded:
        match = f'{match} NOT "{" ".join(phrase.syllables)}"' if match else None
    return match or None


def _filters(params, skip: str | None) -> tuple[str, list]:
    clauses, args = [], []
    for facet in FACETS:
        values = params.selected(facet)
        if not values or facet == skip:
            continue
        marks = ",".join("?" * len(values))
        if facet in ("unit", "topic"):
            clauses.append(f"m.rowid IN (SELECT rowid FROM multi WHERE facet = ? AND value IN ({marks}))")
            args += [facet, *values]
        else:
            clauses.append(f"m.{facet} IN ({marks})")
            args += list(values)
    return " AND ".join(clauses), args


def query_fts5(db, queries: list[dict]) -> dict:
    """Answer each query the way a careful SQLite application would: match once into a temporary
    table, rank the page with bm25 (title weighted) and snippets, count each facet by SQL.

    Natural queries are OR-ed: with every word required FTS5 finds nothing for most of them, in no
    time, which would be no comparison (ours ranks the notices holding most of the words).
    """
    times = []
    for query in queries:
        params = parse_params(MultiDict(query["params"]))
        match = fts5_match(params.q, any_word=query["kind"] == "natural")
        started = time.perf_counter()
        db.execute("DROP TABLE IF EXISTS hits")
        if match:
            db.execute("CREATE TEMP TABLE hits AS SELECT rowid FROM docs WHERE docs MATCH ?", (match,))
        else:
            db.execute("CREATE TEMP TABLE hits AS SELECT rowid FROM meta")
        where, args = _filters(params, None)
        condition = f"AND {where}" if where else ""
        if match:
            # CROSS JOIN keeps FTS5 as the outer loop: otherwise SQLite may probe the full-text
            # index once per metadata row, which costs minutes per query.
            db.execute(f"SELECT m.id, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
                       f"CROSS JOIN meta m ON m.rowid = docs.rowid WHERE docs MATCH ? {condition} "
                       f"ORDER BY bm25(docs, 10.0, 1.0) LIMIT 20", [match, *args]).fetchall()
        else:
            db.execute(f"SELECT m.id FROM meta m WHERE 1 {condition} ORDER BY m.date DESC, m.id LIMIT 20",
                       args).fetchall()
        for facet in FACETS:
            where, args = _filters(params, facet)
            condition = f"WHERE {where}" if where else ""
            if facet in ("unit", "topic"):
                sql = (f"SELECT x.value, count(*) FROM hits h CROSS JOIN meta m ON m.rowid = h.rowid "
                       f"CROSS JOIN multi x ON x.rowid = m.rowid AND x.facet = '{facet}' {condition} GROUP BY x.value")
            else:
                sql = (f"SELECT m.{facet}, count(*) FROM hits h CROSS JOIN meta m ON m.rowid = h.rowid {condition} "
                       f"GROUP BY m.{facet}")
            db.execute(sql, args).fetchall()
        times.append(time.perf_counter() - started)
    return percentiles(times)


# --- the server -------------------------------------------------------------------------------

def serve_and_load(index: str, urls: list[str], seconds: float, cache: bool) -> dict:
    """Load the production server (2 workers) with 16 clients; ``cache=False`` turns the result cache off."""
    port = 8799
    warm_page_cache(index)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    env = {**os.environ, "PORTAL_INDEX": index, **({} if cache else {"PORTAL_SEARCH_CACHE": "0"})}
    server = subprocess.Popen([gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "portal:create_app()"],
                              cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        load.wait_ready(base, urls[0], timeout=180)
        load.run(base, clients=2, seconds=5, paths=urls)  # warm both workers (each opens the index)
        report = load.run(base, clients=16, seconds=seconds, paths=urls)
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        memory = [_memory(pid) for pid in workers]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"requests": report.requests, "throughput_rps": report.throughput, "errors": report.errors,
            "p99_ms": report.percentile(99) * 1000, "worker_rss_mb": [m["VmRSS"] for m in memory],
            # Resident memory of the worker's own (anonymous) pages and of mapped index files, which
            # the page cache shares between workers.
            "worker_rss_anon_mb": [m["RssAnon"] for m in memory], "worker_rss_file_mb": [m["RssFile"] for m in memory]}


def _memory(pid: str) -> dict[str, int]:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return {name: int(fields[name].split()[0]) // 1024 for name in ("VmRSS", "RssAnon", "RssFile")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--load", type=float, default=60, help="seconds of HTTP load (0: skip)")
    parser.add_argument("--workdir", help="keep the built index here; reuse it if it is already there")
    args = parser.parse_args()
    with open(os.path.join(HERE, "queries.json"), encoding="utf-8") as f:
        queries = json.load(f)
    records = list(scaled(list(articles(limit=args.limit)), args.scale))
    megabytes = sum(len(r["title"].encode()) + len(r["text"].encode()) for r in records) / 1e6
    out: dict = {"documents": len(records), "megabytes": megabytes, "scale": args.scale,
                 "date": time.strftime("%Y-%m-%d"), "commit": subprocess.run(
                     ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()}
    tmp = args.workdir or tempfile.mkdtemp(prefix="bench-")
    os.makedirs(tmp, exist_ok=True)
    try:
        bulk = os.path.join(tmp, "articles.jsonl.gz")
        index = os.path.join(tmp, "index")
        previous = os.path.join(tmp, "build.json")
        if args.workdir and os.path.exists(previous):
            with open(previous, encoding="utf-8") as f:
                out["ours"] = json.load(f)  # the build figures of the run that built this index
        else:
            with gzip.open(bulk, "wt", encoding="utf-8") as f:
                f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            out["ours"] = build_ours(bulk, index)
            out["ours"]["build_mb_per_s"] = megabytes / out["ours"]["full_build_s"]
            with open(previous, "w", encoding="utf-8") as f:
                json.dump(out["ours"], f)
        urls = query_urls(queries)
        kinds = [q["kind"] for q in queries]
        out["ours"].update(query_ours(index, urls))
        out["ours"]["by_kind"] = by_kind(kinds, out["ours"]["uncached"])
        app = create_app({"TESTING": True, "INDEX_PATH": index})
        with app.app_context():
            from portal import search as search_service  # noqa: PLC0415

            generation = search_service._engine().generation()
            with generation.lock:
                metadata = {f["id"]: f["meta"] for f in generation.searcher().all_stored_fields()}
        fts = build_fts5(records, metadata, os.path.join(tmp, "fts5.db"))
        out["fts5"] = {"full_build_s": fts["full_build_s"], "index_bytes": fts["index_bytes"],
                       "uncached": query_fts5(fts["db"], queries)}
        out["fts5"]["by_kind"] = by_kind(kinds, out["fts5"]["uncached"])
        out["ratios"] = {key: out["ours"]["uncached"][key] / out["fts5"]["uncached"][key]
                         for key in ("p50_ms", "p95_ms")}
        out["ours"]["one_changed_rebuild_s"] = one_changed(bulk, index)
        if args.load:
            urls = query_urls(queries, "/api/search")
            out["ours"]["http_uncached"] = serve_and_load(index, urls, args.load, cache=False)
            out["ours"]["http"] = serve_and_load(index, urls, args.load, cache=True)
    finally:
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    with open(os.path.join(HERE, "out", f"results-{args.scale}x.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(json.dumps({k: v for k, v in out.items()}, ensure_ascii=False, default=str)[:4000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
