"""A member with something of everything the platform holds about a person, and another
member with content of their own (which must never leak into the first one's export)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import current_app
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.chat import services as chat
from app.events import contests
from app.events import services as events
from app.events.models import ContestEntry, Event
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, Topic
from app.governance.consultations import services as consultations
from app.governance.mentoring import services as mentoring
from app.materials import services as materials
from app.materials.models import Material
from app.mixins import utcnow
from app.moderation import services as moderation
from app.notifications import services as notifications
from tests.helpers import TINY_PDF

MATERIAL_TEXT = "Конспект урока: «Отцы и дети», 10 класс.\n".encode()
ATTACHMENT_PDF = TINY_PDF + b"% attachment of the member\n"
ENTRY_PDF = TINY_PDF + b"% contest entry of the member\n"
OTHERS_SECRET = "Секретный текст другого участника"


@dataclass
class Content:
    topic: Topic  # opened by the member
    post: Post  # the member's reply in it, with a PDF attached
    others_post: Post  # the council member's reply in the same topic
    material: Material  # the member's, with one TXT file
    others_material: Material  # the council member's
    seminar: Event  # tomorrow, one seat: the member has it, the council member waits
    contest: Event
    entry: ContestEntry  # the member's, with one PDF


def pdf(name: str, data: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type="application/pdf")


@pytest.fixture
def content(community, people) -> Content:
    member, council, coordinator = people["member"], people["council"], people["coordinator"]
    with current_app.test_request_context("/"):
        section = forum.create_section(community, coordinator, title="Разговоры",
                                       description="", is_announcements=False)
        topic = forum.create_topic(section, member, title="Тема участницы",
                                   body="Первое сообщение участницы")
        post = forum.reply(topic, member, "Ответ участницы с вложением",
                           files=[pdf("Вложение участницы.pdf", ATTACHMENT_PDF)])
        others_post = forum.reply(topic, council, OTHERS_SECRET + " на форуме")
        chat.send(community, member, "Сообщение участницы в чате")
        chat.send(community, council, OTHERS_SECRET + " в чате")
        material = materials.create_material(
            community, member, title="Материал участницы", description="Описание",
            type="lesson_plan", level="secondary", topics="литература",
            files=[FileStorage(io.BytesIO(MATERIAL_TEXT), filename="Конспект.txt",
                               content_type="text/plain")])
        others_material = materials.create_material(
            community, council, title=OTHERS_SECRET + " в банке", description="",
            type="methodical", level="all",
            files=[FileStorage(io.BytesIO(b"Council's own file\n"), filename="Council.txt",
                               content_type="text/plain")])
        seminar = events.create_event(community, coordinator, events.EventFields(
            title="Семинар завтра", type="seminar", format="offline", place="Зал",
            starts_at=utcnow() + timedelta(days=1),
            ends_at=utcnow() + timedelta(days=1, hours=2), capacity=1))
        events.publish(seminar, coordinator)
        events.sign_up(seminar, community, member)
        events.sign_up(seminar, community, council)
        contest = events.create_event(community, coordinator, events.EventFields(
            title="Конкурс «Урок года»", type="contest", format="online",
            online_url="https://example.org/c", starts_at=utcnow() - timedelta(days=1),
            ends_at=utcnow() + timedelta(days=14),
            entries_deadline=utcnow() + timedelta(days=7)))
        events.publish(contest, coordinator)
        entry = contests.submit_entry(contest, community, member, title="Работа участницы",
                                      files=[pdf("Работа.pdf", ENTRY_PDF)])
        moderation.report(others_post, community, member, "spam", "Жалоба участницы")
        consultation = consultations.ask(community, member, "Вопрос участницы",
                                         "Как составить маршрут?", "online")
        consultations.assign(consultation, community, coordinator, people["expert"])
        today = mentoring.today_in(community)
        mentoring.create_pair(community, coordinator, mentor=council, mentee=member,
                              goal="Цель наставничества", starts_on=today,
                              ends_on=today + timedelta(days=90))
        notifications.notify(member, "reply", "Уведомление для участницы")
        notifications.set_preferences(member, {"reply": "daily"})
    db.session.commit()
    return Content(topic=topic, post=post, others_post=others_post, material=material,
                   others_material=others_material, seminar=seminar, contest=contest,
                   entry=entry)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)
