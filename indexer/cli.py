"""Command line of the indexer: ``extract`` prints metadata, ``build`` builds the index."""

import argparse
import json
import os
import sys

from indexer.notice import load_file
from indexer.reading import UnreadableFile
from indexer.vocab import VocabularyError
from indexer.vocab import load_vocabulary

DEFAULT_CORPUS = "corpus"


def _default_vocab_dir(corpus: str) -> str:
    """Vocabularies live beside the notices; a corpus without them borrows the project's."""
    if any(os.path.exists(os.path.join(corpus, f)) for f in ("topics.toml", "units.toml")):
        return corpus
    return DEFAULT_CORPUS


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one JSON object per file; unreadable files get an ``error`` and exit status 1."""
    vocab = load_vocabulary(args.vocab or DEFAULT_CORPUS)
    failed = 0
    for path in args.paths:
        try:
            record = load_file(path, vocab).as_dict()
        except UnreadableFile as exc:
            failed += 1
            record = {"path": path, "error": str(exc), "warnings": [str(exc)]}
            print(f"{path}: {exc}", file=sys.stderr)
        print(json.dumps(record, ensure_ascii=False))
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indexer", description="Chỉ mục thông báo kết luận.")
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser("extract", help="in siêu dữ liệu của từng tệp (JSON mỗi dòng)")
    extract.add_argument("paths", nargs="+", metavar="PATH")
    extract.add_argument("--vocab", help="thư mục chứa topics.toml, units.toml, people.toml")
    extract.set_defaults(run=cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except VocabularyError as exc:
        print(f"Lỗi từ điển: {exc}", file=sys.stderr)
        return 2
