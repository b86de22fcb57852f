"""The community chat: sending, polling for what is new, older history, rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.chat.models import ChatMessage
from app.communities.models import Membership
from app.extensions import db
from app.mixins import utcnow
from tests.helpers import HX, count_queries, text


def url(community, path=""):
    return f"/c/{community.slug}/chat{path}"


def send(client, community, body, headers=HX):
    return client.post(url(community, "/messages"), data={"body": body}, headers=headers)


def test_send_and_see_it_through_polling(client_as, community):
    member = client_as("member")
    page = text(member.get(url(community, "/")))
    assert 'id="chat-poller"' in page and "after=0" in page
    response = send(member, community, "Коллеги, кто будет на семинаре?")
    assert response.status_code == 200
    assert "chat-sent" in response.headers["HX-Trigger"]
    assert 'id="chat-form"' in text(response)  # a fresh, empty form
    message = db.session.scalar(select(ChatMessage))
    # Another member's poller asks for what came after the last message it has.
    poll = client_as("chair").get(url(community, "/messages?after=0"), headers=HX)
    assert poll.status_code == 200
    body = text(poll)
    assert "Коллеги, кто будет на семинаре?" in body
    assert 'data-hx-swap-oob="beforeend:#chat-messages"' in body
    assert f"after={message.id}" in body  # the new poller continues from there
    nothing = client_as("chair").get(url(community, f"/messages?after={message.id}"), headers=HX)
    assert nothing.status_code == 204


def test_plain_post_redirects_back(client_as, community):
    response = send(client_as("member"), community, "Привет", headers={})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(ChatMessage.id))) == 1


@pytest.mark.parametrize(("body", "message"), [
    ("", "Сообщение не может быть пустым."),
    ("   ", "Сообщение не может быть пустым."),
    ("я" * 2001, "Не больше 2000 символов."),
])
def test_bad_messages_are_refused(client_as, community, body, message):
    response = send(client_as("member"), community, body)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(func.count(ChatMessage.id))) == 0


def test_script_is_harmless(client_as, community):
    send(client_as("member"), community, '<script>alert(1)</script> <img src=x onerror=alert(2)>')
    page = text(client_as("chair").get(url(community, "/")))
    assert "<script>alert(1)" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


def test_muted_member_cannot_write(client_as, people, community):
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == people["member"].id)
    )
    membership.muted_until = utcnow() + timedelta(days=1)
    db.session.commit()
    client = client_as("member")
    response = send(client, community, "Можно?")
    assert response.status_code == 422
    assert "Координатор ограничил вам возможность писать" in text(response)
    assert db.session.scalar(select(func.count(ChatMessage.id))) == 0
    page = text(client.get(url(community, "/")))
    assert "Координатор ограничил вам возможность писать в этом сообществе до" in page


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_non_members_cannot_read_or_write(client_as, community, role):
    client = client_as(role)
    assert client.get(url(community, "/")).status_code == 403
    assert client.get(url(community, "/messages?after=0")).status_code == 403
    assert send(client, community, "Привет").status_code == 403


def test_older_history_on_demand(client_as, people, community):
    author = people["member"]
    db.session.add_all([
        ChatMessage(community_id=community.id, author_id=author.id, body=f"Сообщение {n}",
                    body_html=f"<p>Сообщение {n}</p>")
        for n in range(1, 61)
    ])
    db.session.commit()
    client = client_as("chair")
    page = text(client.get(url(community, "/")))
    assert "Сообщение 60" in page and "Сообщение 11" in page and "Сообщение 10<" not in page
    assert "Показать более ранние сообщения" in page
    first_shown = db.session.scalar(
        select(ChatMessage.id).where(ChatMessage.body == "Сообщение 11")
    )
    older = text(client.get(url(community, f"/messages?before={first_shown}"), headers=HX))
    assert "Сообщение 10<" in older and "Сообщение 1<" in older and "Сообщение 11<" not in older
    assert 'data-hx-swap-oob="afterbegin:#chat-messages"' in older
    assert "Показать более ранние" not in older  # nothing older is left


def test_poll_needs_a_position(client_as, community):
    assert client_as("member").get(url(community, "/messages")).status_code == 400
    assert client_as("member").get(url(community, "/messages?after=abc")).status_code == 400


def test_poll_costs_few_queries(client_as, community):
    client = client_as("member")
    poll = url(community, "/messages?after=0")
    client.get(poll)
    with count_queries() as counter:
        client.get(poll)
    assert counter.count <= 5
