"""The main pages of the app, per role: checked by axe-core in the browser tests and by the
Nu HTML Checker. Each feature issue adds its pages here."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import current_app
from werkzeug.datastructures import FileStorage

from app.chat import services as chat
from app.events import certificates, contests
from app.events import services as events
from app.extensions import db
from app.forum import services as forum
from app.materials import services as materials
from app.mixins import utcnow
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
        # Events: one with a seat limit, the member signed up and the council member waiting;
        # one that has taken place with the member's attendance marked.
        seminar = events.create_event(community, people["coordinator"], events.EventFields(
            title="Семинар «Функциональная грамотность»", type="seminar", format="mixed",
            place="Актовый зал", online_url="https://example.org/room",
            starts_at=utcnow() + timedelta(days=3),
            ends_at=utcnow() + timedelta(days=3, hours=2), capacity=1, hours=3,
            description="Программа: **задания PISA**."))
        events.publish(seminar, people["coordinator"])
        events.sign_up(seminar, community, member)
        events.sign_up(seminar, community, people["council"])
        past = events.create_event(community, people["coordinator"], events.EventFields(
            title="Мастер-класс «Проекты»", type="master_class", format="offline",
            place="Кабинет 204", starts_at=utcnow() - timedelta(days=3),
            ends_at=utcnow() - timedelta(days=3, hours=-2), hours=2))
        events.publish(past, people["coordinator"])
        came = events.sign_up(past, community, member, added_by=people["coordinator"])
        events.mark_attendance(came, past, people["coordinator"], True)
        certificate = certificates.issue(past, community, member)
        # A contest with a criterion, the expert on its jury, and the member's scored entry.
        contest = events.create_event(community, people["coordinator"], events.EventFields(
            title="Конкурс «Урок года»", type="contest", format="online",
            online_url="https://example.org/contest", starts_at=utcnow() - timedelta(days=1),
            ends_at=utcnow() + timedelta(days=14),
            entries_deadline=utcnow() + timedelta(days=7)))
        events.publish(contest, people["coordinator"])
        criterion = contests.add_criterion(contest, community, people["coordinator"],
                                           "Оригинальность", 10)
        contests.appoint_juror(contest, community, people["coordinator"], people["expert"].id)
        entry = contests.submit_entry(
            contest, community, member, title="Урок-исследование",
            description="Урок в **5 классе**.",
            files=[FileStorage(io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
                               filename="Конспект.pdf", content_type="application/pdf")])
        contests.score_entry(entry, contest, people["expert"], {criterion.id: 8})
        # Personal data: an export in the administrators' log and a deleted account.
        from app.privacy import services as privacy
        from app.privacy.models import DataRequest

        db.session.add(DataRequest(user_id=member.id, kind="export", status="done",
                                   finished_at=utcnow(), detail="файлов: 2, записей: 40"))
        deleted = make_user(full_name="Бывшая Участница")
        privacy.delete_account(deleted)
    db.session.commit()
    letter, unsubscribe = _mail_pages(member)
    forum_url = f"/c/{slug}/forum"
    core = [
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
        ("member", f"/c/{slug}/events/?show=past"),
        ("member", f"/c/{slug}/events/{seminar.id}"),  # signed up
        ("council", f"/c/{slug}/events/{seminar.id}"),  # on the waiting list
        ("member", f"/c/{slug}/events/{past.id}"),  # attended: the certificate
        ("coordinator", f"/c/{slug}/events/{seminar.id}"),  # with the organiser's tools
        ("coordinator", f"/c/{slug}/events/new"),
        ("coordinator", f"/c/{slug}/events/{seminar.id}/edit"),
        ("coordinator", f"/c/{slug}/events/{seminar.id}/participants"),
        ("coordinator", f"/c/{slug}/events/{past.id}/participants"),
        ("coordinator", f"/c/{slug}/events/{seminar.id}/message"),
        ("coordinator", f"/c/{slug}/events/{seminar.id}/cancel"),
        ("member", "/calendar/"),
        ("member", f"/calendar/?month={utcnow() + timedelta(days=3):%Y-%m}"),  # the seminar
        ("member", "/calendar/upcoming"),  # signed up
        ("member", "/calendar/feeds"),
        ("member", "/certificates/mine"),
        ("member", f"/c/{slug}/events/{contest.id}"),
        ("expert", f"/c/{slug}/events/{contest.id}"),
        ("coordinator", f"/c/{slug}/events/{contest.id}"),
        ("chair", f"/c/{slug}/events/{contest.id}/entries/new"),
        ("member", f"/c/{slug}/events/{contest.id}/entries/{entry.id}"),
        ("expert", f"/c/{slug}/events/{contest.id}/scoring"),
        ("coordinator", f"/c/{slug}/events/{contest.id}/criteria"),
        ("coordinator", f"/c/{slug}/events/{contest.id}/jury"),
        ("coordinator", f"/c/{slug}/events/{contest.id}/ranking"),
        ("anonymous", "/certificates/verify"),
        ("anonymous", f"/certificates/verify?code={certificate.code}"),
        ("coordinator", "/calendar/"),
        ("outsider", "/calendar/"),  # in no community
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
        ("member", "/notifications/settings"),
        ("anonymous", unsubscribe),
        ("admin", "/admin/outbox/"),
        ("admin", letter),
        ("anonymous", "/privacy"),
        ("member", "/profile/data"),
        ("member", "/profile/delete"),
        ("coordinator", "/profile/delete"),  # refused: the only coordinator
        ("admin", "/admin/data-requests"),  # the export and the deletion
        ("member", f"/users/{deleted.id}"),  # «Удалённый участник»
    ]
    return core + governance_pages(community, people)


GOVERNANCE_PARTS = ("plans", "meetings", "reports", "elections", "groups", "consultations",
                    "mentoring", "dashboard")


def governance_pages(community, people) -> list[tuple[str, str]]:
    """Each governance part lists its own pages in tests/governance/pages_<part>.py."""
    from importlib import import_module

    pages: list[tuple[str, str]] = []
    for part in GOVERNANCE_PARTS:
        pages += import_module(f"tests.governance.pages_{part}").pages(community, people)
    return pages


def _mail_pages(member) -> tuple[str, str]:
    """A letter to `member` delivered to the outbox folder: its page, and the page its
    unsubscribe link opens."""
    from urllib.parse import urlsplit

    from app.notifications.mail import deliver_pending
    from app.notifications.models import OutgoingMail
    from app.notifications.services import notify

    notify(member, "moderation", "Ваш материал «Уроки литературы» опубликован.", "/")
    db.session.commit()
    letter = db.session.scalar(db.select(OutgoingMail).where(
        OutgoingMail.user_id == member.id).order_by(OutgoingMail.id.desc()))
    deliver_pending()
    return f"/admin/outbox/{letter.id:08d}.eml", urlsplit(letter.unsubscribe_url).path
