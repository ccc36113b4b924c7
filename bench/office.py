"""Office files and scans: reading speed per format, OCR pages per minute, and rebuilds of a folder.

Makes a folder of office files from real articles of ``../shared/bench/vinews.jsonl.gz`` (Word in
Unicode and TCVN3, ``.doc`` and text PDFs converted by LibreOffice) plus scans (pages of those
PDFs rendered at 200 dpi, aged, the last one stamped), then measures, in one run:

- reading each format (``read_notice``, no cache): files per second, OCR pages per minute;
- the first build of the folder, a rebuild with nothing changed, and a full rebuild after a
  vocabulary change (every notice re-read; conversions and OCR come from the cache).

    .venv/bin/python bench/office.py                       # 200 office files and 20 scans
    .venv/bin/python bench/office.py --files 40 --scans 4  # a quick look
"""

import argparse
import gzip
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from indexer import ocr  # noqa: E402
from indexer.build import BuildOptions  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.reading import read_notice  # noqa: E402
from indexer.vocab import load_vocabulary  # noqa: E402
from tests import officefiles  # noqa: E402
from tests import scans  # noqa: E402

ARTICLES = os.path.join(ROOT, "..", "shared", "bench", "vinews.jsonl.gz")
# Share of the office files in each kind; the rest are Unicode .docx.
KINDS = (("docx-tcvn3", 0.2), ("doc", 0.2), ("pdf", 0.2))


def articles(count: int) -> list[dict]:
    """Return real articles of a notice's size (1-6 thousand characters)."""
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as f:
        records = (json.loads(line) for line in f)
        fitting = (r for r in records if 1000 <= len(r.get("text", "")) <= 6000)
        return list(itertools.islice(fitting, count))


def make_folder(folder: str, work: str, files: int, scan_count: int) -> dict[str, list[str]]:
    """Write the office files and scans; return the paths of each kind."""
    texts = [f"{a['title']}\n\n{a['text']}" for a in articles(files + scan_count)]
    counts = {kind: int(files * share) for kind, share in KINDS}
    made: dict[str, list[str]] = {"docx": [], "docx-tcvn3": [], "doc": [], "pdf": [], "scan": []}
    to_doc, to_pdf = [], []
    for number, text in enumerate(texts[:files]):
        kind = next((k for k, n in counts.items() if n > 0), "docx")
        if kind != "docx":
            counts[kind] -= 1
        encoding = officefiles.TCVN3 if kind in ("docx-tcvn3", "doc") else officefiles.UNICODE
        where = folder if kind.startswith("docx") else work
        path = officefiles.write_docx(os.path.join(where, f"vb-{number:04d}.docx"), text, encoding)
        {"doc": to_doc, "pdf": to_pdf}.get(kind, made[kind]).append(path)
    # One LibreOffice start-up for all the files of a kind.
    made["doc"] = officefiles.convert_with_libreoffice(to_doc, "doc", folder, timeout=1800)
    made["pdf"] = officefiles.convert_with_libreoffice(to_pdf, "pdf", folder, timeout=1800)
    scan_sources = [officefiles.write_docx(os.path.join(work, f"quet-{n:04d}.docx"), text)
                    for n, text in enumerate(texts[files:])]
    for number, pdf in enumerate(officefiles.convert_with_libreoffice(scan_sources, "pdf", work, timeout=1800)):
        pages = scans.make_scan(pdf, tempfile.mkdtemp(dir=work), None, angle=0.8, seed=number)
        made["scan"].append(scans.save_scan(pages[:1], os.path.join(folder, f"quet-{number:04d}.png")))
    return made


def read_speed(paths: list[str]) -> dict:
    """Read each file once without cache; return files per second (median per file too)."""
    seconds = []
    for path in paths:
        started = time.perf_counter()
        read_notice(path)
        seconds.append(time.perf_counter() - started)
    return {"files": len(paths), "total_s": round(sum(seconds), 2), "median_s": round(statistics.median(seconds), 3),
            "files_per_s": round(len(paths) / sum(seconds), 2)}


def _timed_build(options: BuildOptions, vocab_dir: str) -> tuple[float, object]:
    started = time.perf_counter()
    report = build_index(options, load_vocabulary(vocab_dir))
    return time.perf_counter() - started, report


def rebuilds(folder: str, work: str) -> dict:
    """First build, a rebuild with nothing changed, and a full rebuild with a warm cache."""
    vocab_dir = os.path.join(work, "vocab")
    shutil.copytree(os.path.join(ROOT, "corpus"), vocab_dir, ignore=shutil.ignore_patterns("notices"))
    options = BuildOptions(index=os.path.join(work, "index"), corpus=folder)
    recognized = []
    real = ocr.recognize
    ocr.recognize = lambda *args: recognized.append(args[0]) or real(*args)
    try:
        first, report = _timed_build(options, vocab_dir)
        ocr_first = len(recognized)
        unchanged, _ = _timed_build(options, vocab_dir)
        with open(os.path.join(vocab_dir, "units.toml"), "a", encoding="utf-8") as f:
            f.write('\n[[unit]]\nname = "Đảng ủy Khối Thử nghiệm"\naliases = []\n')
        full, again = _timed_build(options, vocab_dir)
    finally:
        ocr.recognize = real
    return {"notices": report.total, "skipped": len(report.skipped), "first_build_s": round(first, 1),
            "ocr_pages_first_build": ocr_first, "unchanged_rebuild_s": round(unchanged, 2),
            "full_rebuild_cached_s": round(full, 1), "full_rebuild_was_full": again.full,
            "ocr_pages_full_rebuild": len(recognized) - ocr_first}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="office files (Word, .doc, PDF)")
    parser.add_argument("--scans", type=int, default=20, help="scanned pages (PNG)")
    parser.add_argument("--workdir", help="keep the files here (default: a temporary folder)")
    parser.add_argument("--out", default=os.path.join(HERE, "out", "office.json"))
    args = parser.parse_args()
    work = args.workdir or tempfile.mkdtemp(prefix="bench-office-")
    folder = os.path.join(work, "kho")
    os.makedirs(folder, exist_ok=True)
    started = time.perf_counter()
    made = make_folder(folder, work, args.files, args.scans)
    print(f"made {sum(map(len, made.values()))} files in {time.perf_counter() - started:.0f} s", flush=True)
    results = {"reading": {kind: read_speed(paths) for kind, paths in made.items() if paths}}
    scan = results["reading"].get("scan")
    if scan:
        scan["ocr_pages_per_min"] = round(60 * scan["files"] / scan["total_s"], 1)
    results["rebuilds"] = rebuilds(folder, work)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=2)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
