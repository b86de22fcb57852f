"""Test helpers: htmx headers, a query counter."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db

HX = {"HX-Request": "true"}


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block (Indico's engine-event counter)."""
    counter = QueryCounter()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            counter.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def text(response) -> str:
    return response.get_data(as_text=True)
