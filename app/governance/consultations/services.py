"""Consultations: asking, assigning a consultant, the private exchange, closing.

Notifications: the people of a consultation are told with the kind "reply" (Ответы и
упоминания): a question entrusted to you and a message addressed to you are personal
correspondence, which is what that kind covers and what people keep mail on for. The
community's coordinators learn of a new question with "admission" (Вступление и роли), the
kind of the other requests that wait in their queue (join requests)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import Select, case, func, select

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.communities.services import active_membership
from app.errors import DomainError
from app.extensions import db
from app.governance.consultations.labels import FORM_LABELS
from app.governance.consultations.models import (
    Consultation,
    ConsultationMessage,
    ConsultationStatus,
)
from app.mixins import utcnow
from app.notifications.services import notify
from app.sanitize import render_markdown

TOPIC_MAX = 300
QUESTION_MAX = 20_000
MESSAGE_MAX = 20_000


# --- reading -------------------------------------------------------------------------------


def consultation_counts(
    community: Community, start_utc: datetime, end_utc: datetime
) -> dict[str, int]:
    """Consultations asked in [start_utc, end_utc), by status, plus total (one query)."""
    rows = db.session.execute(
        select(Consultation.status, func.count())
        .where(
            Consultation.community_id == community.id,
            Consultation.created_at >= start_utc,
            Consultation.created_at < end_utc,
        )
        .group_by(Consultation.status)
    ).all()
    counts = {s.value: 0 for s in ConsultationStatus}
    for status, n in rows:
        counts[status] = counts.get(status, 0) + n
    counts["total"] = sum(n for _, n in rows)
    return counts


def queue(community: Community, status: str = "") -> Select:
    """The coordinator's queue: new questions first, then the oldest open ones."""
    query = select(Consultation).where(Consultation.community_id == community.id)
    if status == "open":
        query = query.where(Consultation.status != ConsultationStatus.CLOSED)
    elif status:
        query = query.where(Consultation.status == status)
    order = case(
        (Consultation.status == ConsultationStatus.NEW, 0),
        (Consultation.status == ConsultationStatus.ASSIGNED, 1),
        (Consultation.status == ConsultationStatus.ANSWERED, 2),
        else_=3,
    )
    return query.order_by(order, Consultation.created_at, Consultation.id)


def asked_by(community: Community, user: User) -> list[Consultation]:
    return list(db.session.scalars(
        select(Consultation)
        .where(Consultation.community_id == community.id, Consultation.asker_id == user.id)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    ))


def entrusted_to(community: Community, user: User) -> list[Consultation]:
    """Consultations the user answers as their consultant, open ones first."""
    return list(db.session.scalars(
        select(Consultation)
        .where(Consultation.community_id == community.id,
               Consultation.consultant_id == user.id)
        .order_by((Consultation.status == ConsultationStatus.CLOSED),
                  Consultation.created_at.desc(), Consultation.id.desc())
    ))


def messages_of(consultation: Consultation) -> list[ConsultationMessage]:
    return list(db.session.scalars(
        select(ConsultationMessage)
        .where(ConsultationMessage.consultation_id == consultation.id)
        .order_by(ConsultationMessage.id)
    ))


def consultant_choices(community: Community, exclude_id: int | None = None) -> dict:
    """Grouped choices for the consultant picker: the community's experts first, then the
    other active members; the asker is left out. One query."""
    rows = db.session.execute(
        select(User.id, User.full_name, Membership.is_expert)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None))
        .order_by(Membership.is_expert.desc(), User.full_name, User.id)
    ).all()
    experts = [(uid, name) for uid, name, expert in rows if expert and uid != exclude_id]
    others = [(uid, name) for uid, name, expert in rows if not expert and uid != exclude_id]
    groups: dict = {None: [("", "— выберите участника —")]}
    if experts:
        groups["Эксперты сообщества"] = experts
    if others:
        groups["Другие участники"] = others
    return groups


# --- actions -------------------------------------------------------------------------------


def _url(consultation: Consultation, community: Community, anchor: str | None = None) -> str:
    return url_for("consultations.consultation", community_slug=community.slug,
                   consultation_id=consultation.id, _anchor=anchor)


def _coordinators(community: Community) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.role == Role.COORDINATOR)
    ))


def _check_text(value: str, maximum: int, field: str, empty: str, long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(empty, field=field)
    if len(value) > maximum:
        raise DomainError(long, field=field)
    return value


def ask(community: Community, asker: User, topic: str, question: str,
        preferred_form: str) -> Consultation:
    """A member asks for a targeted consultation (001 §4.2.3, 003 §3.1.4)."""
    if active_membership(asker, community) is None:
        raise DomainError("Задать вопрос может только участник сообщества.")
    topic = _check_text(topic, TOPIC_MAX, "topic", "Укажите тему консультации.",
                        f"Тема — не больше {TOPIC_MAX} символов.")
    question = _check_text(question, QUESTION_MAX, "question", "Опишите ваш вопрос.",
                           f"Вопрос — не больше {QUESTION_MAX} символов.")
    if preferred_form not in FORM_LABELS:
        raise DomainError("Выберите форму консультации из списка.", field="preferred_form")
    consultation = Consultation(
        community_id=community.id, asker_id=asker.id, topic=topic, question=question,
        question_html=render_markdown(question), preferred_form=preferred_form,
        status=ConsultationStatus.NEW,
    )
    db.session.add(consultation)
    db.session.flush()
    for coordinator in _coordinators(community):
        if coordinator.id != asker.id:
            notify(coordinator, "admission",
                   f"Новый запрос на консультацию в «{community.name}»: «{topic}».",
                   _url(consultation, community))
    return consultation


def assign(consultation: Consultation, community: Community, coordinator: User,
           consultant: User | None) -> Consultation:
    """The coordinator entrusts the question to a member; again, to another one, until the
    consultant has answered."""
    if consultation.is_closed:
        raise DomainError("Консультация закрыта: назначить консультанта нельзя.")
    if consultation.status == ConsultationStatus.ANSWERED:
        raise DomainError("Консультант уже ответил: сменить его нельзя.")
    if consultant is None:
        raise DomainError("Выберите консультанта.", field="consultant_id")
    if consultant.id == consultation.asker_id:
        raise DomainError("Автор вопроса не может быть своим консультантом: выберите "
                          "другого участника.", field="consultant_id")
    if active_membership(consultant, community) is None:
        raise DomainError("Консультантом может быть только участник сообщества.",
                          field="consultant_id")
    if consultant.id == consultation.consultant_id:
        raise DomainError(f"{consultant.full_name} уже назначен(а) консультантом.",
                          field="consultant_id")
    previous = consultation.consultant
    consultation.consultant_id = consultant.id
    consultation.consultant = consultant
    consultation.assigned_by_id = coordinator.id
    consultation.assigned_at = utcnow()
    consultation.status = ConsultationStatus.ASSIGNED
    db.session.flush()
    url = _url(consultation, community)
    notify(consultant, "reply",
           f"Вам поручена консультация в «{community.name}»: «{consultation.topic}».", url)
    if previous is not None:
        notify(previous, "reply",
               f"Консультация «{consultation.topic}» передана другому консультанту.",
               url_for("consultations.index", community_slug=community.slug))
    if consultation.asker is not None:
        notify(consultation.asker, "reply",
               f"По вашему вопросу «{consultation.topic}» назначен консультант: "
               f"{consultant.full_name}.", url)
    return consultation


def post_message(consultation: Consultation, community: Community, author: User,
                 body: str) -> ConsultationMessage:
    """A message of the private exchange; the consultant's first one answers the question."""
    if consultation.is_closed:
        raise DomainError("Консультация закрыта: новые сообщения не принимаются.")
    if author.id not in consultation.participant_ids():
        raise DomainError("Писать в переписку могут только автор вопроса и консультант.")
    if consultation.consultant_id is None:
        raise DomainError("Консультант ещё не назначен: переписка откроется после "
                          "назначения.")
    body = _check_text(body, MESSAGE_MAX, "body", "Напишите сообщение.",
                       f"Сообщение — не больше {MESSAGE_MAX} символов.")
    now = utcnow()
    message = ConsultationMessage(consultation_id=consultation.id, author_id=author.id,
                                  body=body, body_html=render_markdown(body), created_at=now)
    message.author = author
    db.session.add(message)
    if author.id == consultation.consultant_id and \
            consultation.status == ConsultationStatus.ASSIGNED:
        consultation.status = ConsultationStatus.ANSWERED
        consultation.answered_at = now
    consultation.message_count = Consultation.message_count + 1
    consultation.last_message_at = now
    db.session.flush()
    other_id = (consultation.consultant_id if author.id == consultation.asker_id
                else consultation.asker_id)
    other = db.session.get(User, other_id) if other_id else None
    if other is not None:
        notify(other, "reply",
               f"{author.full_name}: новое сообщение по консультации «{consultation.topic}».",
               _url(consultation, community, f"consultation-message-{message.id}"))
    return message


def close(consultation: Consultation, community: Community, actor: User) -> Consultation:
    """The asker or the coordinator closes the consultation; it takes no more messages."""
    if consultation.is_closed:
        raise DomainError("Консультация уже закрыта.")
    consultation.status = ConsultationStatus.CLOSED
    consultation.closed_at = utcnow()
    consultation.closed_by_id = actor.id
    db.session.flush()
    for person in (consultation.asker, consultation.consultant):
        if person is not None and person.id != actor.id:
            notify(person, "reply", f"Консультация «{consultation.topic}» закрыта.",
                   _url(consultation, community))
    return consultation
