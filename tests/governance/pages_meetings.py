"""Meetings: the builders the meetings tests share (a meeting with its attendance marked,
minutes with questions), and the part's main pages for the axe and Nu checks.

The builders call the services as the pages do, inside the caller's request context (the
services build URLs), flush and never commit: the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app

from app.auth.models import User
from app.communities.models import Community
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.governance.meetings import services as meetings
from app.governance.meetings.models import Minutes
from app.mixins import utcnow


def make_meeting(community: Community, actor: User, *, starts_at: datetime,
                 title: str = "Заседание сообщества", place: str = "Тула, ул. Ленина, 1, каб. 12",
                 publish: bool = True, present: Iterable[User] = (), absent: Iterable[User] = (),
                 agenda: Iterable[str | tuple[str, User]] = (),
                 organisers: Iterable[User] = ()) -> Event:
    """A meeting (event of type «meeting») at `starts_at` (naive UTC) for two hours, its
    agenda written the day before, and, once started, the attendance marked: `present`
    came, `absent` did not."""
    event = events.create_event(community, actor, events.EventFields(
        title=title, type="meeting", format="offline", place=place, starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        organiser_ids=tuple(p.id for p in organisers)))
    if publish:
        events.publish(event, actor)
    for item in agenda:
        text, speaker = item if isinstance(item, tuple) else (item, None)
        meetings.add_agenda_item(event, community, actor, text, speaker.id if speaker else None,
                                 now=starts_at - timedelta(days=1))
    for person, came in [*((p, True) for p in present), *((p, False) for p in absent)]:
        registration = events.sign_up(event, community, person, added_by=actor)
        events.mark_attendance(registration, event, actor, came)
    return event


def write_minutes(event: Event, community: Community, actor: User, *, chair: User,
                  secretary: User, number: int | None = None, questions: Iterable[dict] = (),
                  recommendations: Iterable[dict] = (), sign: bool = False) -> Minutes:
    """Minutes of `event` with the given questions (QuestionFields as dicts) and
    recommendations (text, responsible_id, due_on), signed if `sign`."""
    fields = meetings.new_minutes_fields(event, community)
    fields.chair_id, fields.secretary_id = chair.id, secretary.id
    if number is not None:
        fields.number = number
    minutes = meetings.create_minutes(event, community, actor, fields)
    for question in questions:
        meetings.add_question(minutes, event, community, actor,
                              meetings.QuestionFields(**question))
    for recommendation in recommendations:
        meetings.add_recommendation(minutes, community, actor,
                                    recommendation["text"],
                                    recommendation.get("responsible_id"),
                                    recommendation.get("due_on"))
    if sign:
        meetings.sign_minutes(minutes, event, community, actor)
    return minutes


def pages(community: Community, people: dict) -> list[tuple[str, str]]:
    """(role, path): the year's meetings, an agenda being prepared, a draft of minutes as
    its editor sees it (with the forms), signed minutes, the register and the form of new
    minutes."""
    slug = community.slug
    coordinator = people["coordinator"]
    day = utcnow().replace(hour=7, minute=0, second=0, microsecond=0)
    with current_app.test_request_context("/"):
        first = make_meeting(community, coordinator, starts_at=day - timedelta(days=20),
                             title="Заседание № 1: план работы",
                             present=[people["member"], people["chair"], people["council"]],
                             agenda=[("О плане работы на учебный год", people["chair"])])
        write_minutes(first, community, coordinator, chair=people["chair"],
                      secretary=people["council"], sign=True,
                      questions=[{"title": "О плане работы на учебный год",
                                  "speaker_id": people["chair"].id,
                                  "heard": "Проект плана работы.",
                                  "decision": "Утвердить план работы.",
                                  "votes_for": 3, "votes_against": 0, "votes_abstained": 0,
                                  "responsible_id": people["member"].id}],
                      recommendations=[{"text": "Провести открытые уроки."}])
        second = make_meeting(community, coordinator, starts_at=day - timedelta(days=2),
                              title="Заседание № 2: итоги четверти",
                              present=[people["member"], people["chair"]],
                              absent=[people["council"]])
        write_minutes(second, community, coordinator, chair=people["chair"],
                      secretary=people["member"],
                      questions=[{"title": "Об итогах четверти", "heard": "Итоги.",
                                  "decision": "Принять к сведению.", "votes_for": 2,
                                  "votes_against": 0, "votes_abstained": 0}])
        third = make_meeting(community, coordinator, starts_at=day - timedelta(days=1),
                             title="Заседание № 3: без протокола",
                             present=[people["member"]])
        upcoming = make_meeting(community, coordinator, starts_at=day + timedelta(days=10),
                                title="Заседание № 4: наставничество",
                                agenda=[("О наставничестве", people["council"])])
        db.session.commit()
    base = f"/c/{slug}/meetings"
    return [
        ("member", f"{base}/"),
        ("coordinator", f"{base}/{upcoming.id}/agenda"),
        ("coordinator", f"{base}/{second.id}/minutes"),
        ("member", f"{base}/{first.id}/minutes"),
        ("member", f"{base}/decisions"),
        ("coordinator", f"{base}/{third.id}/minutes/new"),
    ]
