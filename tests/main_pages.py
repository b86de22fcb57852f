"""The main pages of the app, per role: checked by axe-core in the browser tests and by the
Nu HTML Checker. Each feature issue adds its pages here."""

from __future__ import annotations

import io

from flask import current_app
from werkzeug.datastructures import FileStorage

from app.chat import services as chat
from app.extensions import db
from app.forum import services as forum
from app.materials import services as materials
from app.moderation import services as moderation
from tests.factories import make_join_request, make_user


def main_pages(community, people) -> list[tuple[str, str]]:
    """(role, path) pairs; `role` is a key of the `people` fixture or "anonymous"."""
    applicant = make_user(full_name="Заявителева Полина")
    make_join_request(applicant, community, message="Прошу принять")
    slug = community.slug
    member = people["member"]
    with current_app.test_request_context("/"):
        section = forum.create_section(
            community, people["coordinator"], title="Управление школой",
            description="Вопросы руководителей", is_announcements=False,
        )
        topic = forum.create_topic(
            section, member, title="Расписание на новый учебный год",
            body="Как вы составляете **расписание**?\n\n- вручную\n- в программе",
        )
        answer = forum.reply(
            topic, people["chair"], "> Как вы составляете расписание?\n\nВ программе, потом правим."
        )
        moderation.report(answer, community, people["council"], "spam", "Реклама")
        chat.send(community, member, "Коллеги, **добрый день**!")
        chat.send(community, people["chair"], "Здравствуйте! https://example.org/plan")
        # So that the moderation settings, the word lists and the log have rows to show.
        moderation.add_ground(community, people["coordinator"], "реклама платных курсов")
        moderation.add_word(community, people["coordinator"], "мошенн*", "hold")
        moderation.add_word(None, people["admin"], "казино", "block")
        # The bank: the member's material with a file, so that the list, the material page
        # and «Мои материалы» have a row to show.
        material = materials.create_material(
            community, member, title="Уроки литературы в 10 классе",
            description="Конспекты по роману **«Отцы и дети»**.", type="lesson_plan",
            level="secondary", topics="литература, ФГОС",
            files=[FileStorage(io.BytesIO("Тема: «Отцы и дети».\n".encode()),
                               filename="Конспект урока.txt", content_type="text/plain")],
        )
    db.session.commit()
    forum_url = f"/c/{slug}/forum"
    return [
        ("anonymous", "/"),
        ("anonymous", f"/c/{slug}/"),
        ("anonymous", f"/c/{slug}/charter"),
        ("anonymous", "/auth/login"),
        ("anonymous", "/auth/register"),
        ("anonymous", "/no-such-page"),
        ("outsider", "/"),
        ("outsider", f"/c/{slug}/"),
        ("outsider", f"/c/{slug}/join"),
        ("member", f"/c/{slug}/"),
        ("member", f"/c/{slug}/members"),
        ("member", f"/c/{slug}/forum/"),
        ("member", f"/c/{slug}/materials/"),  # with the material
        ("member", f"/c/{slug}/materials/?q=урок"),
        ("member", f"/c/{slug}/materials/{material.id}"),  # with its file
        ("member", f"/c/{slug}/materials/new"),
        ("member", "/bank/"),
        ("member", "/bank/mine"),
        ("member", f"/c/{slug}/events/"),
        ("member", f"/c/{slug}/leave"),
        ("member", f"/users/{member.id}"),
        ("member", "/profile/edit"),
        ("member", "/profile/password"),
        ("member", "/notifications/"),
        ("member", f"{forum_url}/sections/{section.id}"),
        ("member", f"{forum_url}/topics/{topic.id}"),
        ("member", f"{forum_url}/sections/{section.id}/new-topic"),
        ("member", f"{forum_url}/search?q=расписание"),
        ("member", f"/c/{slug}/chat/"),
        ("member", f"/c/{slug}/moderation/report/post/{answer.id}"),
        ("anonymous", f"/c/{slug}/moderation/rules"),
        ("coordinator", f"{forum_url}/"),
        ("coordinator", f"{forum_url}/topics/{topic.id}"),
        ("coordinator", f"/c/{slug}/materials/{material.id}"),  # with the manager's actions
        ("coordinator", f"/c/{slug}/materials/new"),  # with «on behalf of»
        ("coordinator", f"/c/{slug}/admissions"),
        ("coordinator", f"/c/{slug}/moderation/"),  # with the reported answer and its actions
        ("coordinator", f"/c/{slug}/moderation/settings"),
        ("coordinator", f"/c/{slug}/moderation/words"),
        ("coordinator", f"/c/{slug}/moderation/log"),
        ("chair", f"/c/{slug}/moderation/log"),
        ("coordinator", f"/c/{slug}/moderation/items/post/{answer.id}/remove"),
        ("admin", "/admin/"),
        ("admin", "/admin/communities/new"),
        ("admin", f"/admin/communities/{community.id}/edit"),
        ("admin", f"/admin/communities/{community.id}/roles"),
        ("admin", "/admin/moderation"),
        ("admin", "/admin/words"),
    ]
