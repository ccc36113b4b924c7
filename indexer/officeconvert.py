"""Word 97-2003 ``.doc`` and ``.rtf`` through LibreOffice, which keeps every run's font.

LibreOffice converts the file to ``.docx`` in a throw-away profile (so that nothing of a user's
settings, and no other running instance, is involved); the ``.docx`` reader does the rest, legacy
fonts included.
"""

import os
import shutil
import tempfile

from indexer.docxtext import read_docx
from indexer.limits import Limits
from indexer.limits import require_program
from indexer.limits import run_isolated
from indexer.limits import run_program
from indexer.rawtext import RawText
from indexer.rawtext import UnreadableFile

PACKAGE = "libreoffice-writer-nogui"
_NAMES = {"doc": "tệp Word 97-2003 (.doc)", "rtf": "tệp RTF"}


def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        if shutil.which(name):
            return name
    return require_program("soffice", PACKAGE, "tệp .doc và .rtf")


def convert_to_docx(path: str, format_name: str, limits: Limits, workdir: str) -> str:
    """Convert a ``.doc``/``.rtf`` file to ``.docx`` inside ``workdir``; return the new file's path.

    :raise UnreadableFile: LibreOffice is missing, failed, or went over a limit
    """
    what = f"chuyển đổi {_NAMES.get(format_name, format_name)} bằng LibreOffice"
    program = _soffice()
    source = os.path.join(workdir, f"input.{format_name}")
    shutil.copyfile(path, source)
    profile = os.path.join(workdir, "profile")
    argv = [program, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            f"-env:UserInstallation=file://{profile}", "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", workdir, source]
    env = {**os.environ, "HOME": workdir, "SAL_USE_VCLPLUGIN": "svp"}
    done = run_program(argv, limits, what, env=env, cwd=workdir)
    target = os.path.join(workdir, "input.docx")
    if not os.path.exists(target) or os.path.getsize(target) == 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = f": {detail[-1][:200]}" if detail else ""
        raise UnreadableFile(f"LibreOffice không chuyển đổi được {_NAMES.get(format_name, 'tệp')} "
                             f"(tệp hỏng hoặc có mật khẩu){reason}")
    return target


def read_office(path: str, format_name: str, limits: Limits) -> RawText:
    """Read a ``.doc`` or ``.rtf`` file through LibreOffice and the ``.docx`` reader."""
    with tempfile.TemporaryDirectory(prefix="office-") as workdir:
        converted = convert_to_docx(path, format_name, limits, workdir)
        return run_isolated(read_docx, converted, format_name, limits=limits, what="đọc tệp Word đã chuyển đổi")
