"""Mentoring pairs: creating, editing, ending early; the lists of a community and a person.

The mentor and the mentee are told with the notification kind "admission" (Вступление и
роли): becoming someone's mentor or mentee is a role in the community."""

from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import or_, select

from app.auth.models import User
from app.communities.models import Community
from app.communities.services import active_membership
from app.errors import DomainError
from app.events.services import to_local
from app.extensions import db
from app.governance.mentoring.models import MentoringPair
from app.mixins import utcnow
from app.notifications.services import notify

GOAL_MAX = 2000


def today_in(community: Community) -> date:
    """Today in the community's time zone."""
    return to_local(utcnow(), community).date()


def pairs_of_community(community: Community) -> list[MentoringPair]:
    return list(db.session.scalars(
        select(MentoringPair).where(MentoringPair.community_id == community.id)
        .order_by(MentoringPair.starts_on.desc(), MentoringPair.id.desc())
    ))


def pairs_of_user(user: User) -> list[MentoringPair]:
    """Every pair the person is in, as mentor or mentee, in any community (one query)."""
    return list(db.session.scalars(
        select(MentoringPair)
        .where(or_(MentoringPair.mentor_id == user.id, MentoringPair.mentee_id == user.id))
        .order_by(MentoringPair.ends_on.desc(), MentoringPair.id.desc())
    ))


def _check(community: Community, mentor: User | None, mentee: User | None, goal: str,
           starts_on: date | None, ends_on: date | None,
           pair: MentoringPair | None = None) -> str:
    if mentor is None:
        raise DomainError("Выберите наставника.", field="mentor_id")
    if mentee is None:
        raise DomainError("Выберите наставляемого.", field="mentee_id")
    if mentor.id == mentee.id:
        raise DomainError("Наставник и наставляемый — один и тот же человек: выберите двух "
                          "разных участников.", field="mentee_id")
    # The pair's own mentor and mentee stay in it even if they have left the community since.
    if (pair is None or mentor.id != pair.mentor_id) \
            and active_membership(mentor, community) is None:
        raise DomainError("Наставником может быть только участник сообщества.",
                          field="mentor_id")
    if (pair is None or mentee.id != pair.mentee_id) \
            and active_membership(mentee, community) is None:
        raise DomainError("Наставляемым может быть только участник сообщества.",
                          field="mentee_id")
    goal = (goal or "").strip()
    if not goal:
        raise DomainError("Укажите цель наставничества.", field="goal")
    if len(goal) > GOAL_MAX:
        raise DomainError(f"Цель — не больше {GOAL_MAX} символов.", field="goal")
    if starts_on is None:
        raise DomainError("Укажите дату начала.", field="starts_on")
    if ends_on is None:
        raise DomainError("Укажите дату окончания.", field="ends_on")
    if ends_on <= starts_on:
        raise DomainError("Дата окончания должна быть позже даты начала.", field="ends_on")
    overlapping = db.session.scalar(
        select(MentoringPair.id).where(
            MentoringPair.community_id == community.id,
            MentoringPair.mentor_id == mentor.id, MentoringPair.mentee_id == mentee.id,
            MentoringPair.ended_at.is_(None),
            MentoringPair.starts_on <= ends_on, MentoringPair.ends_on >= starts_on,
            MentoringPair.id != (pair.id if pair is not None else -1),
        ).limit(1)
    )
    if overlapping is not None:
        raise DomainError("Эта пара уже работает в эти даты: измените её период вместо "
                          "новой пары.", field="mentee_id")
    return goal


def _tell(pair: MentoringPair, community: Community, text_mentor: str,
          text_mentee: str) -> None:
    url = url_for("mentoring.index", community_slug=community.slug)
    notify(pair.mentor, "admission", text_mentor, url)
    notify(pair.mentee, "admission", text_mentee, url)


def create_pair(community: Community, actor: User, *, mentor: User | None,
                mentee: User | None, goal: str, starts_on: date | None,
                ends_on: date | None) -> MentoringPair:
    goal = _check(community, mentor, mentee, goal, starts_on, ends_on)
    pair = MentoringPair(community_id=community.id, mentor_id=mentor.id, mentee_id=mentee.id,
                         goal=goal, starts_on=starts_on, ends_on=ends_on,
                         created_by_id=actor.id)
    pair.mentor, pair.mentee, pair.community = mentor, mentee, community
    db.session.add(pair)
    db.session.flush()
    _tell(pair, community,
          f"Вы наставник для {mentee.full_name} в «{community.name}».",
          f"Ваш наставник в «{community.name}»: {mentor.full_name}.")
    return pair


def update_pair(pair: MentoringPair, community: Community, actor: User, *,
                mentor: User | None, mentee: User | None, goal: str,
                starts_on: date | None, ends_on: date | None) -> MentoringPair:
    if pair.ended_at is not None:
        raise DomainError("Наставничество завершено досрочно: изменить его нельзя.")
    goal = _check(community, mentor, mentee, goal, starts_on, ends_on, pair)
    changed_people = (pair.mentor_id, pair.mentee_id) != (mentor.id, mentee.id)
    pair.mentor_id, pair.mentee_id = mentor.id, mentee.id
    pair.mentor, pair.mentee = mentor, mentee
    pair.goal, pair.starts_on, pair.ends_on = goal, starts_on, ends_on
    db.session.flush()
    if changed_people:
        _tell(pair, community,
              f"Вы наставник для {mentee.full_name} в «{community.name}».",
              f"Ваш наставник в «{community.name}»: {mentor.full_name}.")
    return pair


def end_pair(pair: MentoringPair, community: Community, actor: User) -> MentoringPair:
    """End the pair before its period is over."""
    if pair.ended_at is not None:
        raise DomainError("Наставничество уже завершено.")
    if pair.ends_on < today_in(community):
        raise DomainError("Период наставничества уже закончился: завершать его не нужно.")
    pair.ended_at = utcnow()
    pair.ended_by_id = actor.id
    db.session.flush()
    _tell(pair, community,
          f"Наставничество для {pair.mentee.full_name} в «{community.name}» завершено.",
          f"Наставничество с {pair.mentor.full_name} в «{community.name}» завершено.")
    return pair
