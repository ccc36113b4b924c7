"""Background index updates after a correction, an upload or a merge: one at a time, never lost.

The update runs as ``python -m indexer update`` in a child process: the portal never parses raw
notices, a crash or a memory spike of the indexer cannot take a web worker down, and the build
lock of the index folder keeps workers of other processes from building at the same time.
Requests made while an update runs are folded into one more update after it.
"""

import dataclasses
import os
import subprocess
import sys
import threading
import time

# ``python -m indexer`` exits with this when another process holds the build lock.
EXIT_LOCKED = 75
LOCKED_RETRY_SECONDS = 0.2
# A vocabulary change re-indexes everything: about 5 min for 35,000 notices on one process.
DEFAULT_TIMEOUT = 3600.0
OUTPUT_KEPT = 4000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclasses.dataclass(frozen=True)
class RunResult:
    """How one update ended."""

    ticket: int
    started: float
    seconds: float
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Rebuilder:
    """Run index updates in a background thread; ``request`` returns a ticket to ``wait`` on."""

    def __init__(self, index: str, command: tuple[str, ...] | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.index = index
        self.command = command or (sys.executable, "-m", "indexer", "update", "--index", os.path.abspath(index),
                                   "--procs", "1")
        self.timeout = timeout
        self._condition = threading.Condition()
        self._requested = 0  # tickets handed out
        self._done = 0  # every ticket up to this one is covered by a finished update
        self._thread: threading.Thread | None = None
        self.last: RunResult | None = None

    def request(self) -> int:
        """Ask for an update covering every change made so far; return its ticket."""
        with self._condition:
            self._requested += 1
            ticket = self._requested
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="index-update", daemon=True)
                self._thread.start()
            self._condition.notify_all()
            return ticket

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """Wait until an update that started after ``ticket`` was requested has finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while self._done < ticket:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._condition.wait(left)
            return True

    def status(self) -> dict:
        """What the workspace shows: is an update running or waiting, and how the last one ended."""
        with self._condition:
            busy = self._done < self._requested
        return {"busy": busy, "last": self.last}

    def _loop(self) -> None:
        while True:
            with self._condition:
                if self._done >= self._requested:
                    self._thread = None
                    return
                covered = self._requested  # everything requested until now is on disk already
            result = self._run(covered)
            with self._condition:
                self.last = result
                self._done = covered
                self._condition.notify_all()

    def _run(self, ticket: int) -> RunResult:
        started = time.time()
        clock = time.monotonic()
        while True:
            try:
                # From the project's folder: ``-m indexer`` is found there however the server was started.
                done = subprocess.run(self.command, capture_output=True, text=True, timeout=self.timeout,
                                      check=False, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
                returncode, output = done.returncode, done.stdout + done.stderr
            except subprocess.TimeoutExpired as exc:
                returncode, output = -1, f"quá {self.timeout:.0f} giây: {exc}"
            if returncode != EXIT_LOCKED or time.monotonic() - clock > self.timeout:
                break
            # Another process is building; its update may predate our change, so ours runs after it.
            time.sleep(LOCKED_RETRY_SECONDS)
        return RunResult(ticket, started, time.monotonic() - clock, returncode, output[-OUTPUT_KEPT:])
