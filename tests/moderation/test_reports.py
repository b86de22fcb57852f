"""«Пожаловаться» on posts and chat messages; the rules page."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.chat import services as chat
from app.extensions import db
from app.forum import services as forum
from app.moderation.grounds import GROUNDS
from app.moderation.models import Report
from tests.helpers import text


@pytest.fixture
def chair_post(people, community):
    with current_app.test_request_context("/"):
        section = forum.create_section(community, people["coordinator"], title="Раздел",
                                       description="", is_announcements=False)
        topic = forum.create_topic(section, people["chair"], title="Тема", body="Спорный текст")
        db.session.commit()
    from app.forum.models import Post

    return db.session.scalar(select(Post).where(Post.topic_id == topic.id))


@pytest.fixture
def chat_message(people, community):
    message = chat.send(community, people["chair"], "Реплика в чате")
    db.session.commit()
    return message


def reports() -> int:
    return db.session.scalar(select(func.count(Report.id)))


def test_rules_page_lists_the_grounds(client, community):
    page = text(client.get(f"/c/{community.slug}/moderation/rules"))
    for key, label in GROUNDS.items():
        if key not in ("spam", "other"):
            assert label in page


def test_report_a_post_is_idempotent(client_as, community, chair_post):
    client = client_as("member")
    page = text(client.get(f"/c/{community.slug}/forum/topics/{chair_post.topic_id}"))
    assert f"/moderation/report/post/{chair_post.id}" in page
    form = text(client.get(f"/c/{community.slug}/moderation/report/post/{chair_post.id}"))
    assert "Спорный текст" in form and "политическая пропаганда" in form
    for _ in range(2):
        response = client.post(f"/c/{community.slug}/moderation/report/post/{chair_post.id}",
                               data={"ground": "insult"})
        assert response.status_code == 303
    assert reports() == 1
    queue = text(client_as("coordinator").get(f"/c/{community.slug}/moderation/"))
    assert "оскорбление участников" in queue and "Спорный текст" in queue


def test_report_a_chat_message(client_as, community, chat_message):
    response = client_as("member").post(
        f"/c/{community.slug}/moderation/report/chat_message/{chat_message.id}",
        data={"ground": "spam"},
    )
    assert response.status_code == 303
    assert "/chat/" in response.headers["Location"]
    assert db.session.scalar(select(Report.kind)) == "chat_message"


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Выберите основание жалобы."),
    ({"ground": "nonsense"}, "Выберите значение из списка."),
    ({"ground": "other", "comment": " "}, "для основания «другое» нужен комментарий"),
    ({"ground": "spam", "comment": "я" * 1001}, "Не больше 1000 символов."),
])
def test_bad_reports(client_as, community, chair_post, data, message):
    response = client_as("member").post(
        f"/c/{community.slug}/moderation/report/post/{chair_post.id}", data=data
    )
    assert response.status_code == 422
    assert message in text(response)
    assert reports() == 0


def test_own_post_cannot_be_reported(client_as, community, chair_post):
    response = client_as("chair").post(
        f"/c/{community.slug}/moderation/report/post/{chair_post.id}", data={"ground": "spam"},
        follow_redirects=True,
    )
    assert "Нельзя пожаловаться на собственное сообщение." in text(response)
    assert reports() == 0


@pytest.mark.parametrize("path", ["/post/99999", "/unknown/1"])
def test_unknown_items_are_404(client_as, community, path):
    response = client_as("member").get(f"/c/{community.slug}/moderation/report{path}")
    assert response.status_code == 404


def test_outsiders_cannot_report(client_as, community, chair_post):
    response = client_as("outsider").post(
        f"/c/{community.slug}/moderation/report/post/{chair_post.id}", data={"ground": "spam"}
    )
    assert response.status_code == 403
    assert reports() == 0
