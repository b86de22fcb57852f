from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post


@pytest.fixture
def section(people, community):
    with current_app.test_request_context("/"):
        section = forum.create_section(community, people["coordinator"], title="Раздел",
                                       description="", is_announcements=False)
        db.session.commit()
    return section


@pytest.fixture
def post(people, community, section):
    """The member's opening post of a topic."""
    with current_app.test_request_context("/"):
        topic = forum.create_topic(section, people["member"], title="Тема",
                                   body="Спорный текст участника")
        db.session.commit()
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id))


@pytest.fixture
def reply(people, post):
    """The member's reply in that topic."""
    with current_app.test_request_context("/"):
        created = forum.reply(post.topic, people["member"], "Ещё одна спорная реплика")
        db.session.commit()
    return db.session.get(Post, created.id)
