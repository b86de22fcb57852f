"""«Сообщество»: the platform of professional communities of educators."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Config, load_secret_key


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str((config or Config).INSTANCE_DIR),
        instance_relative_config=True,
    )
    app.config.from_object(config or Config)
    if proxies := app.config.get("PROXY_COUNT"):
        # Behind nginx: take the client's address from X-Forwarded-For (rate limits, logs).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.config["INSTANCE_DIR"])

    _init_extensions(app)
    _init_jinja(app)
    _register_blueprints(app)

    from app import cli, errors, permissions

    permissions.init_app(app)  # after the blueprints, whose can_* predicates it registers
    cli.init_app(app)
    errors.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import htmx, i18n, models, security  # noqa: F401  (models: complete metadata)
    from app.auth import login
    from app.communities import scoping
    from app.extensions import csrf, db, limiter, migrate
    from app.notifications import mail

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    login.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    htmx.init_app(app)
    security.init_app(app)
    scoping.init_app(app)
    mail.init_app(app)


def _init_jinja(app: Flask) -> None:
    from app import layout, sanitize, ui

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["paragraphs"] = sanitize.paragraphs
    ui.init_app(app)
    layout.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.chat import bp as chat_bp
    from app.communities import bp as communities_bp
    from app.events import bp as events_bp
    from app.events import calendar_bp, verify_bp
    from app.forum import bp as forum_bp
    from app.materials import bank_bp
    from app.materials import bp as materials_bp
    from app.moderation import bp as moderation_bp
    from app.notifications import bp as notifications_bp
    from app.privacy import bp as privacy_bp

    app.register_blueprint(communities_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    from app.notifications.outbox import bp as outbox_bp

    app.register_blueprint(outbox_bp, url_prefix="/admin/outbox")
    app.register_blueprint(forum_bp, url_prefix="/c/<community_slug>/forum")
    app.register_blueprint(materials_bp, url_prefix="/c/<community_slug>/materials")
    app.register_blueprint(bank_bp, url_prefix="/bank")
    app.register_blueprint(events_bp, url_prefix="/c/<community_slug>/events")
    app.register_blueprint(calendar_bp, url_prefix="/calendar")
    app.register_blueprint(verify_bp, url_prefix="/certificates")
    app.register_blueprint(moderation_bp, url_prefix="/c/<community_slug>/moderation")
    app.register_blueprint(chat_bp, url_prefix="/c/<community_slug>/chat")
    app.register_blueprint(privacy_bp)

    from app.governance import register_blueprints as register_governance

    register_governance(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: WAL, foreign keys enforced, and wait for a lock rather than fail at once."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgres_settings(dbapi_connection, connection_record) -> None:
    """PostgreSQL: no JIT compilation. It pays off in long analytic queries, never in a web
    request, and PostgreSQL turns it on by the plan's estimated cost: the search statement,
    which holds two alternative plans (app/search.py), took 90 ms of compiling for 15 ms of
    work at 100,000 materials (bench/results.md, «Bank search at scale»)."""
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET in a transaction rolled back would not stay
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit
