"""The bank's list when not searching, paged by cursor (app.pagination.keyset): each sort
walks every material the viewer may see once, in order, ties included, filters kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.materials import routes
from app.materials.models import Material, MaterialStatus
from app.mixins import utcnow
from tests.factories import make_community, make_membership
from tests.keyset import (
    assert_bad_positions_give_the_first_page,
    assert_late_page_costs_the_first,
    load_more_href,
    walk,
    walked_ids,
)

NOON = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
ORDERS = {
    "new": lambda m: (-m.created_at.timestamp(), -m.id),
    "downloads": lambda m: (-m.download_count, -m.id),
    "best": lambda m: (not m.is_best_practice, -m.created_at.timestamp(), -m.id),
}


def url(community, path=""):
    return f"/c/{community.slug}/materials{path}"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(routes, "PER_PAGE", 3)


def material(community, author, minutes: int = 0, **kw) -> Material:
    row = Material(community_id=community.id, author_id=author.id,
                   title=kw.pop("title", "Материал"),
                   created_at=NOON + timedelta(minutes=minutes), **kw)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def shelf(people, community):
    """(visible to the member, not visible): ties on the date and on the downloads across
    page boundaries, best practices among them, the member's own pending material."""
    council, member = people["council"], people["member"]
    visible = [material(community, council, minutes=n % 3, download_count=n % 2,
                        is_best_practice=n % 4 == 0) for n in range(11)]
    visible.append(material(community, member, 1, status=MaterialStatus.PENDING))
    hidden = [
        material(community, council, 1, status=MaterialStatus.PENDING),
        material(community, council, 1, hidden_at=NOON, is_best_practice=True),
        material(community, council, 1, held_at=NOON, download_count=5),
    ]
    db.session.commit()
    return visible, [m.id for m in hidden]


@pytest.mark.parametrize("sort", ["new", "downloads", "best"])
def test_show_more_walks_every_visible_material_once_in_order(client_as, community, shelf,
                                                              sort):
    visible, hidden = shelf
    bodies = walk(client_as("member"), url(community, f"/?sort={sort}"))

    assert walked_ids(bodies, "material") == [m.id for m in sorted(visible, key=ORDERS[sort])]
    assert not set(hidden) & set(walked_ids(bodies, "material"))
    assert all(f"sort={sort}" in load_more_href(body) for body in bodies[:-1])


def test_filters_stay_in_the_link(client_as, people, community, shelf):
    visible, _ = shelf
    presentations = [material(community, people["council"], n % 2, type="presentation")
                     for n in range(7)]
    db.session.commit()

    bodies = walk(client_as("member"), url(community, "/?type=presentation&sort=new"))

    assert walked_ids(bodies, "material") == [
        m.id for m in sorted(presentations, key=ORDERS["new"])]
    assert all("type=presentation" in load_more_href(body) for body in bodies[:-1])


def test_the_bank_of_all_my_communities_walks_them_together(client_as, people, community,
                                                            shelf):
    visible, _ = shelf
    other = make_community()
    make_membership(people["member"], other)
    elsewhere = [material(other, people["council"], n) for n in range(-2, 3)]
    not_mine = make_community()
    material(not_mine, people["council"])
    db.session.commit()

    bodies = walk(client_as("member"), "/bank/?sort=new")

    assert walked_ids(bodies, "material") == [
        m.id for m in sorted(visible + elsewhere, key=ORDERS["new"])]


@pytest.mark.parametrize("sort", ["new", "downloads", "best"])
def test_a_late_page_costs_what_the_first_does(client_as, community, shelf, sort):
    client = client_as("member")
    first = url(community, f"/?sort={sort}")
    last = load_more_href(walk(client, first)[-2])

    assert_late_page_costs_the_first(client, first, last)


def test_bad_cursors_and_old_page_links_give_the_first_page(client_as, community, shelf):
    assert_bad_positions_give_the_first_page(
        client_as("member"), url(community, "/?sort=downloads"), "material")
