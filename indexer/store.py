"""Index generations on disk: builds write a new one, publishing it is one atomic rename.

Layout of an index folder::

    CURRENT          name of the generation being served (replaced atomically)
    gen-000007/      a complete Whoosh index + manifest.json
    gen-000008/      a build in progress, or left by a crash: never served, removed later
    build.lock       held by the one build that may run at a time

Readers open whatever CURRENT names; a build that crashes before publishing changes nothing
they can see.
"""

import json
import os
import re
import shutil

import filelock

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = "build.lock"
_GENERATION = re.compile(r"^gen-(\d{6})$")
# Earlier generations kept after publishing, for readers still using them.
KEEP_PREVIOUS = 1


class BuildLocked(Exception):
    """Another build holds the index folder's lock."""


def fsync_dir(path: str) -> None:
    """Make a rename or removal in a folder durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str, data: str) -> None:
    """Write a small text file so that readers see the old or the new content, never a mix."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


class IndexStore:
    """The generations of one index folder."""

    def __init__(self, root: str):
        self.root = root

    def current_name(self) -> str | None:
        """Return the name of the served generation, or None when nothing was published yet."""
        try:
            with open(os.path.join(self.root, CURRENT), encoding="utf-8") as f:
                name = f.read().strip()
        except FileNotFoundError:
            return None
        return name if _GENERATION.match(name) and os.path.isdir(os.path.join(self.root, name)) else None

    def current_path(self) -> str | None:
        """Return the folder of the served generation, or None."""
        name = self.current_name()
        return os.path.join(self.root, name) if name else None

    def read_manifest(self) -> dict | None:
        """Return the served generation's manifest, or None."""
        path = self.current_path()
        if not path:
            return None
        try:
            with open(os.path.join(path, MANIFEST), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, json.JSONDecodeError):
            return None

    def generations(self) -> list[str]:
        """Return the generation folder names, oldest first."""
        if not os.path.isdir(self.root):
            return []
        return sorted(name for name in os.listdir(self.root) if _GENERATION.match(name))

    def lock(self) -> filelock.FileLock:
        """Return the build lock; acquiring it raises :class:`BuildLocked` when it is held."""
        os.makedirs(self.root, exist_ok=True)
        return filelock.FileLock(os.path.join(self.root, LOCK), timeout=0)

    def new_generation(self, copy_current: bool) -> str:
        """Create the next generation folder, hard-linking the current index files into it.

        Whoosh never rewrites a segment file, so a link is a safe, instant copy.
        """
        existing = self.generations()
        number = int(_GENERATION.match(existing[-1]).group(1)) + 1 if existing else 1
        path = os.path.join(self.root, f"gen-{number:06d}")
        os.makedirs(path)
        source = self.current_path() if copy_current else None
        if source:
            for entry in os.scandir(source):
                if entry.is_file() and entry.name != MANIFEST and not entry.name.endswith("LOCK"):
                    os.link(entry.path, os.path.join(path, entry.name))
        return path

    def publish(self, path: str, manifest: dict) -> None:
        """Write the manifest into a finished generation, then make it the served one."""
        write_atomic(os.path.join(path, MANIFEST), json.dumps(manifest, ensure_ascii=False))
        fsync_dir(path)
        write_atomic(os.path.join(self.root, CURRENT), os.path.basename(path) + "\n")

    def update_manifest(self, manifest: dict) -> None:
        """Replace the served generation's manifest (file signatures changed, content did not)."""
        path = self.current_path()
        if path:
            write_atomic(os.path.join(path, MANIFEST), json.dumps(manifest, ensure_ascii=False))

    def discard(self, path: str) -> None:
        """Remove an unpublished generation folder."""
        shutil.rmtree(path, ignore_errors=True)

    def clean(self) -> None:
        """Remove generations that are neither served nor kept for readers, and crash leftovers."""
        current = self.current_name()
        names = self.generations()
        if current is None:
            return
        position = names.index(current)
        keep = set(names[max(0, position - KEEP_PREVIOUS):position + 1])
        for name in names:
            if name not in keep:
                shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)
