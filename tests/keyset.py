"""Helpers for the tests of lists paged by cursor (app.pagination.keyset): follow every
«Показать ещё» link as htmx does, and read the rows' ids in order."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from tests.helpers import HX, text

LOAD_MORE = re.compile(
    r'class="load-more">\s*(?:<td[^>]*>\s*)?<a href="([^"]+)" data-hx-get="([^"]+)" '
    r'data-hx-target="closest \.load-more" data-hx-swap="outerHTML"'
)


def load_more_href(body: str) -> str | None:
    """The «Показать ещё» link of a page or rows partial (unescaped), None on the last page.
    Its href and hx-get are the same URL."""
    found = LOAD_MORE.findall(body)
    assert len(found) <= 1, "more than one «Показать ещё»"
    if not found:
        return None
    href, hx_get = found[0]
    assert href == hx_get
    return html.unescape(href)


def walk(client, url: str) -> list[str]:
    """Every page of a list: the plain first page, then each «Показать ещё» link requested
    as htmx requests it (the rows partial, never a full page). Returns the bodies."""
    bodies = [text(client.get(url))]
    assert "<html" in bodies[0]
    while (href := load_more_href(bodies[-1])) is not None:
        assert "after=" in href and "page=" not in href, href
        response = client.get(href, headers=HX)
        assert response.status_code == 200
        bodies.append(text(response))
        assert "<html" not in bodies[-1]
        assert len(bodies) < 200, "the list does not end"
    return bodies


def ids_in(body: str, prefix: str) -> list[int]:
    """The ids of the rows `id="<prefix>-<id>"` in the order shown."""
    return [int(i) for i in re.findall(rf'id="{prefix}-(\d+)"', body)]


def walked_ids(bodies: list[str], prefix: str) -> list[int]:
    return [i for body in bodies for i in ids_in(body, prefix)]


@contextmanager
def capture_sql():
    """The (statement, parameters) run inside the block."""
    captured: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield captured
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def skipped_rows(statement: str, parameters) -> int:
    """How many rows the statement's OFFSET skips; 0 when it has none. SQLAlchemy's SQLite
    dialect writes `LIMIT ? OFFSET ?` for every LIMIT, bound to 0 when the query has no
    offset; PostgreSQL's writes no OFFSET then."""
    found = re.search(r"\bOFFSET\s+(\S+)\s*$", statement, re.IGNORECASE)
    if found is None:
        assert "OFFSET" not in statement.upper(), statement
        return 0
    assert db.engine.dialect.name == "sqlite" and found.group(1) == "?", statement
    return parameters[-1]


def assert_no_offset(captured) -> None:
    """No statement of `captured` skips rows with OFFSET (the list's query included)."""
    assert captured
    for statement, parameters in captured:
        assert skipped_rows(statement, parameters) == 0, statement


def assert_late_page_costs_the_first(client, url: str, late: str) -> None:
    """The plain request of a late page (`late`, an `?after=` link) runs as many queries as
    the first page's, and none of them skips rows with OFFSET."""
    from tests.helpers import count_queries

    client.get(url), client.get(late)  # warm-up: the client's first requests load more
    with count_queries() as first:
        first_response = client.get(url)
    with count_queries() as later, capture_sql() as sql:
        late_response = client.get(late)
    assert first_response.status_code == late_response.status_code == 200
    assert "<html" in text(late_response)  # without JS, a full page from that point
    assert later.count == first.count, "\n\n".join(later.statements)
    assert_no_offset(sql)


def assert_bad_positions_give_the_first_page(client, url: str, prefix: str) -> None:
    """A malformed or tampered cursor, and an old `?page=N` link, show the first page."""
    first = ids_in(text(client.get(url)), prefix)
    joiner = "&" if "?" in url else "?"
    for bad in ("after=garbage", "after=WzEsMiwzXQ.AAAA", "after=", "page=2", "page=x",
                "after=" + "A" * 3000):
        response = client.get(f"{url}{joiner}{bad}")
        assert response.status_code == 200, bad
        assert ids_in(text(response), prefix) == first, bad
        response = client.get(f"{url}{joiner}{bad}", headers=HX)
        assert response.status_code == 200 and "<html" not in text(response), bad
