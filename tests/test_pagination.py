"""app.pagination.keyset: cursor pages over the notifications table (a NOT NULL timestamp
with ties, a nullable one, mixed directions), malformed cursors, and no OFFSET in the SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mixins import utcnow
from app.notifications.models import Notification
from app.pagination import CURSOR_ARG, keyset
from tests import factories
from tests.helpers import count_queries
from tests.keyset import assert_no_offset, capture_sql

NOON = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def user(app):
    return factories.make_user()


def add(user, n: int, created_at=NOON, read_at=None) -> list[int]:
    rows = [Notification(user_id=user.id, kind="reply", text=f"№ {i}", created_at=created_at,
                         read_at=read_at) for i in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def of(user):
    return select(Notification).where(Notification.user_id == user.id)


def walk(query, order, per_page: int) -> list[int]:
    """Every page, each after the previous page's cursor; the ids in the order shown."""
    seen, cursor = [], ""
    for _ in range(100):
        page = keyset(query, order, per_page, after=cursor)
        assert len(page.items) <= per_page
        seen += [n.id for n in page.items]
        if not page.has_next:
            assert page.after is None
            return seen
        assert page.items, "a next page after an empty one"
        cursor = page.after
    pytest.fail("the pages do not end")


def everything(query, order) -> list[int]:
    return [n.id for n in db.session.scalars(query.order_by(None).order_by(*order))]


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 7])
def test_equal_timestamps_across_page_boundaries_are_neither_skipped_nor_repeated(user,
                                                                                 per_page):
    later = add(user, 2, created_at=NOON + timedelta(minutes=5))
    ties = add(user, 7)  # every page boundary of these falls between equal timestamps
    earlier = add(user, 2, created_at=NOON - timedelta(minutes=5))
    order = (Notification.created_at.desc(), Notification.id.desc())

    shown = walk(of(user), order, per_page)

    assert shown == sorted(later, reverse=True) + sorted(ties, reverse=True) + \
        sorted(earlier, reverse=True)
    assert shown == everything(of(user), order)


def test_mixed_directions(user):
    add(user, 4, created_at=NOON + timedelta(minutes=1))
    add(user, 5)
    add(user, 3, created_at=NOON - timedelta(minutes=1))
    order = (Notification.created_at.asc(), Notification.id.desc())

    shown = walk(of(user), order, 2)

    assert shown == everything(of(user), order) and len(shown) == 12


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_a_nullable_column_sorts_its_nulls_last_and_pages_through_them(user, direction):
    unread = add(user, 5)
    read_late = add(user, 3, read_at=NOON + timedelta(hours=1))
    read_early = add(user, 3, read_at=NOON)
    column = getattr(Notification.read_at, direction)()
    first, then = (read_late, read_early) if direction == "desc" else (read_early, read_late)

    shown = walk(of(user), (column, Notification.id.desc()), 2)

    assert shown == sorted(first, reverse=True) + sorted(then, reverse=True) + \
        sorted(unread, reverse=True)


def test_the_order_must_end_with_the_primary_key(user):
    with pytest.raises(ValueError):
        keyset(of(user), (Notification.created_at.desc(),), 3, after="")


def valid_cursor(user) -> str:
    return keyset(of(user), (Notification.id.desc(),), 3, after="").after


@pytest.mark.parametrize("spoil", [
    lambda c: "garbage",
    lambda c: "%%%",
    # The signature's first character altered (its last one holds padding bits too).
    lambda c: c.replace("." + c.split(".")[1][0], "." + ("A" if c.split(".")[1][0] != "A"
                                                         else "B"), 1),
    lambda c: "WzEsMiwzXQ." + c.split(".", 1)[1],  # another payload, the old signature
    lambda c: c.split(".", 1)[0],  # the payload alone
    lambda c: "x" * 5000,
])
def test_a_malformed_or_tampered_cursor_gives_the_first_page(user, spoil):
    add(user, 8)
    first = keyset(of(user), (Notification.id.desc(),), 3, after="")

    page = keyset(of(user), (Notification.id.desc(),), 3, after=spoil(valid_cursor(user)))

    assert page.is_first and [n.id for n in page.items] == [n.id for n in first.items]


def test_a_cursor_of_another_ordering_gives_the_first_page(user):
    add(user, 8)
    by_date = (Notification.created_at.desc(), Notification.id.desc())
    first = keyset(of(user), by_date, 3, after="")

    page = keyset(of(user), by_date, 3, after=valid_cursor(user))

    assert page.is_first and page.items == first.items


def test_the_cursor_is_url_safe_and_the_next_link_drops_the_old_position(user):
    add(user, 8)
    page = keyset(of(user), (Notification.id.desc(),), 3, after="")
    assert page.after and set(page.after) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert page.next_args({"sort": "new", "page": "4", CURSOR_ARG: "old"}) == {
        "sort": "new", CURSOR_ARG: page.after}


def test_a_late_page_is_one_query_without_offset(user):
    add(user, 60)
    order = (Notification.created_at.desc(), Notification.id.desc())
    query, cursor = of(user), ""
    for _ in range(10):  # the eleventh page of four
        cursor = keyset(query, order, 4, after=cursor).after

    with count_queries() as first:
        keyset(query, order, 4, after="")
    with count_queries() as late, capture_sql() as sql:
        page = keyset(query, order, 4, after=cursor)

    assert len(page.items) == 4 and page.has_next
    assert first.count == late.count == 1
    assert "LIMIT" in late.statements[0].upper()
    assert_no_offset(sql)
