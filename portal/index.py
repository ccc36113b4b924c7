"""The served index, opened lazily per request and reopened when a build publishes a new one."""

from flask import Flask
from flask import current_app
from flask import g
from whoosh import index as whoosh_index

from indexer.store import IndexStore


class IndexUnavailable(Exception):
    """No index has been built in the configured folder yet."""


def get_searcher():
    """Return a searcher on the current index generation, shared for the rest of the request."""
    if "searcher" not in g:
        path = IndexStore(current_app.config["INDEX_PATH"]).current_path()
        if path is None:
            raise IndexUnavailable(current_app.config["INDEX_PATH"])
        g.searcher = whoosh_index.open_dir(path).searcher()
    return g.searcher


def close_searcher(exc=None) -> None:
    """Close the request's searcher, if one was opened."""
    searcher = g.pop("searcher", None)
    if searcher is not None:
        searcher.close()


def init_app(app: Flask) -> None:
    """Close searchers when requests end."""
    app.teardown_appcontext(close_searcher)
