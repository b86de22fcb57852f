"""Events and sign-ups: one function per action. They check the rules, raise DomainError,
flush and never commit (the view commits once).

Capacity under concurrency: every action that changes an event's sign-ups starts by locking
the event's row (`_lock`, an UPDATE of that row: PostgreSQL holds a row lock until commit,
SQLite takes its database write lock), then reads the counters afresh and decides. So two
sign-ups for the last seat are served one after the other, on both back ends, and the
counters `confirmed_count`/`waitlist_count` stay exact without counting rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask import url_for
from sqlalchemy import func, select, update

from app.auth.models import User
from app.communities.models import Community, Membership
from app.errors import DomainError
from app.events.labels import FORMAT_LABELS, TYPE_LABELS
from app.events.models import (
    Event,
    EventFormat,
    EventOrganiser,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from app.extensions import db
from app.mixins import utcnow
from app.notifications.services import notify, notify_many
from app.sanitize import render_markdown

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
PLACE_MAX = 500
MESSAGE_MAX = 2000
REASON_MAX = 1000
HOURS_MAX = 500


# --- time zones ----------------------------------------------------------------------------


def zone(community: Community) -> ZoneInfo:
    try:
        return ZoneInfo(community.timezone or "Europe/Moscow")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Moscow")


def to_utc(local: datetime | None, community: Community) -> datetime | None:
    """A wall-clock time typed in the community's zone → naive UTC for storage."""
    if local is None:
        return None
    aware = local.replace(tzinfo=zone(community)) if local.tzinfo is None else local
    return aware.astimezone(UTC).replace(tzinfo=None)


def to_local(stored: datetime | None, community: Community) -> datetime | None:
    """Naive UTC from the database → an aware time in the community's zone."""
    if stored is None:
        return None
    return stored.replace(tzinfo=UTC).astimezone(zone(community))


# --- events --------------------------------------------------------------------------------


@dataclass
class EventFields:
    title: str
    type: str
    format: str
    starts_at: datetime  # naive UTC
    ends_at: datetime  # naive UTC
    description: str = ""
    place: str = ""
    online_url: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    hours: int | None = None
    entries_deadline: datetime | None = None
    organiser_ids: tuple[int, ...] = ()


def _check(fields: EventFields, community: Community, kept=()) -> None:
    """Every rule of an event's fields, with the field the message belongs to. `kept`: the
    organisers already there, who stay even if they have left the community since."""
    if not fields.title.strip():
        raise DomainError("Укажите название мероприятия.", "title")
    if len(fields.title) > TITLE_MAX:
        raise DomainError(f"Название не длиннее {TITLE_MAX} символов.", "title")
    if fields.type not in TYPE_LABELS:
        raise DomainError("Выберите вид мероприятия из списка.", "type")
    if fields.format not in FORMAT_LABELS:
        raise DomainError("Выберите формат из списка.", "format")
    if fields.ends_at <= fields.starts_at:
        raise DomainError("Окончание должно быть позже начала.", "ends_at")
    if fields.capacity is not None and fields.capacity <= 0:
        raise DomainError("Число мест должно быть больше нуля. Оставьте поле пустым, если "
                          "число мест не ограничено.", "capacity")
    if fields.hours is not None and not 0 < fields.hours <= HOURS_MAX:
        raise DomainError(f"Число часов — от 1 до {HOURS_MAX}.", "hours")
    if fields.format in (EventFormat.OFFLINE, EventFormat.MIXED) and not fields.place.strip():
        raise DomainError("Укажите место проведения.", "place")
    if fields.format in (EventFormat.ONLINE, EventFormat.MIXED) and not fields.online_url:
        raise DomainError("Укажите ссылку для подключения.", "online_url")
    if fields.online_url:
        parts = urlsplit(fields.online_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise DomainError("Ссылка должна начинаться с http:// или https://.", "online_url")
    opens, closes = fields.registration_opens_at, fields.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise DomainError("Запись должна закрываться позже, чем открывается.",
                          "registration_closes_at")
    if closes is not None and closes > fields.ends_at:
        raise DomainError("Запись должна закрываться не позже окончания мероприятия.",
                          "registration_closes_at")
    if opens is not None and opens >= fields.ends_at:
        raise DomainError("Запись должна открываться до окончания мероприятия.",
                          "registration_opens_at")
    if fields.entries_deadline is not None and fields.type != "contest":
        fields.entries_deadline = None
    members = _member_ids(community, fields.organiser_ids)
    if set(fields.organiser_ids) - members - set(kept):
        raise DomainError("Организаторами могут быть только участники сообщества.",
                          "organiser_ids")


def _member_ids(community: Community, user_ids) -> set[int]:
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.user_id.in_(list(user_ids)))
    ))


def _apply(event: Event, fields: EventFields) -> None:
    event.title = fields.title.strip()
    event.type = fields.type
    event.format = fields.format
    event.description = fields.description
    event.description_html = render_markdown(fields.description) if fields.description else ""
    event.place = fields.place.strip() if fields.format != EventFormat.ONLINE else ""
    event.online_url = fields.online_url if fields.format != EventFormat.OFFLINE else ""
    event.starts_at = fields.starts_at
    event.ends_at = fields.ends_at
    event.capacity = fields.capacity
    event.registration_opens_at = fields.registration_opens_at
    event.registration_closes_at = fields.registration_closes_at
    event.hours = fields.hours
    event.entries_deadline = fields.entries_deadline
    wanted = list(dict.fromkeys(fields.organiser_ids))
    event.organisers[:] = [o for o in event.organisers if o.user_id in wanted]
    have = {o.user_id for o in event.organisers}
    event.organisers.extend(EventOrganiser(user_id=uid) for uid in wanted if uid not in have)


def create_event(community: Community, actor: User, fields: EventFields) -> Event:
    """A draft; `publish` makes it visible to members."""
    if not fields.organiser_ids:
        fields.organiser_ids = (actor.id,) if actor.id in _member_ids(community, [actor.id]) \
            else ()
    _check(fields, community)
    event = Event(community_id=community.id, created_by_id=actor.id, status=EventStatus.DRAFT,
                  title="", starts_at=fields.starts_at, ends_at=fields.ends_at)
    db.session.add(event)
    _apply(event, fields)
    db.session.flush()
    return event


def update_event(event: Event, community: Community, actor: User, fields: EventFields) -> Event:
    if event.is_cancelled:
        raise DomainError("Мероприятие отменено; его нельзя изменить.")
    _check(fields, community, kept=event.organiser_ids)
    _lock(event)
    if fields.capacity is not None and fields.capacity < event.confirmed_count:
        raise DomainError(
            f"Уже записано {event.confirmed_count}; число мест не может быть меньше. "
            "Отмените лишние записи на странице участников.", "capacity")
    changed_time = (event.starts_at, event.ends_at) != (fields.starts_at, fields.ends_at)
    moved = changed_time or (event.place, event.online_url) != (
        fields.place.strip() if fields.format != EventFormat.ONLINE else "",
        fields.online_url if fields.format != EventFormat.OFFLINE else "")
    _apply(event, fields)
    if moved:
        event.sequence += 1
    db.session.flush()
    _fill_seats(event, community)
    if changed_time and event.is_published:
        _tell_signed_up(event, community,
                        f"Изменено время мероприятия «{event.title}»: "
                        f"{_when(event, community)}.")
    db.session.flush()
    return event


def publish(event: Event, actor: User) -> Event:
    if event.status != EventStatus.DRAFT:
        raise DomainError("Опубликовать можно только черновик.")
    event.status = EventStatus.PUBLISHED
    event.published_at = utcnow()
    db.session.flush()
    _announce(event, actor)
    return event


def _announce(event: Event, actor: User) -> int:
    """Tell the community's members of a new event (kind «announcement»: in the weekly
    digest unless they chose otherwise)."""
    community = db.session.get(Community, event.community_id)
    ids = list(db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community.id, Membership.left_at.is_(None),
        Membership.user_id != actor.id)))
    return notify_many(ids, "announcement",
                       f"Новое мероприятие сообщества «{community.name}»: «{event.title}», "
                       f"{_when(event, community)}.", event_url(event, community))


def cancel_event(event: Event, community: Community, actor: User, reason: str) -> int:
    """Cancel and tell everyone signed up (the waiting list too). Returns how many were told."""
    reason = (reason or "").strip()
    if event.is_cancelled:
        raise DomainError("Мероприятие уже отменено.")
    if event.status == EventStatus.FINISHED:
        raise DomainError("Мероприятие уже завершено; его нельзя отменить.")
    if not reason:
        raise DomainError("Укажите причину отмены: её увидят записавшиеся.", "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"Причина — не длиннее {REASON_MAX} символов.", "reason")
    _lock(event)
    was_published = event.status == EventStatus.PUBLISHED
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.cancel_reason = reason
    told = 0
    if was_published:
        told = _tell_signed_up(event, community,
                               f"Мероприятие «{event.title}» ({_when(event, community)}) "
                               f"отменено. Причина: {reason}")
    db.session.flush()
    return told


def finish_event(event: Event, actor: User, now: datetime | None = None) -> Event:
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED:
        raise DomainError("Завершить можно только опубликованное мероприятие.")
    if event.starts_at > now:
        raise DomainError("Мероприятие ещё не началось.")
    event.status = EventStatus.FINISHED
    db.session.flush()
    return event


def event_url(event: Event, community: Community) -> str:
    return url_for("events.event", community_slug=community.slug, event_id=event.id)


def _when(event: Event, community: Community) -> str:
    return format_local(event.starts_at, community)


def format_local(stored: datetime, community: Community) -> str:
    """«22 ноября 2026 г., 14:00 (Europe/Moscow)» whatever zone the request uses."""
    return format_datetime(stored.replace(tzinfo=UTC), "d MMMM y\u00a0'г.', HH:mm",
                           tzinfo=zone(community), locale="ru")


def _tell_signed_up(event: Event, community: Community, text: str) -> int:
    ids = list(db.session.scalars(
        select(Registration.user_id).where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED)
    ))
    return notify_many(ids, "event", text, event_url(event, community))


# --- sign-ups ------------------------------------------------------------------------------


def _lock(event: Event) -> None:
    """Serialise every change of this event's sign-ups (see the module's docstring), then
    read the counters as committed by whoever held the lock before."""
    db.session.execute(
        update(Event).where(Event.id == event.id)
        .values(confirmed_count=Event.confirmed_count),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(event, attribute_names=["confirmed_count", "waitlist_count",
                                               "capacity", "status"])


def registration_of(event: Event, user: User) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.user_id == user.id))


def sign_up_refusal(event: Event, community: Community, user: User,
                    now: datetime | None = None) -> str | None:
    """Why `user` may not sign up for `event` by themselves now, or None."""
    now = now or utcnow()
    if not _member_ids(community, [user.id]):
        return f"Записаться могут только участники сообщества «{community.name}»."
    if event.status == EventStatus.DRAFT:
        return "Мероприятие ещё не опубликовано: запись не открыта."
    if event.status == EventStatus.CANCELLED:
        return "Мероприятие отменено: запись закрыта."
    if event.status == EventStatus.FINISHED or event.ends_at <= now:
        return "Мероприятие уже прошло."
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return f"Запись откроется {format_local(event.registration_opens_at, community)}."
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return "Запись закрыта: срок записи истёк."
    return None


def sign_up(event: Event, community: Community, user: User, *, added_by: User | None = None,
            now: datetime | None = None) -> Registration:
    """Sign `user` up: a seat if there is one, else the waiting list. Signing up again while
    signed up changes nothing. An organiser (`added_by`) may add a member outside the sign-up
    window, but only to a published or finished event, and within the seats like anyone."""
    now = now or utcnow()
    if added_by is None:
        refusal = sign_up_refusal(event, community, user, now)
        if refusal:
            raise DomainError(refusal)
    else:
        if not _member_ids(community, [user.id]):
            raise DomainError("Добавить можно только участника сообщества.", "user_id")
        if event.status not in (EventStatus.PUBLISHED, EventStatus.FINISHED):
            raise DomainError("Добавлять участников можно в опубликованное мероприятие.")
    _lock(event)
    registration = registration_of(event, user)
    if registration is not None and registration.is_active:
        return registration
    if registration is None:
        registration = Registration(event_id=event.id, user_id=user.id)
        db.session.add(registration)
    registration.queued_at = now
    registration.cancelled_at = None
    registration.added_by_id = added_by.id if added_by else None
    registration.attended = None
    if event.capacity is None or event.confirmed_count < event.capacity:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        event.confirmed_count += 1
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.confirmed_at = None
        event.waitlist_count += 1
    db.session.flush()
    if added_by is not None and added_by.id != user.id:
        state = ("вы записаны" if registration.status == RegistrationStatus.CONFIRMED
                 else f"вы в листе ожидания, {waitlist_position(registration)}-й")
        notify(user, "event", f"Организатор записал вас на «{event.title}» "
               f"({format_local(event.starts_at, community)}): {state}.",
               event_url(event, community))
    return registration


def cancel_registration(registration: Registration, event: Event, community: Community,
                        actor: User, now: datetime | None = None) -> Registration | None:
    """Cancel a sign-up (the member's own, or an organiser's decision). A freed seat goes to
    the first on the waiting list at once; returns that promoted registration, if any."""
    now = now or utcnow()
    _lock(event)
    db.session.refresh(registration)
    if not registration.is_active:
        return None  # cancelled already: nothing to do twice
    if event.status in (EventStatus.FINISHED,) or event.ends_at <= now:
        raise DomainError("Мероприятие уже прошло: запись не отменить.")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.attended = None
    if was_confirmed:
        event.confirmed_count -= 1
    else:
        event.waitlist_count -= 1
    db.session.flush()
    if actor.id != registration.user_id:
        notify(registration.user, "event",
               f"Организатор отменил вашу запись на «{event.title}».",
               event_url(event, community))
    promoted = _fill_seats(event, community, now) if was_confirmed else []
    return promoted[0] if promoted else None


def _fill_seats(event: Event, community: Community,
                now: datetime | None = None) -> list[Registration]:
    """Move the waiting list up into free seats, first come first served, and tell each.
    The caller holds the event's lock."""
    now = now or utcnow()
    promoted: list[Registration] = []
    if event.status == EventStatus.CANCELLED:
        return promoted
    while event.waitlist_count > 0 and (
        event.capacity is None or event.confirmed_count < event.capacity
    ):
        first = db.session.scalar(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.queued_at, Registration.id).limit(1))
        if first is None:
            event.waitlist_count = 0
            break
        first.status = RegistrationStatus.CONFIRMED
        first.confirmed_at = now
        event.confirmed_count += 1
        event.waitlist_count -= 1
        promoted.append(first)
        notify(first.user, "event",
               f"Освободилось место: вы записаны на «{event.title}» "
               f"({format_local(event.starts_at, community)}).",
               event_url(event, community))
    db.session.flush()
    return promoted


def waitlist_position(registration: Registration) -> int:
    """1 for the first in line."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return 0
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.queued_at < registration.queued_at)
            | ((Registration.queued_at == registration.queued_at)
               & (Registration.id < registration.id)),
        ))
    return int(ahead or 0) + 1


def participants(event: Event) -> tuple[list[Registration], list[Registration]]:
    """Confirmed (by name) and the waiting list (in its order)."""
    rows = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED)
        .order_by(Registration.queued_at, Registration.id)
    ).all()
    confirmed = sorted((r for r in rows if r.status == RegistrationStatus.CONFIRMED),
                       key=lambda r: r.user.full_name.casefold())
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    return confirmed, waiting


def mark_attendance(registration: Registration, event: Event, actor: User, attended: bool,
                    now: datetime | None = None) -> Registration:
    now = now or utcnow()
    if registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError("Посещение отмечают только у записанных участников.")
    if event.is_cancelled:
        raise DomainError("Мероприятие отменено.")
    if event.starts_at > now:
        raise DomainError("Посещение можно отметить после начала мероприятия.")
    registration.attended = attended
    db.session.flush()
    return registration


def message_participants(event: Event, community: Community, actor: User, text: str,
                         audience: str) -> int:
    """A notification to the confirmed participants, the waiting list, or both."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Напишите текст сообщения.", "text")
    if len(text) > MESSAGE_MAX:
        raise DomainError(f"Сообщение — не длиннее {MESSAGE_MAX} символов.", "text")
    statuses = {
        "confirmed": [RegistrationStatus.CONFIRMED],
        "waitlisted": [RegistrationStatus.WAITLISTED],
        "all": [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
    }.get(audience)
    if statuses is None:
        raise DomainError("Выберите, кому отправить сообщение.", "audience")
    ids = list(db.session.scalars(
        select(Registration.user_id).where(Registration.event_id == event.id,
                                           Registration.status.in_(statuses))))
    if not ids:
        raise DomainError("Некому отправить: в выбранном списке никого нет.", "audience")
    return notify_many(ids, "event", f"«{event.title}», от организатора: {text}",
                       event_url(event, community))

