"""The app as bench/run.py serves it: `gunicorn bench.entry:app`, `flask --app bench.entry …`.

It is what production runs, wsgi.py (`create_app()` and whatever wsgi.py does after it, e.g.
`gc.freeze()`), with the production `Config`, except:

- the database is BENCH_DATABASE_URL (default: the SQLite file bench/results/bench.db) and
  the instance folder (uploads, outbox) is BENCH_INSTANCE (default: bench/results/instance);
- SECRET_KEY is fixed, so that session cookies survive a restart of the server;
- rate limits are off: the sign-up storm logs 200 members in from one address, which the
  login limit would refuse. No page is rate-limited in the app, so pages cost the same.

And every response carries `X-Bench-Queries`: the SQL statements the request executed (a
SQLAlchemy `before_cursor_execute` listener). The header is added by a WSGI wrapper around
the whole Flask app, so that statements in every `before_request`/`after_request` hook count
too; only statements of teardown (after the response has started) do not. Nothing of this is
in app/: the app itself is measured unchanged.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_DATABASE = RESULTS_DIR / "bench.db"
QUERIES_HEADER = "X-Bench-Queries"
SECRET_KEY = "bench-secret-key-not-for-production"


# --- counting SQL statements per request ----------------------------------------------------

_state = threading.local()  # .count: statements of the request running in this thread


def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    count = getattr(_state, "count", None)
    if count is not None:
        _state.count = count + 1


def install_query_counter() -> None:
    """Listen on every engine (idempotent)."""
    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)


class QueryCountMiddleware:
    """WSGI wrapper: counts the statements executed until the response starts and adds them
    as the X-Bench-Queries header."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app
        install_query_counter()

    def __call__(self, environ, start_response):
        _state.count = 0

        def counted_start_response(status, headers, exc_info=None):
            headers = [*headers, (QUERIES_HEADER, str(_state.count or 0))]
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, counted_start_response)
        finally:
            _state.count = None


# --- the floor page -------------------------------------------------------------------------

FLOOR_MARKER = '<form action="/auth/logout"></form>'  # run.py's sign of a logged-in page


def add_floor_page(app) -> None:
    """`/c/<slug>/bench-floor/<size>`: a logged-in member's page of a community that does
    nothing of its own. It pays what every page of a community pays before its view runs
    (the session, the user and their memberships, the community, the app's hooks and
    headers) and answers `size` bytes without a template. Its ratio to the bare page is the
    most that any page of a community can reach in this request lifecycle."""
    from flask import Blueprint, g
    from flask_login import current_user, login_required

    from app.communities.permissions import can_view_inside
    from app.permissions import require

    floor = Blueprint("bench_floor", __name__, url_prefix="/c/<community_slug>")

    @floor.get("/bench-floor/<int:size>")
    @login_required
    def page(size: int):
        require(can_view_inside(current_user, g.community))
        return FLOOR_MARKER + "x" * max(size - len(FLOOR_MARKER), 0)

    app.register_blueprint(floor)


# --- the app --------------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def bench_config(url: str | None = None, instance: Path | None = None):
    from app.config import Config, normalize_database_url

    folder = Path(instance or os.environ.get("BENCH_INSTANCE") or RESULTS_DIR / "instance")

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = normalize_database_url(url or database_url())
        INSTANCE_DIR = folder
        UPLOAD_FOLDER = str(folder / "uploads")
        MAIL_OUTBOX = str(folder / "outbox")
        SECRET_KEY = globals()["SECRET_KEY"]
        RATELIMIT_ENABLED = False

    return BenchConfig


def create_bench_app(url: str | None = None, instance: Path | None = None):
    """The app with the bench configuration and the query-count header, without wsgi.py's
    extras: for run.py's own look at the database."""
    from app import create_app

    app = create_app(bench_config(url, instance))
    add_floor_page(app)
    app.wsgi_app = QueryCountMiddleware(app.wsgi_app)
    return app


def app_as_wsgi_py():
    """Run wsgi.py itself, its `create_app` giving the bench configuration, so that what
    wsgi.py does after creating the app (gc.freeze()) is measured too; then add the header."""
    import runpy

    import app as package

    original = package.create_app
    package.create_app = lambda config=None: original(bench_config())
    try:
        made = runpy.run_path(str(ROOT / "wsgi.py"), run_name="wsgi")["app"]
    finally:
        package.create_app = original
    add_floor_page(made)
    made.wsgi_app = QueryCountMiddleware(made.wsgi_app)
    return made


_app = None


def __getattr__(name: str):
    """`app` is created on first use (gunicorn, flask), not when run.py or the tests import
    this module for its helpers."""
    global _app
    if name == "app":
        if _app is None:
            _app = app_as_wsgi_py()
        return _app
    raise AttributeError(name)
