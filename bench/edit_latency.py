"""How long a correction takes to reach the public search: save in the workspace, poll /api/search.

    .venv/bin/python bench/edit_latency.py                        # 1x corpus + the 4 notices, 5 saves
    .venv/bin/python bench/edit_latency.py --saves 9 --phases     # and where one update spends its time
    .venv/bin/python bench/edit_latency.py --limit 2000           # a quick look

The index holds the benchmark articles (bench/workload.py) and a corpus folder with the four
notices of corpus/notices, built once into ``--workdir`` and reused. Each save goes through the
app as an archivist's would (sign in, open the review page, post the form with another signer);
the clock runs from the post until /api/search, asked for that signer, finds the notice. Figures
go to bench/out/edit-latency.json.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bench.workload import articles  # noqa: E402
from indexer.build import BuildOptions  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.store import IndexStore  # noqa: E402
from indexer.vocab import load_vocabulary  # noqa: E402
from portal import create_app  # noqa: E402
from portal.workspace import rebuilder  # noqa: E402
from portal.workspace.db import get_db  # noqa: E402

NOTICES = os.path.join(ROOT, "corpus", "notices")
VOCABULARIES = ("topics.toml", "units.toml", "people.toml")
DOC_ID = "004_abab5fe7c577bb0b"
EDITOR = "bench-editor"
PASSWORD = "mật khẩu chỉ để đo 2024"
POLL_SECONDS = 0.05
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="(version|generation)" value="([^"]*)"')


def prepare(workdir: str, limit: int | None) -> dict:
    """Build the index once (articles + the four notices, vocabularies copied beside); reuse it after."""
    index, corpus, vocab = (os.path.join(workdir, name) for name in ("index", "notices", "vocab"))
    if IndexStore(index).read_manifest():
        return {"index": index, "corpus": corpus, "built_s": None}
    os.makedirs(workdir, exist_ok=True)
    bulk = os.path.join(workdir, "articles.jsonl.gz")
    with gzip.open(bulk, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in articles(limit=limit))
    shutil.copytree(NOTICES, corpus, dirs_exist_ok=True)
    os.makedirs(vocab, exist_ok=True)
    for name in VOCABULARIES:
        shutil.copy(os.path.join(ROOT, "corpus", name), vocab)
    started = time.perf_counter()
    build_index(BuildOptions(index=index, corpus=corpus, jsonl=(bulk,), vocab=vocab), load_vocabulary(vocab))
    return {"index": index, "corpus": corpus, "built_s": time.perf_counter() - started}


def settle(index: str) -> float:
    """Run one update first, untimed: code or vocabularies changed since the build are caught up here."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer", "update", "--index", index], cwd=ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def signed_in(app):
    """A test client signed in as an editor made for the run (Argon2 at its cheapest: no one signs in for real)."""
    from portal.workspace import accounts  # noqa: PLC0415

    with app.app_context():
        db = get_db()
        if not db.execute("SELECT 1 FROM users WHERE name = ?", (EDITOR,)).fetchone():
            accounts.create(db, EDITOR, "editor", PASSWORD, accounts.make_hasher(app.config["WORKSPACE_ARGON2"]),
                            actor="bench")
    client = app.test_client()
    form = client.get("/quan-tri/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/quan-tri/dang-nhap", data={"csrf_token": token, "name": EDITOR, "password": PASSWORD})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    return client


def review_form(client, doc_id: str) -> dict:
    """Open the review page as the archivist does before editing; return what its form posts back."""
    page = client.get(f"/quan-tri/van-ban/{doc_id}").get_data(as_text=True)
    return {**dict(_HIDDEN.findall(page)), "csrf_token": _META_TOKEN.search(page).group(1)}


def save(client, doc_id: str, form: dict) -> int:
    """Post the form (the browser's "Lưu"); the redirect, once the sidecar is written, names the update's ticket."""
    answer = client.post(f"/quan-tri/van-ban/{doc_id}", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:800]
    return int(re.search(r"phieu=(\d+)", answer.headers["Location"]).group(1))


def shown(client, signer: str, doc_id: str) -> bool:
    """Whether the public search, filtered by the signer, finds the notice."""
    found = client.get("/api/search", query_string={"signer": signer}).get_json()
    return any(hit["id"] == doc_id for hit in found.get("hits", []))


def one_save(app, editor, public, n: int, timeout: float) -> dict:
    signer = f"Người Đo Thử {time.strftime('%H%M%S')} Số {n}"
    form = {**review_form(editor, DOC_ID), "signer": signer}
    started = time.perf_counter()  # the archivist presses "Lưu"
    ticket = save(editor, DOC_ID, form)
    saved = time.perf_counter()
    while not shown(public, signer, DOC_ID):
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"the public search did not show save {n} within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
    visible = time.perf_counter()
    updater = rebuilder(app)
    updater.wait(ticket, timeout)  # the child publishes, then exits: its own figure comes a moment later
    last = updater.last
    return {"save_s": round(saved - started, 3), "visible_s": round(visible - started, 3),
            "update_s": round(last.seconds, 3), "update_ok": last.ok}


def _timed(timings: dict, name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

    return wrapper


# What one update does, by phase: (owner, attribute, label). Patched in this process only.
PHASES = (
    ("build", "_plan_files", "planning: scan the corpus folder"),
    ("build", "_plan_bulk", "planning: the bulk file's records"),
    ("IndexStore", "new_generation", "generation: link the current files"),
    ("build", "_load", "writing: read and extract the notice"),
    ("build", "_write", "writing: whole (Whoosh writer, commit, arrays)"),
    ("postarrays", "write_missing", "posting arrays of the new segment"),
    ("ngrams", "write_missing", "n-grams of the new segment"),
    ("IndexStore", "publish", "publish: manifest and rename"),
    ("IndexStore", "clean", "clean: old generations"),
)


def phases(index: str) -> dict:
    """Time one update (a sidecar changed) phase by phase, in this process; and a fresh interpreter's imports."""
    from indexer import build  # noqa: PLC0415
    from indexer import ngrams  # noqa: PLC0415
    from indexer import postarrays  # noqa: PLC0415

    owners = {"build": build, "IndexStore": IndexStore, "postarrays": postarrays, "ngrams": ngrams}
    sources = IndexStore(index).read_manifest()["sources"]
    with open(os.path.join(sources["corpus"], DOC_ID + ".meta.json"), "w", encoding="utf-8") as f:
        json.dump({"signer": f"Người Đo Pha {time.time_ns()}"}, f, ensure_ascii=False)
    options = BuildOptions(index=index, corpus=sources["corpus"], jsonl=tuple(sources["jsonl"]),
                           vocab=sources["vocab"], procs=1)
    timings: dict[str, float] = {}
    saved = [(owners[owner], name, getattr(owners[owner], name), label) for owner, name, label in PHASES]
    try:
        for owner, name, function, label in saved:
            setattr(owner, name, _timed(timings, label, function))
        started = time.perf_counter()
        vocab = _timed(timings, "load the vocabularies", load_vocabulary)(options.vocab)
        report = build.build_index(options, vocab)
        timings["update in all"] = time.perf_counter() - started
    finally:
        for owner, name, function, _ in saved:
            setattr(owner, name, function)
    whole = "writing: whole (Whoosh writer, commit, arrays)"
    if whole in timings:
        timings["writing: Whoosh writer and commit"] = timings[whole] - sum(
            timings.get(label, 0.0) for label in ("writing: read and extract the notice",
                                                  "posting arrays of the new segment", "n-grams of the new segment"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import indexer.cli"], cwd=ROOT, check=True)
    timings["child process: start and import indexer.cli"] = time.perf_counter() - started
    return {"generation": report.generation, "seconds": {k: round(v, 3) for k, v in timings.items()}}


def first_request(index: str) -> dict:
    """Time the portal's first search after an update published a generation, and the one after it."""
    app = create_app({"TESTING": True, "INDEX_PATH": index})
    client = app.test_client()
    client.get("/api/search?q=kết luận")  # a portal that has been serving: its generation is open
    sources = IndexStore(index).read_manifest()["sources"]
    with open(os.path.join(sources["corpus"], DOC_ID + ".meta.json"), "w", encoding="utf-8") as f:
        json.dump({"signer": f"Người Đo Mở {time.time_ns()}"}, f, ensure_ascii=False)
    settle(index)
    times = []
    for query in ("kết luận", "doanh nghiệp"):
        started = time.perf_counter()
        client.get("/api/search", query_string={"q": query})
        times.append(time.perf_counter() - started)
    return {"first_request_on_new_generation_s": round(times[0], 3), "next_request_s": round(times[1], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/edit-bench", help="index and corpus kept here, reused")
    parser.add_argument("--limit", type=int, help="only the first N articles (a new --workdir)")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one save may take to show")
    parser.add_argument("--phases", action="store_true", help="also time the phases of one update")
    args = parser.parse_args()
    os.chdir(ROOT)  # the app's updates run ``python -m indexer`` from here
    prepared = prepare(args.workdir, args.limit)
    out = {"built_s": prepared["built_s"], "settle_s": settle(prepared["index"]),
           "documents": len(IndexStore(prepared["index"]).read_manifest()["docs"])}
    app = create_app({"TESTING": True, "INDEX_PATH": prepared["index"],
                      "WORKSPACE_DB": os.path.join(args.workdir, "workspace.sqlite3"),
                      "WORKSPACE_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    editor, public = signed_in(app), app.test_client()
    public.get("/api/search?q=kết luận")  # a portal that has been serving: its generation is open
    runs = [one_save(app, editor, public, n, args.timeout) for n in range(1, args.saves + 1)]
    visible = [run["visible_s"] for run in runs]
    out.update(saves=runs, median_s=round(statistics.median(visible), 3), max_s=round(max(visible), 3))
    if args.phases:
        out["phases"] = phases(prepared["index"])
        out["portal"] = first_request(prepared["index"])
    os.remove(os.path.join(prepared["corpus"], DOC_ID + ".meta.json"))
    settle(prepared["index"])  # the corpus as it was built, for the next run
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    with open(os.path.join(HERE, "out", "edit-latency.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
