"""A page view writes nothing but the reader's own read position, and nothing at all when
that has not moved (issue 10): no view counters, no «last seen», no session bookkeeping in
the database. Checked over every main page of every role (tests/main_pages.py)."""

from __future__ import annotations

from tests.helpers import count_queries
from tests.main_pages import main_pages

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_of(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(WRITES)]


def test_page_views_write_only_the_read_position(app, client_as, people, community):
    pages = main_pages(community, people)
    assert len(pages) > 50
    first_views: dict[str, list[str]] = {}
    for role, path in pages:
        client = client_as(role)
        with count_queries() as first:
            response = client.get(path)
        assert response.status_code in (200, 404), (role, path, response.status_code)
        written = writes_of(first.statements)
        if written:
            first_views[f"{role} {path}"] = written
        with count_queries() as again:
            client.get(path)
        assert writes_of(again.statements) == [], f"{role} {path} writes on a second view"
    # The first view writes only the reader's position in a topic, and only on topic pages.
    for page, statements in first_views.items():
        assert "/forum/topics/" in page, page
        assert all("forum_topic_reads" in s for s in statements), (page, statements)
