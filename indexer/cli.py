"""Command line of the indexer: ``extract`` prints metadata, ``build`` builds the index, ``update``
brings it up to date from the sources its last build recorded."""

import argparse
import json
import os
import sys

from indexer.build import BuildOptions
from indexer.build import BuildReport
from indexer.build import build_index
from indexer.extract import FIELD_LABELS
from indexer.limits import Limits
from indexer.notice import load_file
from indexer.reading import DEFAULT_MAX_BYTES
from indexer.reading import ReadOptions
from indexer.reading import UnreadableFile
from indexer.store import BuildLocked
from indexer.store import IndexStore
from indexer.vocab import VOCAB_FILES
from indexer.vocab import VocabularyError
from indexer.vocab import load_vocabulary

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = os.path.join("instance", "index")
EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again when the other build is done
EXIT_INTERRUPTED = 130


def _vocab_dir(args: argparse.Namespace) -> str:
    """Vocabularies live beside the notices; a corpus without them borrows the project's."""
    if args.vocab:
        return args.vocab
    corpus = getattr(args, "corpus", None)
    if corpus and any(os.path.exists(os.path.join(corpus, name)) for name in VOCAB_FILES):
        return corpus
    return DEFAULT_CORPUS


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one JSON object per file; unreadable files get an ``error`` and exit status 1."""
    vocab = load_vocabulary(_vocab_dir(args))
    options = ReadOptions(args.max_mb * 1048576, _limits(args))
    failed = 0
    for path in args.paths:
        try:
            record = load_file(path, vocab, options).as_dict()
        except UnreadableFile as exc:
            failed += 1
            record = {"path": path, "error": str(exc), "warnings": [str(exc)]}
            print(f"{path}: {exc}", file=sys.stderr)
        print(json.dumps(record, ensure_ascii=False))
    return EXIT_FAILED if failed else 0


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(seconds=args.timeout, memory_mb=args.max_memory_mb, pages=args.max_pages)


def print_summary(report: BuildReport, out=sys.stdout) -> None:
    """Print what a build did, in Vietnamese, for the archivist who ran it."""
    if report.generation:
        kind = "xây lại toàn bộ" if report.full else "cập nhật"
        head = f"Đã {kind} chỉ mục ({report.generation}) trong {report.seconds:.1f} giây."
    else:
        head = f"Không có thay đổi; chỉ mục giữ nguyên ({report.seconds:.1f} giây)."
    print(head, file=out)
    print(
        f"Đã đọc {report.scanned} văn bản: thêm {report.added}, cập nhật {report.updated}, "
        f"xóa {report.removed}, không đổi {report.unchanged}, bỏ qua {len(report.skipped)}. "
        f"Chỉ mục có {report.total} văn bản.",
        file=out,
    )
    for path, reason in report.skipped:
        print(f"  bỏ qua {path}: {reason}", file=out)
    if report.capped:
        print(f"Giới hạn số trang đã áp dụng cho {len(report.capped)} tệp (--max-pages):", file=out)
        for path, note in report.capped:
            print(f"  {path}: {note}", file=out)
    if report.missing:
        counts = ", ".join(f"{FIELD_LABELS[f]} {n}" for f, n in report.missing.most_common())
        print(f"Thiếu trường (số văn bản): {counts}.", file=out)


def cmd_build(args: argparse.Namespace) -> int:
    """Build or update the index; exit non-zero only when the build itself failed."""
    corpus = args.corpus if args.corpus or not args.jsonl else None
    corpus = corpus or (DEFAULT_CORPUS if not args.jsonl else None)
    if corpus and not os.path.isdir(corpus):
        print(f"Lỗi: không có thư mục văn bản {corpus}", file=sys.stderr)
        return EXIT_FAILED
    for path in args.jsonl:
        if not os.path.isfile(path):
            print(f"Lỗi: không có tệp {path}", file=sys.stderr)
            return EXIT_FAILED
    options = BuildOptions(
        index=args.index, corpus=corpus, jsonl=tuple(args.jsonl), max_bytes=args.max_mb * 1048576,
        limits=_limits(args), vocab=_vocab_dir(args),
        procs=args.procs or BuildOptions.procs, progress=sys.stderr.isatty() and not args.quiet,
    )
    return _run_build(options)


def cmd_update(args: argparse.Namespace) -> int:
    """Update the index from the sources its last build recorded (after a correction or upload)."""
    sources = (IndexStore(args.index).read_manifest() or {}).get("sources")
    if not sources:
        print(f"Lỗi: chỉ mục {args.index} chưa ghi nguồn văn bản; hãy chạy 'build' một lần.", file=sys.stderr)
        return EXIT_FAILED
    options = BuildOptions(
        index=args.index, corpus=sources["corpus"], jsonl=tuple(sources["jsonl"]),
        max_bytes=args.max_mb * 1048576, limits=_limits(args), vocab=sources["vocab"] or DEFAULT_CORPUS,
        procs=args.procs or BuildOptions.procs,
    )
    return _run_build(options)


def _run_build(options: BuildOptions) -> int:
    try:
        report = build_index(options, load_vocabulary(options.vocab))
    except BuildLocked as exc:
        print(f"Lỗi: {exc}; hãy chờ nó xong rồi chạy lại.", file=sys.stderr)
        return EXIT_LOCKED
    except KeyboardInterrupt:
        print("Đã dừng giữa chừng; chỉ mục đang phục vụ vẫn nguyên vẹn.", file=sys.stderr)
        return EXIT_INTERRUPTED
    print_summary(report)
    return 0


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    defaults = Limits()
    parser.add_argument("--max-mb", type=int, default=DEFAULT_MAX_BYTES // 1048576,
                        help="bỏ qua tệp lớn hơn ngần này MB")
    parser.add_argument("--timeout", type=float, default=defaults.seconds,
                        help=f"giây tối đa cho mỗi lần chuyển đổi hay nhận dạng một tệp (mặc định {defaults.seconds:g})")
    parser.add_argument("--max-memory-mb", type=int, default=defaults.memory_mb,
                        help=f"bộ nhớ tối đa (MB) cho mỗi trình chuyển đổi (mặc định {defaults.memory_mb})")
    parser.add_argument("--max-pages", type=int, default=defaults.pages,
                        help=f"số trang đọc tối đa của mỗi PDF hay ảnh nhiều trang (mặc định {defaults.pages})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indexer", description="Chỉ mục thông báo kết luận.")
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser("extract", help="in siêu dữ liệu của từng tệp (JSON mỗi dòng)")
    extract.add_argument("paths", nargs="+", metavar="PATH")
    extract.add_argument("--vocab", help="thư mục chứa topics.toml, units.toml, people.toml")
    _add_limit_options(extract)
    extract.set_defaults(run=cmd_extract)
    build = commands.add_parser("build", help="xây hoặc cập nhật chỉ mục")
    build.add_argument("--corpus", help=f"thư mục văn bản (mặc định {DEFAULT_CORPUS}/)")
    build.add_argument("--index", default=os.environ.get("PORTAL_INDEX", DEFAULT_INDEX),
                       help=f"thư mục chỉ mục (mặc định $PORTAL_INDEX hoặc {DEFAULT_INDEX})")
    build.add_argument("--jsonl", action="append", default=[], metavar="FILE[.gz]",
                       help="tệp bản ghi {\"id\",\"title\",\"text\",...}; dùng được nhiều lần")
    build.add_argument("--vocab", help="thư mục chứa topics.toml, units.toml, people.toml")
    build.add_argument("--procs", type=int, help="số tiến trình phân tích (mặc định: số lõi)")
    _add_limit_options(build)
    build.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    build.set_defaults(run=cmd_build)
    update = commands.add_parser("update", help="cập nhật chỉ mục từ đúng các nguồn của lần xây trước")
    update.add_argument("--index", default=os.environ.get("PORTAL_INDEX", DEFAULT_INDEX),
                        help=f"thư mục chỉ mục (mặc định $PORTAL_INDEX hoặc {DEFAULT_INDEX})")
    update.add_argument("--procs", type=int, help="số tiến trình phân tích (mặc định: số lõi)")
    _add_limit_options(update)
    update.set_defaults(run=cmd_update)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except VocabularyError as exc:
        print(f"Lỗi từ điển: {exc}", file=sys.stderr)
        return EXIT_FAILED
