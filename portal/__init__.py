"""The search portal: a Flask app factory reading the index built by :mod:`indexer`."""

import os

from flask import Flask

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")


def create_app(test_config: dict | None = None) -> Flask:
    """Create the portal; the index folder comes from ``PORTAL_INDEX`` when it is set."""
    app = Flask(__name__, instance_relative_config=True, template_folder=TEMPLATES)
    app.config.from_mapping(INDEX_PATH=os.path.join(app.instance_path, "index"))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("PORTAL_INDEX"):
            app.config["INDEX_PATH"] = os.environ["PORTAL_INDEX"]
    else:
        app.config.from_mapping(test_config)

    from portal import index
    from portal.views import home

    index.init_app(app)
    app.register_blueprint(home.bp)
    return app
