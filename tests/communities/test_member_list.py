"""A community's members list, paged by cursor (app.pagination.keyset): by name, ties on the
name broken by id, former members out."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.communities import services
from app.communities.models import Membership
from app.extensions import db
from app.mixins import utcnow
from tests.factories import make_community
from tests.keyset import (
    assert_bad_positions_give_the_first_page,
    assert_late_page_costs_the_first,
    load_more_href,
    walk,
    walked_ids,
)

_seq = itertools.count(1)


def join(community, name: str, left: bool = False) -> Membership:
    user = User(email=f"crowd{next(_seq)}@school.ru", full_name=name, password_hash="x")
    db.session.add(user)
    db.session.flush()
    membership = Membership(user_id=user.id, community_id=community.id, joined_at=utcnow(),
                            left_at=utcnow() if left else None)
    db.session.add(membership)
    db.session.flush()
    return membership


@pytest.fixture
def crowd(people, community):
    """Over two pages of 50 members, sixty of them with the same name (the page boundaries
    fall among them); members who left and members of another community stay out."""
    for _ in range(60):
        join(community, "Петрова Анна")
    for n in range(45):
        join(community, f"Абрамова Вера {n:02d}" if n % 2 else f"Яковлева Ирина {n:02d}")
    gone = [join(community, "Петрова Анна", left=True).id for _ in range(3)]
    elsewhere = [join(make_community(), "Петрова Анна").id for _ in range(2)]
    db.session.commit()
    expected = [m.id for m in db.session.scalars(services.members_query(community))]
    return expected, gone + elsewhere


def test_show_more_walks_every_member_once_by_name(client_as, community, crowd):
    expected, out = crowd

    bodies = walk(client_as("member"), f"/c/{community.slug}/members")

    assert len(bodies) == 3 and len(expected) > 100
    assert walked_ids(bodies, "membership") == expected
    assert not set(out) & set(walked_ids(bodies, "membership"))


def test_a_late_page_costs_what_the_first_does(client_as, community, crowd):
    client = client_as("member")
    first = f"/c/{community.slug}/members"
    last = load_more_href(walk(client, first)[-2])

    assert_late_page_costs_the_first(client, first, last)


def test_bad_cursors_and_old_page_links_give_the_first_page(client_as, community, crowd):
    assert_bad_positions_give_the_first_page(
        client_as("member"), f"/c/{community.slug}/members", "membership")


def test_ties_on_the_name_are_in_id_order(community, crowd):
    expected, _ = crowd
    names = dict(db.session.execute(select(Membership.id, User.full_name).join(
        User, Membership.user_id == User.id)).all())
    same = [i for i in expected if names[i] == "Петрова Анна"]
    users = dict(db.session.execute(select(Membership.id, Membership.user_id)).all())
    assert [users[i] for i in same] == sorted(users[i] for i in same) and len(same) == 60
