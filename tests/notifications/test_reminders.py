"""`send_reminders()`: events tomorrow, the plan's and the report's due dates, moderation.

The job is given its `now`: a fixed day of next year (always in the future, so that sign-ups
for the events stay open), 09:00 UTC unless said otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import delete, func, select

from app.communities.models import Community, Role
from app.events import services as events
from app.events.models import Event, Registration, RegistrationStatus
from app.extensions import db
from app.governance.reports import services as reports
from app.mixins import utcnow
from app.moderation.models import ModerationCase
from app.notifications.models import Notification, OutgoingMail, ReminderSent
from app.notifications.reminders import event_reminder_text, send_reminders
from app.notifications.services import set_preferences
from tests.events.conftest import make_event, sign_up
from tests.factories import make_community, make_membership, make_user
from tests.governance.pages_plans import make_plan, vote
from tests.helpers import count_queries

Y = utcnow().year + 1  # the job runs in this year
NBSP = "\u00a0"
FULL_REPORT = {
    "goals": "Повысить управленческие компетенции руководителей.",
    "results": "Проведены семинары.",
    "problems": "Низкая явка.",
    "next_tasks": "Продолжить работу.",
    "proposals": "",
}


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = Y) -> datetime:
    """A naive UTC time, as the job takes it."""
    return datetime(year, month, day, hour, minute)


NOW = at(11, 20)  # 12:00 in Moscow, 14:00 in Yekaterinburg


def run(now: datetime = NOW) -> dict[str, int]:
    """The job as `flask send-reminders` runs it: in a request context, then a commit."""
    with current_app.test_request_context("/"):
        counts = send_reminders(now)
        db.session.commit()
    return counts


def notes(user, contains: str = "") -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.text.contains(contains))
        .order_by(Notification.id)))


def texts(user, contains: str) -> list[str]:
    return [n.text for n in notes(user, contains)]


def when(note: Notification) -> str:
    """«Завтра, 21 ноября 2027 г. в 14:00» of an event reminder."""
    return note.text.split(": «")[0]


def total_notifications() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


def event_page(community, event) -> str:
    return f"/c/{community.slug}/events/{event.id}"


def seminar(community, people, starts_at: datetime, **kw) -> Event:
    return make_event(community, people["coordinator"], starts_at=starts_at, **kw)


def cancel_sign_up(event, community, user) -> None:
    with current_app.test_request_context("/"):
        registration = events.registration_of(event, user)
        events.cancel_registration(registration, event, community, user)
        db.session.commit()


def set_dues(community, **dues) -> None:
    """plan=(month, day) and/or report=(month, day)."""
    community = db.session.get(Community, community.id)
    if "plan" in dues:
        community.plan_due_month, community.plan_due_day = dues["plan"]
    if "report" in dues:
        community.report_due_month, community.report_due_day = dues["report"]
    db.session.commit()


# --- the text of an event reminder ---------------------------------------------------------


@pytest.mark.parametrize(("tz", "fmt", "place", "link", "expected"), [
    ("Europe/Moscow", "offline", "Тула, ул. Ленина, 1", "",
     f"Завтра, 23 ноября 2026{NBSP}г. в 14:00: «Семинар» (Тула, ул. Ленина, 1)"),
    ("Asia/Yekaterinburg", "online", "", "https://meet.example.ru/x",
     f"Завтра, 23 ноября 2026{NBSP}г. в 16:00: «Семинар» (https://meet.example.ru/x)"),
    ("Europe/Moscow", "mixed", "Актовый зал", "https://meet.example.ru/x",
     f"Завтра, 23 ноября 2026{NBSP}г. в 14:00: «Семинар» "
     "(Актовый зал; https://meet.example.ru/x)"),
])
def test_the_event_reminder_says_when_and_where_in_the_communitys_zone(
        app, tz, fmt, place, link, expected):
    event = Event(title="Семинар", format=fmt, place=place, online_url=link,
                  starts_at=datetime(2026, 11, 23, 11, 0))
    assert event_reminder_text(event, Community(timezone=tz)) == expected


# --- events tomorrow -----------------------------------------------------------------------


def test_confirmed_participants_of_tomorrows_event_are_reminded_once(community, people):
    event = seminar(community, people, at(11, 21, 11), capacity=2)
    sign_up(event, community, people["expert"])
    cancel_sign_up(event, community, people["expert"])  # cancelled: not reminded
    for who in ("member", "council", "chair"):  # the chair is third: the waiting list
        sign_up(event, community, people[who])
    assert db.session.scalar(select(Registration.status).where(
        Registration.user_id == people["chair"].id)) == RegistrationStatus.WAITLISTED

    assert run()["events_tomorrow"] == 2
    expected = (f"Завтра, 21 ноября {Y}{NBSP}г. в 14:00: «Семинар «Функциональная "
                "грамотность»» (Тула, ул. Ленина, 1, актовый зал)")
    for who in ("member", "council"):
        (note,) = notes(people[who], "Завтра, ")
        assert (note.text, note.url, note.kind) == (expected, event_page(community, event),
                                                    "event")
    for who in ("expert", "chair", "coordinator", "outsider", "admin"):
        assert notes(people[who], "Завтра, ") == []  # the organiser is not a participant

    before = total_notifications()
    assert run()["events_tomorrow"] == 0
    assert run(NOW + timedelta(hours=5))["events_tomorrow"] == 0
    assert total_notifications() == before
    assert db.session.scalar(select(func.count()).select_from(ReminderSent).where(
        ReminderSent.key.like(f"event-tomorrow:{event.id}:%"))) == 2


def test_events_that_are_not_tomorrow_or_not_on_are_not_reminded(community, people):
    member = people["member"]
    today = seminar(community, people, NOW + timedelta(hours=3), title="Сегодня")
    after = seminar(community, people, at(11, 22, 11), title="Послезавтра")
    cancelled = seminar(community, people, at(11, 21, 11), title="Отменённое")
    for event in (today, after, cancelled):
        sign_up(event, community, member)
    with current_app.test_request_context("/"):
        events.cancel_event(cancelled, community, people["coordinator"], "Болезнь лектора")
        db.session.commit()
    # A draft takes no sign-ups; a row written by hand must still not be reminded.
    draft = seminar(community, people, at(11, 21, 11), title="Черновик", publish=False)
    db.session.add(Registration(event_id=draft.id, user_id=member.id,
                                status=RegistrationStatus.CONFIRMED))
    # A deleted account is not reminded.
    gone = make_user(full_name="Удалённая Учётная Запись")
    make_membership(gone, community)
    tomorrow = seminar(community, people, at(11, 21, 11), title="Назавтра")
    sign_up(tomorrow, community, gone)
    gone.deleted_at = utcnow()
    db.session.commit()

    assert run()["events_tomorrow"] == 0
    assert notes(member, "Завтра, ") == [] and notes(gone, "Завтра, ") == []


def test_tomorrow_is_the_communitys_own_day(community, people):
    """09:00 UTC: 12:00 in Moscow, 14:00 in Yekaterinburg (UTC+5). 19:30 UTC today is 00:30
    tomorrow in Yekaterinburg but 22:30 today in Moscow; 19:30 UTC tomorrow is 22:30 tomorrow
    in Moscow but 00:30 the day after in Yekaterinburg."""
    urals = make_community(timezone="Asia/Yekaterinburg")
    teacher = make_user(full_name="Уральская Учительница")
    make_membership(teacher, urals)
    organiser = make_user(full_name="Уральский Координатор")
    make_membership(organiser, urals, Role.COORDINATOR)

    def pair(starts_at):
        moscow = seminar(community, people, starts_at)
        sign_up(moscow, community, people["member"])
        ural = make_event(urals, organiser, starts_at=starts_at)
        sign_up(ural, urals, teacher)
        return moscow, ural

    _tonight_moscow, tonight_urals = pair(at(11, 20, 19, 30))
    tomorrow_moscow, tomorrow_urals = pair(at(11, 21, 19, 30))

    assert run()["events_tomorrow"] == 2
    assert [(n.url, when(n)) for n in notes(teacher, "Завтра, ")] == [
        (event_page(urals, tonight_urals), f"Завтра, 21 ноября {Y}{NBSP}г. в 00:30")]
    assert [(n.url, when(n)) for n in notes(people["member"], "Завтра, ")] == [
        (event_page(community, tomorrow_moscow), f"Завтра, 21 ноября {Y}{NBSP}г. в 22:30")]

    # The next day: the Moscow evening event is today now, the Urals one is tomorrow.
    assert run(NOW + timedelta(days=1))["events_tomorrow"] == 1
    assert notes(teacher, "Завтра, ")[-1].url == event_page(urals, tomorrow_urals)
    assert [n.url for n in notes(people["member"], "Завтра, ")] == [
        event_page(community, tomorrow_moscow)]  # never the one at 22:30 tonight


def test_an_event_moved_to_another_day_reminds_again(community, people):
    event = seminar(community, people, at(11, 21, 11))
    sign_up(event, community, people["member"])
    assert run()["events_tomorrow"] == 1

    event = db.session.get(Event, event.id)
    event.starts_at, event.ends_at = at(11, 21, 15), at(11, 21, 17)  # the same day, later
    db.session.commit()
    assert run()["events_tomorrow"] == 0

    event.starts_at, event.ends_at = at(11, 22, 11), at(11, 22, 13)  # the next day
    db.session.commit()
    assert run()["events_tomorrow"] == 0  # the day after tomorrow now
    assert run(NOW + timedelta(days=1))["events_tomorrow"] == 1
    assert run(NOW + timedelta(days=1, hours=1))["events_tomorrow"] == 0
    assert [when(n) for n in notes(people["member"], "Завтра, ")] == [
        f"Завтра, 21 ноября {Y}{NBSP}г. в 14:00", f"Завтра, 22 ноября {Y}{NBSP}г. в 14:00"]


def test_event_reminders_are_urgent(community, people):
    """A weekly digest is too late for tomorrow: whoever takes event notices by mail gets the
    reminder at once; whoever reads them on the site only is not mailed."""
    event = seminar(community, people, at(11, 21, 11))
    for who in ("member", "council", "expert"):
        sign_up(event, community, people[who])
    with current_app.test_request_context("/"):
        set_preferences(people["member"], {"event": "weekly"})
        set_preferences(people["council"], {"event": "site"})
        db.session.commit()
    letters = {who: db.session.scalar(select(func.count(OutgoingMail.id)).where(
        OutgoingMail.user_id == people[who].id)) for who in ("member", "council", "expert")}

    assert run()["events_tomorrow"] == 3
    assert [n.delivery for n in notes(people["member"], "Завтра, ")] == ["instant"]
    assert [n.delivery for n in notes(people["council"], "Завтра, ")] == ["site"]
    assert [n.delivery for n in notes(people["expert"], "Завтра, ")] == ["instant"]  # default
    for who, mailed in (("member", 1), ("council", 0), ("expert", 1)):
        assert db.session.scalar(select(func.count(OutgoingMail.id)).where(
            OutgoingMail.user_id == people[who].id)) == letters[who] + mailed
    letter = db.session.scalars(select(OutgoingMail).where(
        OutgoingMail.user_id == people["member"].id).order_by(OutgoingMail.id.desc())).first()
    assert letter.to_addr == people["member"].email and "Завтра" in letter.subject


# --- the work plan's due date --------------------------------------------------------------


def year_label(start: int) -> str:
    return f"{start}/{start + 1}"


def test_the_plan_due_date_reminds_the_leaders_when_near_and_when_missed(community, people):
    set_dues(community, plan=(12, 1))
    set_dues(people["other_community"], plan=(6, 1))  # 1 June next year: far
    counts = run()  # 20 November: 11 days left
    assert counts["plan_due"] == 1
    near = (f"Сообщество «{community.name}»: план работы на {year_label(Y)} учебный год "
            f"нужно утвердить до 1 декабря {Y}{NBSP}г.")
    for who in ("chair", "coordinator"):
        (note,) = notes(people[who], "план работы")
        assert (note.text, note.kind, note.url) == (near, "plan", f"/c/{community.slug}/plans/")
        assert note.delivery == "instant"  # «plan» is weekly by default; a reminder is urgent
    for who in ("member", "council", "expert", "other_coordinator", "admin"):
        assert notes(people[who], "план работы") == []

    assert run()["plan_due"] == 0
    assert run(at(11, 30))["plan_due"] == 0  # still near: reminded already

    plan = make_plan(community, people["coordinator"], year=Y)  # a draft is not approved
    assert run(at(12, 2))["plan_due"] == 1
    missed = (f"Сообщество «{community.name}»: срок утверждения плана работы на "
              f"{year_label(Y)} учебный год прошёл 1 декабря {Y}{NBSP}г., план не утверждён.")
    for who in ("chair", "coordinator"):
        assert [(n.text, n.url) for n in notes(people[who], "план")][-1] == (
            missed, f"/c/{community.slug}/plans/{plan.id}")
        assert len(notes(people[who], "план")) == 2
    before = total_notifications()
    assert run(at(12, 2, 10))["plan_due"] == 0
    assert run(at(12, 20))["plan_due"] == 0
    assert total_notifications() == before


def test_an_approved_plan_is_not_reminded(community, people):
    set_dues(community, plan=(12, 1))
    set_dues(people["other_community"], plan=(6, 1))
    plan = make_plan(community, people["coordinator"], year=Y, send=True)
    vote(plan, community, people["chair"])
    vote(plan, community, people["council"])
    assert run()["plan_due"] == 0
    assert run(at(12, 2))["plan_due"] == 0
    assert notes(people["chair"], "план работы") == []


def test_a_plan_due_early_in_september_reminds_before_its_year(community, people):
    """Due on 5 September: on 25 August the coming year's plan is near (the current year's
    own due date passed a year ago: missed)."""
    set_dues(community, plan=(9, 5))
    # The other community's plan was due on 1 June: missed, and told to its coordinator only.
    set_dues(people["other_community"], plan=(6, 1))
    assert run(at(8, 25))["plan_due"] == 3
    other = people["other_community"]
    assert texts(people["other_coordinator"], "план") == [
        f"Сообщество «{other.name}»: срок утверждения плана работы на {year_label(Y - 1)} "
        f"учебный год прошёл 1 июня {Y}{NBSP}г., план не утверждён."]
    assert texts(people["chair"], "план") == [
        f"Сообщество «{community.name}»: срок утверждения плана работы на "
        f"{year_label(Y - 1)} учебный год прошёл 5 сентября {Y - 1}{NBSP}г., "
        "план не утверждён.",
        f"Сообщество «{community.name}»: план работы на {year_label(Y)} учебный год нужно "
        f"утвердить до 5 сентября {Y}{NBSP}г.",
    ]
    assert run(at(9, 1))["plan_due"] == 0  # the new year's plan: near, told already


# --- the annual report's due date ----------------------------------------------------------


def quiet_other(people) -> None:
    """The other community's report falls due on 31 August: upcoming in July."""
    set_dues(people["other_community"], plan=(6, 1), report=(8, 31))


def test_the_report_due_date_reminds_the_leaders_when_near_and_when_missed(community, people):
    quiet_other(people)
    # 5 July: the report on the year that ends is due on 15 July. Last year's report was due
    # a year ago, but the community did not exist then: it owes none.
    assert run(at(7, 5))["report_due"] == 1
    near = (f"Сообщество «{community.name}»: аналитический отчёт за {year_label(Y - 1)} "
            f"учебный год нужно сдать до 15 июля {Y}{NBSP}г.")
    for who in ("chair", "coordinator"):
        (note,) = notes(people[who], "отчёт")
        assert (note.text, note.kind, note.url, note.delivery) == (
            near, "plan", f"/c/{community.slug}/reports/", "instant")
    for who in ("member", "council", "other_coordinator", "admin"):
        assert notes(people[who], "отчёт") == []
    assert run(at(7, 6))["report_due"] == 0

    with current_app.test_request_context("/"):
        reports.start_report(community, people["chair"], Y - 1)  # a draft is not submitted
        db.session.commit()
    assert run(at(7, 20))["report_due"] == 1
    assert notes(people["coordinator"], "отчёт")[-1].text == (
        f"Сообщество «{community.name}»: срок сдачи аналитического отчёта за "
        f"{year_label(Y - 1)} учебный год прошёл 15 июля {Y}{NBSP}г., отчёт не сдан.")
    assert notes(people["coordinator"], "отчёт")[-1].url == \
        f"/c/{community.slug}/reports/{Y - 1}"
    before = total_notifications()
    assert run(at(7, 21))["report_due"] == 0
    assert total_notifications() == before


def test_a_submitted_report_is_not_reminded(community, people):
    quiet_other(people)
    with current_app.test_request_context("/"):
        report = reports.start_report(community, people["chair"], Y - 1)
        reports.submit(report, community, people["chair"], FULL_REPORT)
        db.session.commit()
    assert run(at(7, 5))["report_due"] == 0
    assert run(at(7, 20))["report_due"] == 0
    assert notes(people["chair"], "отчёт не сдан") == []


def test_last_years_report_is_owed_by_a_community_that_existed_then(community, people):
    quiet_other(people)
    db.session.get(Community, community.id).created_at = datetime(Y - 3, 10, 1)
    db.session.commit()
    assert run(at(7, 5))["report_due"] == 2
    assert texts(people["chair"], "отчёт") == [
        f"Сообщество «{community.name}»: аналитический отчёт за {year_label(Y - 1)} учебный "
        f"год нужно сдать до 15 июля {Y}{NBSP}г.",
        f"Сообщество «{community.name}»: срок сдачи аналитического отчёта за "
        f"{year_label(Y - 2)} учебный год прошёл 15 июля {Y - 1}{NBSP}г., отчёт не сдан.",
    ]


def test_a_report_due_in_september_is_reminded_after_its_year_ends(community, people):
    """Due on 10 September (after the year it reports on): on 1 September the year has turned
    and the report on the year just ended is near."""
    set_dues(people["other_community"], plan=(6, 1), report=(9, 30))  # upcoming
    set_dues(community, report=(9, 10))
    assert run(at(9, 1))["report_due"] == 1
    assert texts(people["chair"], "отчёт") == [
        f"Сообщество «{community.name}»: аналитический отчёт за {year_label(Y - 1)} учебный "
        f"год нужно сдать до 10 сентября {Y}{NBSP}г."]


# --- moderation ----------------------------------------------------------------------------


def test_moderation_reminders_are_part_of_the_job_and_urgent(community, people):
    db.session.add(ModerationCase(community_id=community.id, kind="post", object_id=1,
                                  reason="report", opened_at=NOW - timedelta(hours=25)))
    with current_app.test_request_context("/"):
        set_preferences(people["coordinator"], {"moderation": "weekly"})
        set_preferences(people["admin"], {"moderation": "daily"})
        db.session.commit()
    assert run()["moderation"] == 1
    assert [n.delivery for n in notes(people["coordinator"], "больше суток")] == ["instant"]
    assert notes(people["admin"], "двух суток") == []
    assert run()["moderation"] == 0
    assert run(NOW + timedelta(days=1))["moderation"] == 1
    assert [n.delivery for n in notes(people["admin"], "двух суток")] == ["instant"]
    assert run(NOW + timedelta(days=1))["moderation"] == 0


# --- the query budget ----------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_events_participants_or_communities(
        community, people):
    def measure(now: datetime) -> tuple[int, dict[str, int]]:
        with current_app.test_request_context("/"), count_queries() as counter:
            counts = send_reminders(now)
        db.session.commit()
        return counter.count, counts

    set_dues(community, plan=(12, 1), report=(12, 1))  # last year's report: near
    set_dues(people["other_community"], plan=(6, 1), report=(12, 31))  # both upcoming
    first = seminar(community, people, at(11, 21, 11))
    sign_up(first, community, people["member"])
    few, counts = measure(NOW)
    assert counts == {"events_tomorrow": 1, "plan_due": 1, "report_due": 1, "moderation": 0}

    # Many more events, participants and communities to remind; forget what was given.
    teachers = [people[who] for who in ("member", "council", "expert", "chair")]
    for i in range(6):
        event = seminar(community, people, at(11, 21, 8 + i), title=f"Семинар {i}")
        for teacher in teachers:
            sign_up(event, community, teacher)
    for _ in range(3):
        other = make_community(plan_due_month=12, plan_due_day=1, report_due_month=12,
                               report_due_day=1)
        for role in (Role.CHAIR, Role.COORDINATOR, Role.COORDINATOR):
            make_membership(make_user(), other, role)
        event = make_event(other, people["admin"], starts_at=at(11, 21, 12))
        for _teacher in range(3):
            teacher = make_user()
            make_membership(teacher, other)
            sign_up(event, other, teacher)
    db.session.execute(delete(ReminderSent))
    db.session.commit()
    many, counts = measure(NOW)
    assert counts == {"events_tomorrow": 1 + 6 * 4 + 3 * 3, "plan_due": 4, "report_due": 4,
                      "moderation": 0}
    assert many == few
