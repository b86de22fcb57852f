"""The demo seed of personal data: two exports in the log, and a former member deleted
through the real service, whose forum post and chat message show «Удалённый участник»."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.chat.models import ChatMessage
from app.demo import privacy
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post
from app.privacy.models import DataRequest
from tests.factories import make_community, make_membership, make_user
from tests.helpers import text


def test_the_demo_seed(app):
    community = make_community()
    people = {key: make_user(full_name=name) for key, name in (
        ("coordinator", "Координаторова Ирина"), ("member", "Участникова Анна"),
        ("member2", "Участников Борис"))}
    make_membership(people["coordinator"], community, "coordinator")
    make_membership(people["member"], community)
    make_membership(people["member2"], community)
    with current_app.test_request_context("/"):
        section = forum.create_section(community, people["coordinator"], title="Разговоры",
                                       description="", is_announcements=False)
        topic = forum.create_topic(section, people["member"], title="Наставничество",
                                   body="Как вы работаете с молодыми учителями?")
        privacy.seed(people)
        db.session.commit()
        privacy.seed(people)  # once only
        db.session.commit()
    rows = {(r.kind, r.status) for r in db.session.scalars(select(DataRequest))}
    assert rows == {("export", "done"), ("export", "failed"), ("deletion", "done")}
    former = db.session.scalar(select(User).where(User.deleted_at.is_not(None)))
    assert former.full_name == "Удалённый участник"
    assert db.session.scalar(User.by_email(privacy.FORMER_EMAIL)) is None  # the address is free
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == former.id)) == 1
    assert db.session.scalar(select(func.count(ChatMessage.id)).where(
        ChatMessage.author_id == former.id)) == 1
    db.session.refresh(community)
    assert community.member_count == 3  # she joined and left
    viewer = app.test_client(user=people["member"])
    body = text(viewer.get(f"/c/{community.slug}/forum/topics/{topic.id}"))
    assert "Удалённый участник" in body and "открытый урок" in body
    assert "Фёдорова" not in body
