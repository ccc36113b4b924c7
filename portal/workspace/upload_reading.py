"""Read uploaded files for review: ``python -m indexer extract`` in a child process, one file at a time.

The portal never parses raw notices: a child process reads each file under the indexer's limits
(converter time, memory, pages, size) and a wall-clock limit of its own, so a hostile or huge file
can neither take a web worker down nor hold it. Reading runs in a background thread, so a scan
that takes minutes to recognize does not hold the upload request either; the request waits a
little (``UPLOAD_WAIT_SECONDS``) and the page follows up.
"""

import collections
import dataclasses
import json
import logging
import math
import os
import signal
import subprocess
import sys
import threading
import time

OUTPUT_KEPT = 4000
# The indexer's default for one converter or OCR step (``--timeout``).
CONVERTER_SECONDS = 120.0
log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReadJob:
    """One file to read: ``argv`` runs the extraction, ``done(record)`` keeps what it gave."""

    key: str
    argv: tuple[str, ...]
    cwd: str
    seconds: float
    done: object  # callable(dict) -> None

    def run(self) -> None:
        """Read the file and hand on the record (``{"error": reason}`` when it cannot be read)."""
        self.done(extract(self.argv, self.cwd, self.seconds))


def _record(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except json.JSONDecodeError:
                return None
            return found if isinstance(found, dict) else None
    return None


def extract(argv: tuple[str, ...], cwd: str, seconds: float) -> dict:
    """Run an ``indexer extract`` command line and return its record for the one file it reads.

    The child runs in a session of its own: on time-out the whole session is killed, converters too.
    """
    with subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}) as child:
        try:
            stdout, stderr = child.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return {"error": f"đọc tệp quá {seconds:g} giây nên đã dừng"}
    record = _record(stdout.decode("utf-8", "replace"))
    if record is None or child.returncode not in (0, 1):
        detail = stderr.decode("utf-8", "replace")[-OUTPUT_KEPT:].strip()
        return {"error": "trình đọc tệp dừng bất thường", "detail": detail}
    return record


@dataclasses.dataclass(frozen=True)
class Settings:
    """How uploaded files are read: the whole reading's wall clock, the indexer's limits, the vocabularies."""

    seconds: float
    memory_mb: int
    pages: int
    max_mb: int
    vocab: str
    cwd: str

    @classmethod
    def from_config(cls, config, vocab: str, cwd: str) -> "Settings":
        """Read the settings from the app config (``UPLOAD_READ_*``, ``UPLOAD_MAX_MB``)."""
        return cls(float(config["UPLOAD_READ_SECONDS"]), int(config["UPLOAD_READ_MEMORY_MB"]),
                   int(config["UPLOAD_READ_PAGES"]), math.ceil(config["UPLOAD_MAX_MB"]), vocab, cwd)

    def command(self, path: str) -> tuple[str, ...]:
        """Return the command line reading ``path``: each converter step within the indexer's own time limit."""
        step = min(self.seconds, CONVERTER_SECONDS)
        return (sys.executable, "-m", "indexer", "extract", path, "--vocab", self.vocab, "--timeout", f"{step:g}",
                "--max-memory-mb", str(self.memory_mb), "--max-pages", str(self.pages), "--max-mb", str(self.max_mb))

    def job(self, key: str, path: str, done) -> ReadJob:
        """Return the job reading ``path``, handing its record to ``done``."""
        return ReadJob(key, self.command(path), self.cwd, self.seconds, done)


class Reader:
    """Read files one at a time in a background thread; ``wait`` until given ones are read."""

    def __init__(self):
        self._condition = threading.Condition()
        self._jobs: collections.deque[ReadJob] = collections.deque()
        self._pending: set[str] = set()
        self._thread: threading.Thread | None = None

    def submit(self, job: ReadJob) -> None:
        """Queue a file (once: a key already waiting or being read is not queued again)."""
        with self._condition:
            if job.key in self._pending:
                return
            self._pending.add(job.key)
            self._jobs.append(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="upload-read", daemon=True)
                self._thread.start()

    def pending(self, key: str) -> bool:
        """Return whether a file is waiting or being read in this process."""
        with self._condition:
            return key in self._pending

    def wait(self, keys, timeout: float) -> bool:
        """Wait until none of ``keys`` is waiting or being read; False when ``timeout`` ran out first."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending.intersection(keys):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
            return True

    def _loop(self) -> None:
        while True:
            with self._condition:
                if not self._jobs:
                    self._thread = None
                    return
                job = self._jobs.popleft()
            try:
                job.run()
            except Exception:  # one file's trouble (its folder removed meanwhile...) must not stop the others
                log.exception("reading uploaded file %s failed", job.key)
            finally:
                with self._condition:
                    self._pending.discard(job.key)
                    self._condition.notify_all()
