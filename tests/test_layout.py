"""The layout's cached parts (app/layout.py) show each reader what is true now."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.communities.models import Membership, Role
from app.extensions import db
from app.notifications.services import notify
from tests.factories import make_community, make_membership
from tests.helpers import text


def header(html: str) -> str:
    return html[html.index('<header class="site-header">'):html.index("</header>")]


def community_header(html: str) -> str:
    return html[html.index('<header class="community-header">'):]


def logout_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', header(html)).group(1)


def test_each_reader_gets_their_own_profile_link_and_token(app, people, community):
    member, council = people["member"], people["council"]
    page = f"/c/{community.slug}/"
    first = text(app.test_client(user=member).get(page))
    second = text(app.test_client(user=council).get(page))
    assert f'href="/users/{member.id}"' in header(first)
    assert f'href="/users/{council.id}"' in header(second)
    assert f'href="/users/{member.id}"' not in header(second)
    assert "987654321" not in first + second
    assert logout_token(first) != logout_token(second)
    # The token in the logout form is the session's own: logging out with it works.
    client = app.test_client(user=member)
    html = text(client.get(page))
    response = client.post("/auth/logout", data={"csrf_token": logout_token(html)})
    assert response.status_code in (302, 303)


def test_guest_header_has_no_logout(client_as, community):
    html = text(client_as("anonymous").get(f"/c/{community.slug}/"))
    assert "Войти" in header(html) and "Выйти" not in header(html)


def test_bell_count_follows_the_notifications(app, people, community):
    member = people["member"]
    client = app.test_client(user=member)
    assert '<span class="count"' not in header(text(client.get("/communities/")))
    notify(member, "admission", "Вас приняли")
    notify(member, "admission", "Вас назначили")
    db.session.commit()
    assert '<span class="count" aria-hidden="true">2</span>' in header(
        text(client.get("/communities/")))
    # Another reader sees their own count, not the member's.
    other = people["outsider"]
    assert other.unread_notifications != 2
    html = header(text(app.test_client(user=other).get("/communities/")))
    assert '<span class="count" aria-hidden="true">2</span>' not in html
    assert ('<span class="count"' in html) == bool(other.unread_notifications)


def test_admin_link_only_for_administrators(client_as, community):
    assert "Администрирование" in header(text(client_as("admin").get("/communities/")))
    assert "Администрирование" not in header(text(client_as("member").get("/communities/")))


def test_community_header_follows_renames_roles_and_the_current_tab(app, people, community):
    member = people["member"]
    client = app.test_client(user=member)
    forum = community_header(text(client.get(f"/c/{community.slug}/forum/")))
    assert "Модерация" not in forum
    assert re.search(r'href="[^"]*/forum/" aria-current="page">Форум', forum)
    bank = community_header(text(client.get(f"/c/{community.slug}/materials/")))
    assert re.search(r'href="[^"]*/materials/" aria-current="page">Методический банк', bank)
    assert 'aria-current="page">Форум' not in bank

    community.name = "Переименованное сообщество"
    db.session.commit()
    assert "<h1>Переименованное сообщество</h1>" in community_header(
        text(client.get(f"/c/{community.slug}/forum/")))

    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == member.id, Membership.community_id == community.id,
        Membership.left_at.is_(None)))
    membership.role = Role.COORDINATOR
    db.session.commit()
    assert "Модерация" in community_header(text(client.get(f"/c/{community.slug}/forum/")))


def test_child_community_names_its_parent(app, people, community):
    child = make_community(name="Районное сообщество", parent_id=community.id)
    make_membership(people["member"], child)
    html = community_header(text(app.test_client(user=people["member"]).get(
        f"/c/{child.slug}/")))
    assert f'/c/{community.slug}/">{community.name}</a>' in html
    community.name = "Новое имя родителя"
    db.session.commit()
    html = community_header(text(app.test_client(user=people["member"]).get(
        f"/c/{child.slug}/")))
    assert "Новое имя родителя</a>" in html
