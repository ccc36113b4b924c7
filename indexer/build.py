"""Build or update the index: plan what changed, analyze only that, publish atomically."""

import collections
import dataclasses
import os
import time

import filelock
from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter

from indexer.codec import IndexCodec
from indexer.extract import missing_fields
from indexer.notice import Notice
from indexer.notice import load_file
from indexer.notice import load_record
from indexer.limits import Limits
from indexer.reading import DEFAULT_MAX_BYTES
from indexer.reading import ReadOptions
from indexer.reading import UnreadableFile
from indexer import ngrams
from indexer import postarrays
from indexer.schema import SCHEMA_VERSION
from indexer.schema import SCORED_FIELDS
from indexer.schema import SYLLABLE_FIELDS
from indexer.schema import build_schema
from indexer.schema import index_fields
from indexer.sources import SourceFile
from indexer.sources import SourceRecord
from indexer.sources import file_signature
from indexer.sources import read_jsonl
from indexer.sources import scan_corpus
from indexer.store import BuildLocked
from indexer.store import IndexStore
from indexer.vocab import Vocabulary

# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200
WRITER_MEMORY_MB = 256
CACHE_FOLDER = "text-cache"


@dataclasses.dataclass
class BuildOptions:
    """What to build from and where to."""

    index: str
    corpus: str | None = None
    jsonl: tuple[str, ...] = ()
    procs: int = max(1, min(os.cpu_count() or 1, 4))
    max_bytes: int = DEFAULT_MAX_BYTES
    limits: Limits = Limits()
    progress: bool = False
    vocab: str | None = None  # the vocabulary's folder, recorded so that later updates reuse it

    def read_options(self) -> ReadOptions:
        """How files are read; slow results are cached beside the generations, across builds."""
        return ReadOptions(self.max_bytes, self.limits, os.path.join(self.index, CACHE_FOLDER))

    def sources(self) -> dict:
        """What the index is built from, for the manifest: an update rebuilds from the same."""
        absolute = lambda path: os.path.abspath(path) if path else None  # noqa: E731
        return {"corpus": absolute(self.corpus), "jsonl": [absolute(p) for p in self.jsonl],
                "vocab": absolute(self.vocab)}


@dataclasses.dataclass
class BuildReport:
    """What a build did, for the summary and for tests."""

    scanned: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept_stale: int = 0
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    capped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    missing: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    indexed_ids: list[str] = dataclasses.field(default_factory=list)
    total: int = 0
    full: bool = False
    generation: str | None = None
    seconds: float = 0.0


@dataclasses.dataclass
class _Plan:
    """Which items to analyze, which ids to delete, and the next manifest's entries."""

    docs: dict = dataclasses.field(default_factory=dict)
    bulk: dict = dataclasses.field(default_factory=dict)
    to_index: list = dataclasses.field(default_factory=list)
    to_delete: set = dataclasses.field(default_factory=set)
    manifest_changed: bool = False
    owners: dict = dataclasses.field(default_factory=dict)

    def claim(self, doc_id: str, where: str, report: BuildReport) -> bool:
        """Give ``doc_id`` to the first source that has it; report later ones as duplicates."""
        if doc_id in self.owners:
            report.skipped.append((where, f"trùng mã văn bản '{doc_id}' với {self.owners[doc_id]}"))
            return False
        self.owners[doc_id] = where
        return True


def config_fingerprint(vocab: Vocabulary) -> str:
    """Identify everything besides the sources that shapes the index."""
    return f"schema-{SCHEMA_VERSION}/vocab-{vocab.fingerprint}"


def _plan_files(corpus: str, previous: dict, plan: _Plan, report: BuildReport) -> None:
    files, skipped = scan_corpus(corpus)
    report.skipped.extend(skipped)
    report.scanned += len(files)
    for item in files:
        if not plan.claim(item.doc_id, item.path, report):
            continue
        rel = os.path.relpath(item.path, corpus)
        old = previous.get(item.doc_id)
        if old and old.get("source") == rel and old.get("sig") == item.signature:
            plan.docs[item.doc_id] = old
            continue
        digest = item.content_hash()
        entry = {"source": rel, "sig": item.signature, "hash": digest}
        if old and old.get("source") == rel and old.get("hash") == digest:
            plan.docs[item.doc_id] = {**old, **entry}
            plan.manifest_changed = True
            continue
        plan.to_index.append((item, entry))


def _plan_bulk(path: str, previous: dict, previous_bulk: dict, plan: _Plan, report: BuildReport) -> None:
    signature = file_signature(path)
    name = os.path.abspath(path)
    plan.bulk[name] = signature
    mine = {k: v for k, v in previous.items() if v.get("bulk") == name}
    if previous_bulk.get(name) == signature and mine:
        for doc_id, entry in mine.items():
            if plan.claim(doc_id, entry["source"], report):
                plan.docs[doc_id] = entry
                report.scanned += 1
        return
    plan.manifest_changed = True
    for item in read_jsonl(path):
        if isinstance(item, tuple):
            report.skipped.append(item)
            continue
        report.scanned += 1
        if not plan.claim(item.doc_id, item.source, report):
            continue
        entry = {"source": item.source, "bulk": name, "hash": item.hash}
        old = previous.get(item.doc_id)
        if old and old.get("hash") == item.hash:
            plan.docs[item.doc_id] = {**old, **entry}
        else:
            plan.to_index.append((item, entry))


def _load(item, vocab: Vocabulary, options: BuildOptions) -> Notice:
    if isinstance(item, SourceFile):
        return load_file(item.paths, vocab, options.read_options())
    assert isinstance(item, SourceRecord)
    return load_record(item.record, vocab, item.source)


def _writer(ix, count: int, options: BuildOptions):
    # Segments stay as separate files: whoosh3 reads a sub-file of a compound segment into
    # memory whole (a BytesIO copy of the mmap), which cost every portal worker ~400 MB.
    settings = {"limitmb": WRITER_MEMORY_MB, "compound": False, "codec": IndexCodec()}
    if options.procs > 1 and count >= PARALLEL_THRESHOLD:
        # Worker processes run the analyzers (pyvi above all), one index segment each.
        return MpWriter(ix, procs=options.procs, multisegment=True, **settings)
    return ix.writer(**settings)


def _write(path: str, fresh: bool, plan: _Plan, previous: dict, vocab: Vocabulary,
           options: BuildOptions, report: BuildReport) -> None:
    ix = whoosh_index.create_in(path, build_schema()) if fresh else whoosh_index.open_dir(path)
    writer = _writer(ix, len(plan.to_index), options)
    try:
        for doc_id in sorted(plan.to_delete):
            writer.delete_by_term("id", doc_id)
        items = tqdm(plan.to_index, disable=not options.progress, unit=" văn bản", desc="Lập chỉ mục")
        for item, entry in items:
            try:
                notice = _load(item, vocab, options)
            except (UnreadableFile, ValueError) as exc:
                _skip_item(item, entry, str(exc), previous, plan, report)
                continue
            old = previous.get(item.doc_id)
            if old and not fresh:
                writer.delete_by_term("id", item.doc_id)
            writer.add_document(**index_fields(notice))
            origin = notice.origin
            if origin and origin.pages_total:
                report.capped.append((notice.source, f"chỉ đọc {origin.pages}/{origin.pages_total} trang đầu"))
            plan.docs[item.doc_id] = {**entry, "missing": missing_fields(notice.meta)}
            report.indexed_ids.append(item.doc_id)
            if old:
                report.updated += 1
            else:
                report.added += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    postarrays.write_missing(path, SCORED_FIELDS, options.procs)
    ngrams.write_missing(path, SYLLABLE_FIELDS, options.procs)  # counted from the posting arrays


def _skip_item(item, entry: dict, reason: str, previous: dict, plan: _Plan, report: BuildReport) -> None:
    """Report an unreadable item; an older indexed version of it stays searchable."""
    where = item.path if isinstance(item, SourceFile) else item.source
    old = previous.get(item.doc_id)
    if old:
        # Keep the old entry but not its signature, so that the next build looks again.
        plan.docs[item.doc_id] = {**old, "sig": None}
        report.kept_stale += 1
        reason += " — giữ bản đã lập chỉ mục trước đó"
    report.skipped.append((where, reason))


def _previous_state(store: IndexStore, config: str) -> tuple[dict, dict, bool]:
    manifest = store.read_manifest()
    if not manifest or manifest.get("config") != config:
        return {}, {}, True
    try:
        whoosh_index.open_dir(store.current_path()).close()
    except Exception:  # noqa: BLE001 (any damage to the served index means: rebuild it whole)
        return {}, {}, True
    return manifest.get("docs", {}), manifest.get("bulk", {}), False


def build_index(options: BuildOptions, vocab: Vocabulary) -> BuildReport:
    """Build or update the index in ``options.index`` from the corpus folder and JSONL files.

    :raise BuildLocked: another build is running on the same index folder
    """
    started = time.perf_counter()
    store = IndexStore(options.index)
    report = BuildReport()
    lock = store.lock()
    try:
        lock.acquire()
    except filelock.Timeout:
        raise BuildLocked(f"một lần lập chỉ mục khác đang chạy trên {options.index}") from None
    try:
        config = config_fingerprint(vocab)
        previous, previous_bulk, report.full = _previous_state(store, config)
        plan = _Plan()
        # An index built before its manifest named its sources learns them on the next build.
        plan.manifest_changed = (store.read_manifest() or {}).get("sources") != options.sources()
        if options.corpus:
            _plan_files(options.corpus, previous, plan, report)
        for path in options.jsonl:
            _plan_bulk(path, previous, previous_bulk, plan, report)
        pending = {item.doc_id for item, _ in plan.to_index}
        plan.to_delete = set(previous) - set(plan.docs) - pending
        report.removed = len(plan.to_delete)
        report.unchanged = len(plan.docs)
        if plan.to_index or plan.to_delete or report.full:
            path = store.new_generation(copy_current=not report.full)
            try:
                _write(path, report.full, plan, previous, vocab, options, report)
                store.publish(path, {"config": config, "docs": plan.docs, "bulk": plan.bulk,
                                     "sources": options.sources()})
            except BaseException:
                store.discard(path)
                raise
            report.generation = os.path.basename(path)
        elif plan.manifest_changed:
            store.update_manifest({"config": config, "docs": plan.docs, "bulk": plan.bulk,
                                   "sources": options.sources()})
        store.clean()
        report.total = len(plan.docs)
        for entry in plan.docs.values():
            report.missing.update(entry.get("missing", []))
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report
