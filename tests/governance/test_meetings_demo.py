"""The demo seed of meetings: two signed minutes (the second carries over the first's open
decisions and links back to it), an upcoming meeting with an agenda, a register with every
status; a second run changes nothing."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.demo import governance_meetings
from app.events.models import Event
from app.extensions import db
from app.governance.meetings import services
from app.governance.meetings.labels import CARRYOVER_TITLE
from app.governance.meetings.models import Decision, Minutes
from app.mixins import utcnow
from tests.factories import make_community, make_membership, make_user


def demo_people(community) -> dict:
    people = {key: make_user(full_name=name) for key, name in (
        ("coordinator", "Координаторова Ирина Петровна"), ("chair", "Председателев Андрей"),
        ("council1", "Советова Наталья"), ("council2", "Советов Олег"),
        ("expert", "Экспертова Оксана"), ("member", "Участникова Анна"),
        ("member2", "Участников Борис"), ("applicant", "Заявителева Ольга"))}
    for key, role, council in (("coordinator", "coordinator", False), ("chair", "chair", True),
                               ("council1", "member", True), ("council2", "member", True),
                               ("expert", "member", False), ("member", "member", False),
                               ("member2", "member", False)):
        make_membership(people[key], community, role, is_council=council)
    return people


def test_the_demo_seed(app):
    community = make_community()
    people = demo_people(community)
    with current_app.test_request_context("/"):
        governance_meetings.seed(community, people)
        db.session.commit()
        governance_meetings.seed(community, people)  # idempotent
        db.session.commit()
    first, second = db.session.scalars(select(Minutes).order_by(Minutes.held_on)).all()
    assert first.is_signed and second.is_signed
    assert services.neighbours(second) == (first, None)
    assert second.questions[0].title == CARRYOVER_TITLE
    assert "Провести семинар" in second.questions[0].heard
    statuses = dict(db.session.execute(select(Decision.status, func.count(Decision.id))
                                       .group_by(Decision.status)).all())
    assert statuses == {"done": 1, "withdrawn": 1, "open": 3}
    upcoming = db.session.scalar(select(Event).where(Event.starts_at > utcnow()))
    assert services.minutes_of(upcoming) is None
    assert [i.title for i in services.agenda_items(upcoming)][-1] == "Разное"
    assert len(services.open_decisions_before(upcoming)) == 3
