"""Flask-Login wiring: user loading, the htmx-aware 401, safe `next` redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager
from app.permissions import load_user_with_memberships


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Войдите, чтобы открыть эту страницу.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        user = load_user_with_memberships(int(user_id))
        # A deleted account's old session or remember-me cookie logs nobody in.
        return user if user is not None and not user.is_deleted else None

    @login_manager.unauthorized_handler
    def unauthorized():
        next_path = request.full_path if request.query_string else request.path
        if request.method != "GET":
            next_path = request.referrer and urlsplit(request.referrer).path or None
        login_url = url_for("auth.login", next=next_path if is_safe_next(next_path) else None)
        if request.headers.get("HX-Request") == "true":
            response = Response(status=401)
            response.headers["HX-Redirect"] = login_url
            return response
        flash(login_manager.login_message, "info")
        return redirect(login_url)
