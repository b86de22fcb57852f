"""`flask db upgrade` builds the schema on an empty database, and the models match it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app, search
from app.config import TestConfig, normalize_database_url
from app.extensions import db


def test_upgrade_on_empty_database_matches_models():
    tmp = Path(tempfile.mkdtemp(prefix="soobshchestvo-migrate-"))
    url = os.environ.get("TEST_DATABASE_URL")
    schema = None
    if url:  # PostgreSQL: a schema of its own, so the test database is untouched
        url = normalize_database_url(url)
        schema = "migration_check"
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()

    class Config(TestConfig):
        INSTANCE_DIR = tmp
        SQLALCHEMY_DATABASE_URI = url or f"sqlite:///{tmp}/migrate.db"
        SQLALCHEMY_ENGINE_OPTIONS = (
            {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
        )

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # The hooks migrations/env.py uses: the search's FTS5 table and GIN index are
            # made by app.search.schema_sql(), outside the metadata.
            context = MigrationContext.configure(conn, opts={
                "include_name": search.alembic_include_name,
                "include_object": search.alembic_include_object,
            })
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
    if schema:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
