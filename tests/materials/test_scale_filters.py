"""The bank's author filter at a regional community's size: no list of every member."""

from __future__ import annotations

from app.communities.models import Community
from app.extensions import db
from app.materials import routes
from tests.helpers import text


def test_no_author_list_in_a_large_community(client_as, people, community, monkeypatch):
    page = text(client_as("member").get(f"/c/{community.slug}/materials/"))
    assert 'name="author"' in page and people["chair"].full_name in page
    monkeypatch.setattr(routes, "AUTHOR_LIST_MAX", 3)  # the community has more members
    assert db.session.get(Community, community.id).member_count > 3
    page = text(client_as("member").get(f"/c/{community.slug}/materials/"))
    assert 'name="author"' not in page
    # an author's link still filters, and the list shows that one author
    page = text(client_as("member").get(
        f"/c/{community.slug}/materials/?author={people['chair'].id}"))
    assert 'name="author"' in page
    assert f'<option selected value="{people["chair"].id}">' in page
    assert people["council"].full_name not in page.split('name="author"')[1].split("</select>")[0]
