"""Uploaded notices: staged under the instance folder, read for review, then published into the corpus.

An upload is stored under a generated name (``<yyyy-mm-dd>-<random hex>.<ext>``, the extension
from the format its content shows), never one derived from the client's: the name the file had
on the archivist's computer is kept as metadata only, cleaned for display. Each upload waits in
``UPLOAD_FOLDER/<token>/`` (``staged.json`` its facts, ``preview.json`` what reading it gave)
until it is published into ``<corpus>/tai-len/`` with ``<stored name>.upload.json`` beside it
(the indexer offers the original under that name), discarded, or expired.
"""

import contextlib
import dataclasses
import datetime
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import unicodedata

from indexer import formats
from indexer.extract import FIELD_LABELS
from indexer.rawtext import UnreadableFile
from indexer.sidecar import OVERRIDABLE
from indexer.sidecar import sidecar_path
from portal.workspace import audit
from portal.workspace import clock
from portal.workspace.upload_files import detect_format
from portal.workspace.upload_files import display_name
from portal.workspace.upload_files import download_name
from portal.workspace.upload_files import stored_name

DEFAULTS = {
    "UPLOAD_MAX_MB": 50,  # per file
    "UPLOAD_MAX_FILES": 20,  # per request
    "UPLOAD_MAX_REQUEST_MB": 200,  # the upload request's MAX_CONTENT_LENGTH
    "UPLOAD_EXPIRE_DAYS": 7,
    "UPLOAD_WAIT_SECONDS": 20,  # how long the upload request waits for reading before showing the list
    "UPLOAD_READ_SECONDS": 600,  # reading one file, OCR included
    "UPLOAD_READ_MEMORY_MB": 2048,
    "UPLOAD_READ_PAGES": 50,
}
PUBLISH_SUBFOLDER = "tai-len"
COMPANION_SUFFIX = ".upload.json"
STAGED, PREVIEW, CLAIM, PART = "staged.json", "preview.json", ".claim", "upload.part"
# Fields the reviewer may correct, in the order extraction reports them.
REVIEW_FIELDS = tuple(field for field in FIELD_LABELS if field in OVERRIDABLE)
LIST_FIELDS = frozenset({"units", "topics", "references"})
DATE_FIELDS = frozenset({"date", "meeting_date"})
MAX_VALUE, MAX_ITEMS = 1000, 100
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHUNK = 1 << 20

NOT_READ = "Không đọc được loại tệp này"
DUPLICATE_UNCONFIRMED = ("Tệp này trùng nội dung với tệp đã có; hãy đánh dấu “Vẫn công bố” nếu thật sự muốn "
                         "công bố thêm một bản.")


class UploadError(Exception):
    """An upload refused or an action on it that cannot be done; ``str()`` says why in Vietnamese."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass(frozen=True)
class Limits:
    """How much one upload request may carry."""

    file_bytes: int
    request_bytes: int
    files: int

    @classmethod
    def from_config(cls, config) -> "Limits":
        """Read the limits from the app config."""
        return cls(int(config["UPLOAD_MAX_MB"] * 1048576), int(config["UPLOAD_MAX_REQUEST_MB"] * 1048576),
                   int(config["UPLOAD_MAX_FILES"]))

    def describe(self) -> str:
        """Say the limits the Vietnamese way."""
        return (f"mỗi tệp tối đa {self.file_bytes / 1048576:g} MB, mỗi lần tải lên tối đa "
                f"{self.request_bytes / 1048576:g} MB và {self.files} tệp")


def configure(app) -> None:
    """Set the upload settings an app's config does not give."""
    app.config.setdefault("UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads"))
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)


def _copy(stream, path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "xb") as out:
        for block in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(block)
            size += len(block)
            out.write(block)
    return digest.hexdigest(), size


@functools.lru_cache(maxsize=4096)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# -- the staging area --------------------------------------------------------------------------

@dataclasses.dataclass
class Staged:
    """One upload waiting for review: its facts, and what reading it gave (None while it is read)."""

    token: str
    folder: str
    original_name: str
    download_name: str | None
    stored_name: str | None
    format: str | None
    size: int
    sha256: str
    uploader: str
    uploaded_at: float
    refused: str | None = None
    preview: dict | None = None

    FACTS = ("token", "original_name", "download_name", "stored_name", "format", "size", "sha256", "uploader",
             "uploaded_at", "refused")

    @classmethod
    def load(cls, folder: str) -> "Staged | None":
        """Read a staged upload's folder; None when it is not one (or no longer)."""
        facts = _read_json(os.path.join(folder, STAGED))
        if not isinstance(facts, dict) or set(cls.FACTS) - set(facts):
            return None
        preview = _read_json(os.path.join(folder, PREVIEW))
        return cls(folder=folder, preview=preview if isinstance(preview, dict) else None,
                   **{key: facts[key] for key in cls.FACTS})

    @property
    def doc_id(self) -> str | None:
        """The id the notice gets once published (its stored name without the extension)."""
        return os.path.splitext(self.stored_name)[0] if self.stored_name else None

    @property
    def path(self) -> str | None:
        return os.path.join(self.folder, self.stored_name) if self.stored_name else None

    @property
    def reason(self) -> str | None:
        """Why the file cannot be published (the indexer's reason), or None."""
        return self.refused or (self.preview or {}).get("error")

    @property
    def status(self) -> str:
        """``refused``, ``reading`` or ``ready``."""
        return "refused" if self.reason else "reading" if self.preview is None else "ready"

    def audit_detail(self) -> dict:
        """What the audit log keeps of an upload."""
        detail = {"original_name": self.original_name, "stored_name": self.stored_name, "sha256": self.sha256,
                  "size": self.size, "format": self.format}
        return {**detail, "refused": self.refused} if self.refused else detail


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write_json(path: str, data) -> None:
    """Write JSON atomically: a hidden temporary file beside it, then a rename."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "x", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


def stage(db, root: str, stream, client_name: str | None, uploader: str) -> Staged:
    """Keep an uploaded file under a new token, its format told by content; log the upload.

    A file of a kind the indexer does not read is not kept: the entry says why.
    """
    now = clock.now()
    token = secrets.token_hex(16)
    folder = os.path.join(root, token)
    os.makedirs(folder, mode=0o700)
    part = os.path.join(folder, PART)
    sha256, size = _copy(stream, part)
    name, fmt, refused, stored = display_name(client_name), None, None, None
    try:
        fmt = detect_format(part)
    except UnreadableFile as exc:
        refused = str(exc)
        os.remove(part)
    if fmt:
        stored = stored_name(now, fmt)
        os.rename(part, os.path.join(folder, stored))
    item = Staged(token, folder, name, download_name(name, fmt) if fmt else None, stored, fmt, size, sha256,
                  uploader, now, refused)
    _write_json(os.path.join(folder, STAGED), {key: getattr(item, key) for key in Staged.FACTS})
    audit.record(db, uploader, "upload", doc_id=item.doc_id, detail=item.audit_detail())
    return item


def keep_preview(folder: str, path: str | None, record: dict) -> None:
    """Keep what reading a staged file gave; a file the indexer cannot read is not kept."""
    record = {key: value for key, value in record.items() if key != "path"}  # a server path, never shown
    if "error" in record and path:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    if os.path.isdir(folder):
        _write_json(os.path.join(folder, PREVIEW), record)


def find(root: str, token: str) -> Staged | None:
    """Return the staged upload of a token; None for an unknown or malformed one."""
    if not _TOKEN.match(token or ""):
        return None
    return Staged.load(os.path.join(root, token))


def staged(root: str) -> list[Staged]:
    """Return the staged uploads, newest first."""
    try:
        entries = [entry.path for entry in os.scandir(root) if entry.is_dir() and _TOKEN.match(entry.name)]
    except FileNotFoundError:
        return []
    found = [item for item in map(Staged.load, entries) if item]
    return sorted(found, key=lambda item: (-item.uploaded_at, item.token))


@contextlib.contextmanager
def _claimed(item: Staged):
    """Hold an upload for one publish or discard: a second one, from any worker, is refused."""
    mark = os.path.join(item.folder, CLAIM)
    try:
        os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise UploadError("Tệp này đang được người khác công bố hoặc hủy.") from None
    except FileNotFoundError:
        raise UploadError("Tệp này đã được công bố hoặc hủy.", 404) from None
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(mark)


def discard(db, item: Staged, actor: str, reason: str | None = None) -> None:
    """Remove a staged upload and log it."""
    with _claimed(item):
        shutil.rmtree(item.folder)
    detail = item.audit_detail()
    audit.record(db, actor, "discard", doc_id=item.doc_id, detail={**detail, "reason": reason} if reason else detail)


def expire(db, root: str, days: float) -> int:
    """Discard uploads staged more than ``days`` ago; return how many."""
    cutoff, count = clock.now() - days * 86400, 0
    for item in staged(root):
        if item.uploaded_at < cutoff:
            with contextlib.suppress(UploadError):
                discard(db, item, "system", f"quá {days:g} ngày chưa công bố")
                count += 1
    return count


# -- duplicates --------------------------------------------------------------------------------

def _corpus_files(corpus: str):
    for directory, subdirs, names in os.walk(corpus):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and formats.format_of_name(name):
                yield os.path.join(directory, name)


def duplicates(item: Staged, root: str, corpus: str | None, sources: dict[str, str]) -> list[dict]:
    """Return the files with the same content: other staged uploads and corpus files (with their notice id).

    Only corpus files of the same size are hashed, and each only once while it stays unchanged.
    """
    found = [{"kind": "staged", "name": other.original_name, "token": other.token}
             for other in staged(root)
             if other.token != item.token and other.sha256 == item.sha256 and other.status != "refused"]
    for path in _corpus_files(corpus) if corpus else ():
        try:
            stat = os.stat(path)
            same = stat.st_size == item.size and _file_sha256(path, stat.st_size, stat.st_mtime_ns) == item.sha256
        except OSError:
            continue
        if same:
            relative = os.path.relpath(path, corpus)
            found.append({"kind": "corpus", "name": relative, "doc_id": sources.get(relative)})
    return found


# -- corrections and publishing ----------------------------------------------------------------

def _clean(field: str, value):
    if field in LIST_FIELDS:
        values = value if isinstance(value, list) else str(value or "").splitlines()
        return [v for v in (" ".join(unicodedata.normalize("NFC", str(x)).split()) for x in values) if v]
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split()) or None


def _problem(field: str, value) -> str | None:
    if field in DATE_FIELDS and value:
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError:
            return "Ngày cần viết dạng năm-tháng-ngày, ví dụ 2024-05-16."
    if field in LIST_FIELDS and (len(value) > MAX_ITEMS or any(len(v) > MAX_VALUE for v in value)):
        return f"Tối đa {MAX_ITEMS} dòng, mỗi dòng tối đa {MAX_VALUE} ký tự."
    if field not in LIST_FIELDS and value and len(value) > MAX_VALUE:
        return f"Tối đa {MAX_VALUE} ký tự."
    return None


def corrections(extracted: dict, form) -> tuple[dict, dict]:
    """Compare the reviewer's form with the extracted values.

    :return: ``(changes, problems)``: the fields whose value the reviewer changed (None or [] clears
             one), and a Vietnamese message for each field whose new value cannot be used
    """
    changes, problems = {}, {}
    for field in REVIEW_FIELDS:
        if field not in form:
            continue  # a client that does not send a field leaves it as extracted
        value = _clean(field, form.get(field))
        if value == _clean(field, extracted.get(field)):
            continue
        problem = _problem(field, value)
        if problem:
            problems[field] = problem
        else:
            changes[field] = value
    return changes, problems


def check_apart(corpus: str | None, root: str) -> None:
    """Refuse a staging area inside the corpus folder, or holding it: a staged file must never be indexed.

    :raise UploadError: they overlap (a configuration mistake)
    """
    if not corpus:
        return
    real_corpus, real_root = os.path.realpath(corpus), os.path.realpath(root)
    if os.path.commonpath([real_corpus, real_root]) in (real_corpus, real_root):
        raise UploadError("Cấu hình sai: thư mục chờ tải lên (UPLOAD_FOLDER) nằm trong hoặc chứa thư mục văn bản.", 500)


def publish_folder(corpus: str | None, root: str) -> str:
    """Return the corpus subfolder uploads go to (created if needed).

    :raise UploadError: no corpus folder to publish into, or a staging area inside it
    """
    if not corpus or not os.path.isdir(corpus):
        raise UploadError("Chưa công bố được: chỉ mục chưa được xây từ một thư mục văn bản "
                          "(python -m indexer build --corpus ...).")
    check_apart(corpus, root)
    real_corpus = os.path.realpath(corpus)
    target = os.path.join(real_corpus, PUBLISH_SUBFOLDER)
    os.makedirs(target, exist_ok=True)
    if os.path.commonpath([real_corpus, os.path.realpath(target)]) != real_corpus:
        raise UploadError(f"Thư mục {PUBLISH_SUBFOLDER}/ trỏ ra ngoài thư mục văn bản.", 500)
    return os.path.realpath(target)


def _companion(item: Staged, publisher: str) -> dict:
    return {"original_name": item.original_name, "download_name": item.download_name, "uploader": item.uploader,
            "uploaded_at": clock.iso(item.uploaded_at), "published_by": publisher,
            "published_at": clock.iso(clock.now()), "sha256": item.sha256, "size": item.size, "format": item.format}


def _copy_into(source: str, target: str) -> None:
    """Copy a file into the corpus so that it appears whole, never half-written."""
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def not_ready(item: Staged) -> str:
    """Say why an upload cannot be published yet."""
    return f"{NOT_READ}: {item.reason}" if item.reason else "Tệp chưa đọc xong, xin chờ giây lát."


def publish(db, item: Staged, publisher: str, target_folder: str, changes: dict, duplicate_of: list[dict]) -> str:
    """Move a read upload into the corpus with its companion and corrections (as its sidecar); log it.

    :return: the notice's id
    :raise UploadError: not read (yet), or published or discarded meanwhile
    """
    if item.status != "ready":
        raise UploadError(not_ready(item))
    target = os.path.join(target_folder, item.stored_name)
    written = [target + COMPANION_SUFFIX, sidecar_path(target), target]
    with _claimed(item):
        if any(os.path.lexists(path) for path in written):
            raise UploadError("Trong thư mục văn bản đã có tệp mang tên này; hãy tải lên lại.")
        try:
            _write_json(written[0], _companion(item, publisher))
            if changes:
                _write_json(written[1], changes)
            _copy_into(item.path, target)
        except OSError:
            for path in written:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            raise
        shutil.rmtree(item.folder)
    old = {field: item.preview.get(field) for field in changes}
    detail = {**item.audit_detail(), "corrections": {f: {"old": old[f], "new": v} for f, v in changes.items()}}
    if duplicate_of:
        detail["duplicate_of"] = [d["name"] for d in duplicate_of]
    audit.record(db, publisher, "publish", doc_id=item.doc_id, detail=detail)
    return item.doc_id
