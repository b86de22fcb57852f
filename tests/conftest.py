"""Fixtures: one app per session, a clean database after every test, clients per role.

TEST_DATABASE_URL selects PostgreSQL (`.ci/run` sets it); otherwise a temp SQLite file.
"""

from __future__ import annotations

import contextvars
import os
import tempfile
from pathlib import Path

import pytest
from flask import has_app_context
from flask_login import FlaskLoginClient

from app import create_app
from app.config import TestConfig, normalize_database_url
from app.extensions import db, limiter
from tests import factories


class Client(FlaskLoginClient):
    """Each request runs in its own application context, as in production: its own
    database session and `g`, not the test's. Afterwards the test's session is expired so
    that it reads what the request committed."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed inside the request's own context
            return super().open(*args, **kwargs)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app():
    tmp = Path(tempfile.mkdtemp(prefix="soobshchestvo-test-"))
    url = os.environ.get("TEST_DATABASE_URL")

    class Config(TestConfig):
        INSTANCE_DIR = tmp
        SQLALCHEMY_DATABASE_URI = normalize_database_url(url) if url else f"sqlite:///{tmp}/t.db"
        UPLOAD_FOLDER = str(tmp / "uploads")
        MAIL_OUTBOX = str(tmp / "outbox")

    app = create_app(Config)
    app.test_client_class = Client
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if url:
            db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app):
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    ctx.pop()


@pytest.fixture(autouse=True)
def _reset_rate_limits(app):
    """Limits stay on in tests; every test starts with empty buckets."""
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def community(app):
    return factories.make_community()


@pytest.fixture
def people(community):
    """One person in every role of `community`, plus an outsider and an administrator."""
    return factories.make_people(community)


@pytest.fixture
def client_as(app, people):
    """`client_as("coordinator")`: a test client logged in as that person."""

    def make(role: str):
        if role == "anonymous":
            return app.test_client()
        return app.test_client(user=people[role])

    return make
