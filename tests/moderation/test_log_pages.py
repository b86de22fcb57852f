"""The moderation log, paged by cursor (app.pagination.keyset): newest first, every entry of
the community once, the filters kept in «Показать ещё»."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.mixins import utcnow
from app.moderation.models import ModerationLog
from tests.factories import make_community
from tests.keyset import (
    assert_bad_positions_give_the_first_page,
    assert_late_page_costs_the_first,
    load_more_href,
    walk,
    walked_ids,
)


def log_url(community, query=""):
    return f"/c/{community.slug}/moderation/log{query}"


@pytest.fixture
def entries(people, community):
    """120 entries of the community at the same second (warnings and removals), and some of
    another community's."""
    now = utcnow()
    rows = [ModerationLog(community_id=community.id, moderator_id=people["coordinator"].id,
                          action="warn" if n % 3 else "remove", created_at=now,
                          comment=f"Запись {n}") for n in range(120)]
    other = make_community()
    rows += [ModerationLog(community_id=other.id, action="warn",
                           created_at=now - timedelta(days=1)) for _ in range(5)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_show_more_walks_the_whole_log_newest_first(client_as, community, entries):
    bodies = walk(client_as("coordinator"), log_url(community))

    mine = [e.id for e in entries if e.community_id == community.id]
    assert len(bodies) == 3
    assert walked_ids(bodies, "moderation-log") == sorted(mine, reverse=True)


def test_the_filter_stays_in_the_link(client_as, community, entries):
    bodies = walk(client_as("chair"), log_url(community, "?action=warn"))

    warned = [e.id for e in entries if e.community_id == community.id and e.action == "warn"]
    assert walked_ids(bodies, "moderation-log") == sorted(warned, reverse=True)
    assert all("action=warn" in load_more_href(body) for body in bodies[:-1])


def test_a_late_page_costs_what_the_first_does(client_as, community, entries):
    client = client_as("coordinator")
    last = load_more_href(walk(client, log_url(community))[-2])

    assert_late_page_costs_the_first(client, log_url(community), last)


def test_bad_cursors_and_old_page_links_give_the_first_page(client_as, community, entries):
    assert_bad_positions_give_the_first_page(client_as("coordinator"), log_url(community),
                                             "moderation-log")
