"""Run converters and OCR under time, memory and page limits, so one bad file cannot stop a build.

External programs (LibreOffice, Tesseract, Poppler) run as subprocesses in their own session, so
that a time-out kills every process they started. Python parsers of untrusted files (PDF, Word)
run in a forked child with an address-space limit. A file over a limit is skipped with the reason.
"""

import dataclasses
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import traceback

from indexer.rawtext import UnreadableFile

DEFAULT_SECONDS = 120.0
DEFAULT_MEMORY_MB = 2048
DEFAULT_PAGES = 50


class LimitExceeded(UnreadableFile):
    """A converter went over its time or memory limit."""


class MissingProgram(UnreadableFile):
    """A converter this file needs is not installed; the reason names the Debian package."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-file limits for converters and OCR (configurable from the command line)."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    pages: int = DEFAULT_PAGES


def _address_space() -> int:
    """Bytes of address space this process maps now (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit_memory(megabytes: int, relative: bool) -> None:
    extra = megabytes * 1024 * 1024
    limit = _address_space() + extra if relative else extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _seconds(limits: Limits) -> str:
    return f"{limits.seconds:g} giây"


def require_program(name: str, package: str, what: str) -> str:
    """Return the path of an external program, or say which Debian package provides it.

    :raise MissingProgram: the program is not installed
    """
    path = shutil.which(name)
    if not path:
        raise MissingProgram(f"cần chương trình {name} để đọc {what}: hãy cài gói Debian {package}")
    return path


def run_program(argv: list[str], limits: Limits, what: str, **kwargs) -> subprocess.CompletedProcess:
    """Run an external program with the time and memory limits; return its completed process.

    Output is captured as bytes. ``what`` says in Vietnamese what the program was doing.

    :raise LimitExceeded: it ran out of time, or was killed (usually by the memory limit)
    """
    memory = limits.memory_mb
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=lambda: _limit_memory(memory, relative=False), **kwargs,
    ) as process:
        try:
            out, err = process.communicate(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise LimitExceeded(f"{what} quá thời gian cho phép ({_seconds(limits)})") from None
        finally:
            _kill_group(process)  # helpers a program left behind (LibreOffice's soffice.bin)
    if process.returncode < 0:
        raise LimitExceeded(
            f"{what} bị dừng bất thường (tín hiệu {-process.returncode}; có thể vượt giới hạn bộ nhớ "
            f"{limits.memory_mb} MB)"
        )
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _child(connection, limits: Limits, func, args) -> None:
    try:
        _limit_memory(limits.memory_mb, relative=True)
        result = ("ok", func(*args))
    except UnreadableFile as exc:
        result = ("unreadable", str(exc))
    except MemoryError:
        result = ("memory", "")
    except Exception as exc:  # noqa: BLE001 (a parser's crash on a hostile file is reported, not raised)
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" ({last[0].name})" if last else ""
        result = ("error", f"{type(exc).__name__}: {exc}"[:300] + where)
    try:
        connection.send(result)
    except Exception:  # noqa: BLE001 (a result that cannot be pickled is an error too)
        connection.send(("error", "kết quả không gửi được"))
    connection.close()


def run_isolated(func, *args, limits: Limits, what: str):
    """Run ``func(*args)`` in a forked child under the limits and return its result.

    :raise UnreadableFile: what ``func`` raised, or the reason it failed or went over a limit
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, limits, func, args), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.seconds):
            raise LimitExceeded(f"{what} quá thời gian cho phép ({_seconds(limits)})")
        try:
            status, value = receiver.recv()
        except EOFError:
            raise LimitExceeded(
                f"{what} bị dừng bất thường (có thể vượt giới hạn bộ nhớ {limits.memory_mb} MB)"
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "ok":
        return value
    if status == "memory":
        raise LimitExceeded(f"{what} vượt giới hạn bộ nhớ ({limits.memory_mb} MB)")
    if status == "unreadable":
        raise UnreadableFile(value)
    raise UnreadableFile(f"{what} thất bại: tệp hỏng hoặc không đúng định dạng ({value})")
