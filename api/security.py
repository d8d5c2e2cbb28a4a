"""Security headers on every response, and CORS for the configured origins only.

JSON answers get a CSP that loads nothing; the one HTML page (the API docs) may load
only our own files, with no inline script (OWASP Secure Headers). HSTS is sent only over
HTTPS: on plain HTTP a browser ignores it, and a development server must stay reachable.
Behind a TLS-terminating proxy, DIARY_PROXY_COUNT makes request.is_secure true.
"""

from flask import Flask, request
from flask_cors import CORS

# Swagger UI sets inline styles as it draws; scripts stay ours, from files only.
HTML_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def init_security_headers(app: Flask) -> None:
    """Add the headers to every response; allow cross-origin calls from DIARY_CORS_ORIGINS."""
    hsts = f"max-age={app.config['DIARY_HSTS_SECONDS']}; includeSubDomains"

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Content-Security-Policy",
                           HTML_POLICY if response.mimetype == "text/html" else API_POLICY)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", hsts)
        return response

    origins = app.config["DIARY_CORS_ORIGINS"]
    if origins:
        # Bearer tokens, not cookies: no credentials mode, so no cookie rides along.
        CORS(app, resources={r"/api/*": {"origins": origins}},
             allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
             expose_headers=["Retry-After", "X-Request-Id", "X-Pagination"],
             supports_credentials=False, max_age=600)
