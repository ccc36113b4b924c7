import json
import os
import shutil

import pytest

from indexer.vocab import load_vocabulary
from portal import create_app

# The archivists' workspace: signed-in clients, accounts, a clock tests move on.
pytest_plugins = ["tests.workspace_fixtures"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")
NOTICES = os.path.join(CORPUS, "notices")
SHARED = os.path.join(ROOT, "..", "shared")
EXPECTED = os.path.join(SHARED, "seeds", "expected.json")
BENCH = os.path.join(SHARED, "bench", "vinews.jsonl.gz")


def seed_names() -> list[str]:
    return sorted(name for name in os.listdir(NOTICES) if name.endswith(".txt"))


def read_seed(name: str) -> str:
    with open(os.path.join(NOTICES, name), encoding="utf-8") as f:
        return f.read()


def require_shared(path: str) -> str:
    if not os.path.exists(path):
        pytest.skip(f"{path} is absent: it comes with the project's shared data (present in CI)")
    return path


@pytest.fixture(scope="session")
def vocab():
    return load_vocabulary(CORPUS)


@pytest.fixture(scope="session")
def expected():
    with open(require_shared(EXPECTED), encoding="utf-8") as f:
        return {k: v for k, v in json.load(f).items() if not k.startswith("_")}


@pytest.fixture
def corpus_dir(tmp_path):
    """A private copy of the embedded corpus (notices and vocabularies)."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """An index built once from the embedded corpus."""
    from indexer.build import BuildOptions
    from indexer.build import build_index

    folder = tmp_path_factory.mktemp("index")
    build_index(BuildOptions(index=str(folder), corpus=NOTICES), load_vocabulary(CORPUS))
    return folder


@pytest.fixture
def app(seed_index):
    return create_app({"TESTING": True, "INDEX_PATH": str(seed_index)})


@pytest.fixture
def client(app):
    return app.test_client()
