"""/login and /logout: the staff sign-in as a form, the same operation as the API's."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from diary.actor import Actor
from diary.errors import DomainError
from diary.models.access_token import FULL
from diary.operations.sessions import login, logout
from web.session import TOKEN_KEY, sign_in_as, signed_in

bp = Blueprint("web_sign_in", __name__, template_folder="templates",
               static_folder="static", static_url_path="/static/web")


class LoginForm(FlaskForm):
    """E-mail and password; flask-wtf adds and checks the CSRF token."""

    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    code = StringField("Code from your authenticator app (or a recovery code)",
                       validators=[Optional(), Length(max=40)])


class LogoutForm(FlaskForm):
    """Nothing but the CSRF token: signing out is a POST another site cannot forge."""


def _next_page() -> str:
    target = request.args.get("next", "")
    # Only a path of ours: never an address elsewhere ("//evil.example" included).
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web_reports.reports")


@bp.route("/login", methods=["GET", "POST"])
def login_page():
    """Show the sign-in form; sign in and go on to the page asked for."""
    form = LoginForm()
    message = None
    status = 200
    if form.validate_on_submit():
        message, status = _sign_in(form)
        if message is None:
            return redirect(_next_page())
    elif request.method == "POST":
        message = "Give your e-mail address and password." if not form.csrf_token.errors \
            else "The form had expired; please sign in again."
        status = 401
    return render_template("web/login.html", form=form, message=message), status


def _sign_in(form: LoginForm) -> tuple[str | None, int]:
    """Sign in with the form's answers; return what to tell the person, and the status."""
    code = (form.code.data or "").strip() or None
    digits = code is not None and code.isascii() and code.isdigit()
    try:
        token, row = login(form.email.data, form.password.data,
                           totp_code=code if digits else None,
                           recovery_code=None if digits else code)
    except DomainError as exc:
        if {"totp_code", "recovery_code"} & set(exc.errors):
            return ("Enter the code from your authenticator app (or a recovery code); "
                    "a code is good once.", 401)
        return exc.message, 401
    if row.scope != FULL:
        # An enrolment-only token opens none of the pages: set the factor up first.
        logout(Actor("staff", row.staff_user_id, token_id=row.id))
        return ("Your account needs a second factor, and has none yet: set it up with the "
                "app or the API (POST /api/v1/auth/second-factor), then sign in here.", 403)
    sign_in_as(token)
    return None, 200


@bp.route("/logout", methods=["POST"])
def logout_page():
    """Revoke the session's staff token and forget it."""
    form = LogoutForm()
    if form.validate_on_submit():
        actor = signed_in()
        if actor is not None:
            logout(actor)
        session.pop(TOKEN_KEY, None)
    return redirect(url_for("web_sign_in.login_page"))
