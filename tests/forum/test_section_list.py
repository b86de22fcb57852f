"""A section's topic list, paged by cursor (app.pagination.keyset): pinned first, then the
latest activity; «Показать ещё» walks every visible topic once, in order, ties included."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.forum.models import Topic
from app.mixins import utcnow
from tests.keyset import (
    assert_bad_positions_give_the_first_page,
    assert_late_page_costs_the_first,
    ids_in,
    load_more_href,
    walk,
    walked_ids,
)

NOON = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)


def url(community, path=""):
    return f"/c/{community.slug}/forum{path}"


@pytest.fixture(autouse=True)
def small_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)


def topic(section, author, minutes: int = 0, **kw) -> Topic:
    row = Topic(section_id=section.id, community_id=section.community_id, author_id=author.id,
                title=kw.pop("title", "Тема"), post_count=1,
                last_post_at=NOON + timedelta(minutes=minutes), **kw)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def topics(people, section):
    """Ids in the order a member sees them; a removed topic and another's held one stay out."""
    council = people["council"]
    pinned = [topic(section, council, -60, is_pinned=True) for _ in range(2)]
    newest = topic(section, council, 10)
    ties = [topic(section, council) for _ in range(7)]  # page boundaries fall among these
    topic(section, council, 5, hidden_at=NOON)
    topic(section, council, 5, held_at=NOON)
    older = [topic(section, council, -30 - n) for n in range(3)]
    db.session.commit()
    return ([t.id for t in sorted(pinned, key=lambda t: -t.id)] + [newest.id]
            + sorted((t.id for t in ties), reverse=True) + [t.id for t in older])


def test_show_more_walks_every_visible_topic_once_in_order(client_as, community, section,
                                                           topics):
    bodies = walk(client_as("member"), url(community, f"/sections/{section.id}"))

    assert walked_ids(bodies, "topic") == topics
    assert len(bodies) == 5  # 13 topics, 3 a page


def test_the_held_topic_shows_to_its_author_and_the_removed_to_the_coordinator(
        client_as, people, community, section, topics):
    held = topic(section, people["member"], 5, held_at=NOON)
    db.session.commit()

    mine = walked_ids(walk(client_as("member"), url(community, f"/sections/{section.id}")),
                      "topic")
    everything = walked_ids(
        walk(client_as("coordinator"), url(community, f"/sections/{section.id}")), "topic")

    assert held.id in mine and len(mine) == len(set(mine)) == len(topics) + 1
    assert len(everything) == len(set(everything)) == len(topics) + 3


def test_a_plain_request_of_the_link_renders_the_page_from_there(client_as, community, section,
                                                                 topics):
    client = client_as("member")
    href = load_more_href(walk(client, url(community, f"/sections/{section.id}"))[1])

    page = client.get(href).get_data(as_text=True)

    assert "<html" in page and ids_in(page, "topic") == topics[6:9]
    assert load_more_href(page) is not None


def test_a_late_page_costs_what_the_first_does(client_as, community, section, topics):
    client = client_as("member")
    first = url(community, f"/sections/{section.id}")
    last = load_more_href(walk(client, first)[-2])

    assert_late_page_costs_the_first(client, first, last)


def test_bad_cursors_and_old_page_links_give_the_first_page(client_as, community, section,
                                                            topics):
    assert_bad_positions_give_the_first_page(
        client_as("member"), url(community, f"/sections/{section.id}"), "topic")
