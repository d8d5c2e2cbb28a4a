"""Web pages for people: staff sign-in and the report page, server-rendered.

Beside ``api/``, calling the same operations. No script runs on these pages: every figure
is in the HTML as text or as an SVG element's title, and the Content-Security-Policy
forbids scripts outright.
"""

from flask import Flask, request

# No script, no frame, nothing from elsewhere: styles and images from us only.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def register_web(app: Flask) -> None:
    """Mount the pages, keep the sign-in cookie strict, and send the pages' headers."""
    from web import reports, sign_in

    # The sign-in cookie: never sent over plain HTTP off this machine, never readable by
    # a script, never sent with a request another site starts.
    app.config.update(SESSION_COOKIE_NAME="diary_session", SESSION_COOKIE_SECURE=True,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    app.register_blueprint(sign_in.bp)
    app.register_blueprint(reports.bp)

    @app.after_request
    def _page_headers(response):
        if request.blueprint in (sign_in.bp.name, reports.bp.name):
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            # Clinical figures: not kept in shared caches or the browser's history cache.
            response.headers["Cache-Control"] = "no-store"
        return response
