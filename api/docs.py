"""The docs page's assets, served by us: hospital networks often block CDNs.

Swagger UI's built files come from the flask-swagger-ui package, which ships them; the
page itself is flask-smorest's (OPENAPI_SWAGGER_UI_PATH), pointed here.
"""

from importlib import resources

from flask import Blueprint

ASSETS_URL = "/api/v1/docs/assets"

bp = Blueprint("docs_assets", __name__,
               static_folder=str(resources.files("flask_swagger_ui") / "dist"),
               static_url_path=ASSETS_URL)
