"""The docs page and its assets, served by us: hospital networks often block CDNs.

Swagger UI's built files come from the flask-swagger-ui package, which ships them. The
page is ours rather than flask-smorest's: that one starts Swagger UI with an inline
script, which our Content-Security-Policy refuses (api/security.py), so ours loads a
script file instead and passes the settings in a data attribute.
"""

import json
from importlib import resources

from flask import Blueprint, Response, current_app
from markupsafe import escape

ASSETS_URL = "/api/v1/docs/assets"
START_URL = "/api/v1/docs/start.js"

bp = Blueprint("docs_assets", __name__,
               static_folder=str(resources.files("flask_swagger_ui") / "dist"),
               static_url_path=ASSETS_URL)

_START = """window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.getAttribute("data-config"));
  config.dom_id = "#swagger-ui-container";
  window.ui = SwaggerUIBundle(config);
});
"""

_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <title>{title}</title>
    <link href="{assets}/swagger-ui.css" rel="stylesheet" type="text/css"/>
  </head>
  <body>
    <div id="swagger-ui-container" data-config='{config}'></div>
    <script src="{assets}/swagger-ui-standalone-preset.js"></script>
    <script src="{assets}/swagger-ui-bundle.js"></script>
    <script src="{start}"></script>
  </body>
</html>
"""


def _attribute(text: str) -> str:
    # Inside a single-quoted attribute: the JSON's double quotes stay readable.
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;")


@bp.get(START_URL)
def start_script():
    """Start Swagger UI on the page, with the settings the page carries."""
    return Response(_START, mimetype="text/javascript")


def docs_page():
    """Show the API's docs page (Swagger UI over /api/v1/openapi.json)."""
    settings = {"url": "/api/v1/openapi.json",
                **current_app.config.get("OPENAPI_SWAGGER_UI_CONFIG", {})}
    page = _PAGE.format(title=escape(current_app.config["API_TITLE"]), assets=ASSETS_URL,
                        start=START_URL, config=_attribute(json.dumps(settings)))
    return Response(page, mimetype="text/html")
