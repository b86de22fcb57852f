from __future__ import annotations

import pytest
from flask import current_app

from app.extensions import db
from app.forum import services
from app.forum.models import Section


@pytest.fixture
def section(people, community):
    with current_app.test_request_context("/"):
        section = services.create_section(
            community, people["coordinator"], title="Управление школой",
            description="Вопросы руководителей", is_announcements=False,
        )
        db.session.commit()
    return section


@pytest.fixture
def announcements(people, community):
    with current_app.test_request_context("/"):
        section = services.create_section(
            community, people["coordinator"], title="Объявления", description="",
            is_announcements=True,
        )
        db.session.commit()
    return section


@pytest.fixture
def make_topic(people):
    def make(section: Section, author=None, title="Тема для обсуждения", body="Начнём.", replies=0):
        author = author or people["member"]
        with current_app.test_request_context("/"):
            topic = services.create_topic(section, author, title=title, body=body)
            for n in range(replies):
                services.reply(topic, people["chair"], f"Ответ номер {n + 1}")
            db.session.commit()
        return topic

    return make
