"""The search portal: a Flask app factory reading the index built by :mod:`indexer`."""

import os

from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict | None = None) -> Flask:
    """Create the portal; the index folder comes from ``PORTAL_INDEX`` when it is set."""
    app = Flask(__name__, instance_relative_config=True, template_folder=os.path.join(ROOT, "templates"),
                static_folder=os.path.join(ROOT, "static"))
    app.config.from_mapping(INDEX_PATH=os.path.join(app.instance_path, "index"), SEARCH_TIME_LIMIT=5.0,
                            SEARCH_CACHE_SIZE=512)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("PORTAL_INDEX"):
            app.config["INDEX_PATH"] = os.environ["PORTAL_INDEX"]
        if os.environ.get("PORTAL_SEARCH_CACHE", "").isdigit():
            app.config["SEARCH_CACHE_SIZE"] = int(os.environ["PORTAL_SEARCH_CACHE"])
    else:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False

    from portal import caching
    from portal import errors
    from portal import filters
    from portal import security
    from portal import workspace
    from portal.views import api
    from portal.views import browse
    from portal.views import doc
    from portal.views import home
    from portal.views import search

    filters.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    for blueprint in (home.bp, search.bp, doc.bp, browse.bp, api.bp):
        app.register_blueprint(blueprint)
    workspace.init_app(app)
    return app
