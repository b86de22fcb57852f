"""Meetings, agendas, minutes and the register of decisions: one function per action. They
check the rules, raise DomainError with a Russian message, flush and never commit.

- The agenda is edited until the meeting starts. While decisions of earlier meetings are
  open, the agenda starts with «О выполнении решений предыдущих заседаний» listing them:
  computed from the register (`open_decisions_before`), never copied by hand.
- Minutes are written for a meeting that has taken place. Their number runs within the
  community's academic year. Every save of a draft takes the attendance as marked on the
  event's participants page and the community's size again; signing takes them a last time
  and freezes the document.
- The register holds the decisions and recommendations of *signed* minutes only: a draft
  may still change or be abandoned, and a register entry is something people are held to.
  Signing adds one entry per question with a decision (РЕШИЛИ) and one per recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.errors import DomainError
from app.events.models import (
    Event,
    EventFormat,
    EventStatus,
    EventType,
    Registration,
    RegistrationStatus,
)
from app.events.services import format_local, to_local
from app.extensions import db
from app.governance.academic_year import AcademicYear, local_today
from app.governance.meetings.labels import CARRYOVER_TITLE, DECISION_STATUS_LABELS
from app.governance.meetings.models import (
    AgendaItem,
    Decision,
    DecisionKind,
    DecisionStatus,
    Minutes,
    MinutesAttendee,
    MinutesQuestion,
    MinutesRecommendation,
    MinutesStatus,
)
from app.i18n import plural
from app.mixins import utcnow
from app.notifications.services import notify_many

TITLE_MAX = 500
TEXT_MAX = 20_000
PLACE_MAX = 500
NOTE_MAX = 2000
NUMBER_MAX = 9999
HELD_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED)


def _meetings(n: int) -> str:
    return plural(n, "заседание", "заседания", "заседаний")


def _at_least(n: int) -> str:
    """«не менее 1 заседания», «не менее 2 заседаний» (genitive after «не менее»)."""
    return "не менее " + plural(n, "заседания", "заседаний", "заседаний")


def _as_year(year: AcademicYear | int) -> AcademicYear:
    return year if isinstance(year, AcademicYear) else AcademicYear(int(year))


def _member_ids(community: Community, user_ids: Iterable[int | None]) -> set[int]:
    wanted = {uid for uid in user_ids if uid}
    if not wanted:
        return set()
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community.id, Membership.left_at.is_(None),
        Membership.user_id.in_(wanted))))


def _check_member(community: Community, user_id: int | None, field: str, message: str,
                  kept: int | None = None) -> None:
    """An active member, or `kept`: the one already there, who stays even after leaving."""
    if user_id and user_id != kept and user_id not in _member_ids(community, [user_id]):
        raise DomainError(message, field)


def _text(value: str | None, limit: int, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(f"{what} — не длиннее {limit} символов.", field)
    return value


# --- the year's meetings against the minimum (the contract with the dashboards) ------------


@dataclass(frozen=True)
class MeetingSummary:
    """The meetings of one community in one academic year, against its minimum.

    held: published or finished meetings whose start has passed (not cancelled); planned:
    published meetings still to come; with_minutes: held meetings whose minutes are signed.
    Behind (is_behind, with the reason in `warning`):
    - in the current year, when fewer meetings have been held than the pace of the year asks
      (`expected`: the minimum times the share of the year gone by, rounded down: with 4 a
      year, one by the start of December, two by early March…), or when the meetings held
      and planned together are fewer than the minimum;
    - in a past year, when fewer than the minimum were held;
    - a year that has not begun is never behind."""

    held: int
    planned: int
    required: int
    with_minutes: int
    is_behind: bool
    warning: str | None
    expected: int = 0

    @property
    def missing(self) -> int:
        return max(self.required - self.held - self.planned, 0)


def _summarise(community: Community, year: AcademicYear, now: datetime, held: int,
               planned: int, with_minutes: int) -> MeetingSummary:
    required = community.min_meetings_per_year
    today = local_today(community, now)
    expected, warning = 0, None
    if today < year.first_day:
        pass
    elif today > year.last_day:
        expected = required
        if held < required:
            warning = (f"За {year.label} учебный год проведено {_meetings(held)} "
                       f"при минимуме {required}.")
    else:
        total = (year.last_day - year.first_day).days + 1
        expected = required * (today - year.first_day).days // total
        if held < expected:
            warning = (f"Отставание от графика: к этой дате должно быть проведено "
                       f"{_at_least(expected)}, проведено {held}.")
        elif held + planned < required:
            warning = (f"Заседаний запланировано недостаточно: проведено {held}, назначено "
                       f"{planned}, а за учебный год нужно не менее {required}. Назначьте "
                       f"ещё {_meetings(required - held - planned)}.")
    return MeetingSummary(held=held, planned=planned, required=required,
                          with_minutes=with_minutes, is_behind=warning is not None,
                          warning=warning, expected=expected)


def meeting_summaries(communities: Iterable[Community], year: AcademicYear | int,
                      now: datetime | None = None) -> dict[int, MeetingSummary]:
    """MeetingSummary by community id, in one query for any number of communities."""
    communities = list(communities)
    if not communities:
        return {}
    year = _as_year(year)
    now = now or utcnow()
    bounds = {c.id: year.utc_bounds(c) for c in communities}
    rows = db.session.execute(
        select(Event.community_id, Event.starts_at, Event.status, Minutes.status)
        .outerjoin(Minutes, Minutes.event_id == Event.id)
        .where(Event.community_id.in_(list(bounds)), Event.type == EventType.MEETING,
               Event.status.in_(HELD_STATUSES),
               Event.starts_at >= min(b[0] for b in bounds.values()),
               Event.starts_at < max(b[1] for b in bounds.values())))
    counts = {cid: [0, 0, 0] for cid in bounds}
    for community_id, starts_at, status, minutes_status in rows:
        start, end = bounds[community_id]
        if not start <= starts_at < end:
            continue
        tally = counts[community_id]
        if starts_at <= now:
            tally[0] += 1
            tally[2] += minutes_status == MinutesStatus.SIGNED
        elif status == EventStatus.PUBLISHED:
            tally[1] += 1
    return {c.id: _summarise(c, year, now, *counts[c.id]) for c in communities}


def meeting_summary(community: Community, year: AcademicYear | int,
                    now: datetime | None = None) -> MeetingSummary:
    return meeting_summaries([community], year, now)[community.id]


@dataclass(frozen=True)
class MeetingRow:
    event: Event
    state: str  # held, upcoming, cancelled, draft (see labels.MEETING_STATE_LABELS)
    minutes_number: int | None
    minutes_status: str | None


def meeting_state(event: Event, now: datetime | None = None) -> str:
    now = now or utcnow()
    if event.is_cancelled:
        return "cancelled"
    if event.status == EventStatus.DRAFT:
        return "draft"
    return "held" if event.starts_at <= now else "upcoming"


def year_meetings(community: Community, year: AcademicYear | int, *, include_drafts: bool,
                  now: datetime | None = None) -> list[MeetingRow]:
    """The meetings of the academic year by date, with their minutes' number and status."""
    year = _as_year(year)
    now = now or utcnow()
    start, end = year.utc_bounds(community)
    query = (select(Event, Minutes.number, Minutes.status)
             .outerjoin(Minutes, Minutes.event_id == Event.id)
             .where(Event.community_id == community.id, Event.type == EventType.MEETING,
                    Event.starts_at >= start, Event.starts_at < end)
             .order_by(Event.starts_at, Event.id))
    if not include_drafts:
        query = query.where(Event.status != EventStatus.DRAFT)
    return [MeetingRow(event, meeting_state(event, now), number, status)
            for event, number, status in db.session.execute(query)]


# --- the agenda -----------------------------------------------------------------------------


def agenda_items(event: Event) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.event_id == event.id, AgendaItem.removed_at.is_(None))
        .order_by(AgendaItem.position, AgendaItem.id)))


def open_decisions_before(event: Event) -> list[Decision]:
    """The open entries of the register from meetings before `event`: the first question of
    its agenda."""
    earlier = aliased(Event)
    return list(db.session.scalars(
        select(Decision).join(Minutes, Decision.minutes_id == Minutes.id)
        .join(earlier, Minutes.event_id == earlier.id)
        .where(Decision.community_id == event.community_id,
               Decision.status == DecisionStatus.OPEN, earlier.id != event.id,
               or_(earlier.starts_at < event.starts_at,
                   and_(earlier.starts_at == event.starts_at, earlier.id < event.id)))
        .order_by(earlier.starts_at, Decision.id)))


def agenda_refusal(event: Event, now: datetime | None = None) -> str | None:
    """Why the agenda cannot be changed now, or None."""
    now = now or utcnow()
    if event.is_cancelled:
        return "Заседание отменено: повестку изменить нельзя."
    if event.status == EventStatus.FINISHED or event.starts_at <= now:
        return ("Заседание уже началось: повестку изменить нельзя. Рассмотренные вопросы "
                "записывают в протокол.")
    return None


def _check_agenda_open(event: Event, now: datetime | None) -> None:
    refusal = agenda_refusal(event, now)
    if refusal:
        raise DomainError(refusal)


def _agenda_fields(community: Community, title: str, speaker_id: int | None,
                   kept: int | None = None) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError("Укажите вопрос повестки.", "title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Вопрос — не длиннее {TITLE_MAX} символов.", "title")
    _check_member(community, speaker_id, "speaker_id",
                  "Докладчиком может быть только участник сообщества.", kept)
    return title


def add_agenda_item(event: Event, community: Community, actor: User, title: str,
                    speaker_id: int | None, now: datetime | None = None) -> AgendaItem:
    _check_agenda_open(event, now)
    title = _agenda_fields(community, title, speaker_id)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(
        AgendaItem.event_id == event.id, AgendaItem.removed_at.is_(None)))
    item = AgendaItem(event_id=event.id, position=(last or 0) + 1, title=title,
                      speaker_id=speaker_id or None, created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    return item


def update_agenda_item(item: AgendaItem, event: Event, community: Community, actor: User,
                       title: str, speaker_id: int | None,
                       now: datetime | None = None) -> AgendaItem:
    _check_agenda_open(event, now)
    item.title = _agenda_fields(community, title, speaker_id, kept=item.speaker_id)
    item.speaker_id = speaker_id or None
    db.session.flush()
    return item


def remove_agenda_item(item: AgendaItem, event: Event, actor: User,
                       now: datetime | None = None) -> AgendaItem:
    """Take the item off the agenda; the row stays (nothing a person wrote is deleted)."""
    _check_agenda_open(event, now)
    if item.removed_at is not None:
        raise DomainError("Этот вопрос уже убран из повестки.")
    item.removed_at = utcnow()
    db.session.flush()
    return item


def move_agenda_item(item: AgendaItem, event: Event, actor: User, direction: str,
                     now: datetime | None = None) -> AgendaItem:
    _check_agenda_open(event, now)
    items = agenda_items(event)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        raise DomainError("Вопрос уже первый в повестке." if direction == "up"
                          else "Вопрос уже последний в повестке.")
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        other.position = position
    db.session.flush()
    return item


# --- minutes: requisites and attendance ----------------------------------------------------


def minutes_of(event: Event) -> Minutes | None:
    return db.session.scalar(select(Minutes).where(Minutes.event_id == event.id))


def minutes_refusal(event: Event, community: Community,
                    now: datetime | None = None) -> str | None:
    """Why no minutes can be written for `event` (yet), or None."""
    now = now or utcnow()
    if event.type != EventType.MEETING:
        return "Протокол составляют только для заседаний."
    if event.is_cancelled:
        return "Заседание отменено: протокол не составляется."
    if event.status == EventStatus.DRAFT:
        return ("Заседание не было опубликовано: протокол составляют только для проведённых "
                "заседаний.")
    if event.starts_at > now:
        return (f"Заседание ещё не состоялось (начало — {format_local(event.starts_at, community)})"
                ": протокол составляют после заседания.")
    return None


def meeting_date(event: Event, community: Community) -> date:
    return to_local(event.starts_at, community).date()


def default_place(event: Event) -> str:
    if event.format == EventFormat.ONLINE:
        return "Дистанционно (онлайн)"
    if event.format == EventFormat.MIXED:
        return f"{event.place} (и дистанционно)" if event.place else "Дистанционно (онлайн)"
    return event.place


def suggest_number(community: Community, year: AcademicYear | int,
                   minutes: Minutes | None = None) -> int:
    """The next number of the community's minutes in `year`."""
    query = select(func.max(Minutes.number)).where(Minutes.community_id == community.id,
                                                   Minutes.year == _as_year(year).start)
    if minutes is not None:
        query = query.where(Minutes.id != minutes.id)
    return (db.session.scalar(query) or 0) + 1


def community_chair_id(community: Community) -> int | None:
    return db.session.scalar(Membership.active().with_only_columns(Membership.user_id).where(
        Membership.community_id == community.id, Membership.role == Role.CHAIR).limit(1))


@dataclass
class MinutesFields:
    number: int | None
    chair_id: int | None
    secretary_id: int | None
    place: str


def new_minutes_fields(event: Event, community: Community) -> MinutesFields:
    """What the form for new minutes starts with: the next number, the community's chair
    presiding, the meeting's place."""
    year = AcademicYear.of(meeting_date(event, community))
    return MinutesFields(number=suggest_number(community, year),
                         chair_id=community_chair_id(community), secretary_id=None,
                         place=default_place(event))


def _apply_fields(minutes: Minutes, event: Event, community: Community,
                  fields: MinutesFields) -> None:
    held_on = meeting_date(event, community)
    year = AcademicYear.of(held_on)
    number = fields.number
    if number is None:
        raise DomainError("Укажите номер протокола.", "number")
    if not 0 < number <= NUMBER_MAX:
        raise DomainError(f"Номер протокола — целое число от 1 до {NUMBER_MAX}.", "number")
    taken = db.session.scalar(select(Minutes).where(
        Minutes.community_id == community.id, Minutes.year == year.start,
        Minutes.number == number, Minutes.id != (minutes.id or 0)))
    if taken is not None:
        raise DomainError(
            f"Протокол № {number} за {year.label} учебный год уже есть (заседание "
            f"«{taken.event.title}»). Свободный номер — {suggest_number(community, year)}.",
            "number")
    if not fields.chair_id:
        raise DomainError("Выберите председательствующего.", "chair_id")
    if not fields.secretary_id:
        raise DomainError("Выберите секретаря.", "secretary_id")
    # Those already on the minutes stay even if they have left the community since.
    members = _member_ids(community, [fields.chair_id, fields.secretary_id]) | {
        uid for uid in (minutes.chair_id, minutes.secretary_id) if uid}
    if fields.chair_id not in members:
        raise DomainError("Председательствующим может быть только участник сообщества.",
                          "chair_id")
    if fields.secretary_id not in members:
        raise DomainError("Секретарём может быть только участник сообщества.", "secretary_id")
    if fields.chair_id == fields.secretary_id:
        raise DomainError("Председательствующий и секретарь — разные люди.", "secretary_id")
    place = _text(fields.place, PLACE_MAX, "place", "Место проведения")
    if not place:
        raise DomainError("Укажите место проведения.", "place")
    minutes.number, minutes.year, minutes.held_on, minutes.place = number, year.start, \
        held_on, place
    minutes.chair_id, minutes.secretary_id = fields.chair_id, fields.secretary_id
    names = dict(db.session.execute(select(User.id, User.full_name).where(
        User.id.in_([fields.chair_id, fields.secretary_id]))).all())
    minutes.chair_name = names[fields.chair_id]
    minutes.secretary_name = names[fields.secretary_id]


@dataclass(frozen=True)
class Attendance:
    """The event's confirmed participants as marked by its organisers."""

    present: list[Registration]
    absent: int
    unmarked: int

    @property
    def registered(self) -> int:
        return len(self.present) + self.absent + self.unmarked

    @property
    def is_marked(self) -> bool:
        return self.registered > 0 and self.unmarked == 0


def attendance(event: Event) -> Attendance:
    rows = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED)).all()
    present = sorted((r for r in rows if r.attended is True),
                     key=lambda r: (r.user.full_name.casefold(), r.user_id))
    return Attendance(present=present, absent=sum(r.attended is False for r in rows),
                      unmarked=sum(r.attended is None for r in rows))


def _refresh_attendance(minutes: Minutes, event: Event, community: Community) -> None:
    """Take the marked attendance and the community's size into the draft (derived data:
    the attendees' rows are replaced, nothing anyone wrote)."""
    present = attendance(event).present
    minutes.attendees[:] = [MinutesAttendee(user_id=r.user_id, full_name=r.user.full_name,
                                            position=i) for i, r in enumerate(present)]
    minutes.present_count = len(present)
    minutes.members_count = community.member_count
    minutes.has_quorum = 2 * minutes.present_count > minutes.members_count


def _check_draft(minutes: Minutes) -> None:
    if minutes.is_signed:
        raise DomainError("Протокол подписан: изменить его нельзя.")


def _carryover_summary(decisions: list[Decision]) -> str:
    lines = ["Информация о выполнении решений, принятых ранее:"]
    for i, d in enumerate(decisions, start=1):
        source = f"протокол № {d.minutes.number} от {d.minutes.held_on:%d.%m.%Y}"
        extra = []
        if d.responsible is not None:
            extra.append(f"отв. {d.responsible.full_name}")
        if d.due_on is not None:
            extra.append(f"срок — {d.due_on:%d.%m.%Y}")
        tail = f" ({'; '.join(extra)})" if extra else ""
        lines.append(f"{i}. {d.text}{tail} — {source}.")
    return "\n".join(lines)


def create_minutes(event: Event, community: Community, actor: User, fields: MinutesFields,
                   now: datetime | None = None) -> Minutes:
    """A draft. Its questions start as the agenda: the open decisions of earlier meetings
    first (their list as the summary), then the agenda's items with their speakers."""
    refusal = minutes_refusal(event, community, now)
    if refusal:
        raise DomainError(refusal)
    if minutes_of(event) is not None:
        raise DomainError("Протокол этого заседания уже составлен.")
    minutes = Minutes(event_id=event.id, community_id=community.id, created_by_id=actor.id,
                      status=MinutesStatus.DRAFT)
    _apply_fields(minutes, event, community, fields)
    db.session.add(minutes)
    _refresh_attendance(minutes, event, community)
    db.session.flush()
    position = 0
    carried = open_decisions_before(event)
    if carried:
        position += 1
        db.session.add(MinutesQuestion(minutes_id=minutes.id, position=position,
                                       title=CARRYOVER_TITLE,
                                       heard=_carryover_summary(carried)))
    for item in agenda_items(event):
        position += 1
        db.session.add(MinutesQuestion(minutes_id=minutes.id, position=position,
                                       title=item.title, speaker_id=item.speaker_id))
    db.session.flush()
    db.session.expire(minutes, ["questions"])
    return minutes


def update_minutes(minutes: Minutes, event: Event, community: Community, actor: User,
                   fields: MinutesFields) -> Minutes:
    _check_draft(minutes)
    _apply_fields(minutes, event, community, fields)
    _refresh_attendance(minutes, event, community)
    db.session.flush()
    return minutes


# --- minutes: questions and recommendations ------------------------------------------------


@dataclass
class QuestionFields:
    title: str
    speaker_id: int | None = None
    heard: str = ""
    discussion: str = ""
    decision: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstained: int | None = None
    responsible_id: int | None = None
    due_on: date | None = None


def _check_follow_up(minutes: Minutes, community: Community, responsible_id: int | None,
                     due_on: date | None, kept: int | None = None) -> None:
    _check_member(community, responsible_id, "responsible_id",
                  "Ответственным может быть только участник сообщества.", kept)
    if due_on is not None and due_on < minutes.held_on:
        raise DomainError(f"Срок исполнения не может быть раньше даты заседания "
                          f"({minutes.held_on:%d.%m.%Y}).", "due_on")


def _vote_error(votes: tuple[int, int, int], present: int) -> str | None:
    total = sum(votes)
    if total <= present:
        return None
    hint = " Сначала отметьте посещение заседания." if present == 0 else ""
    return (f"Голосов «за», «против» и «воздержались» вместе {total}, а присутствовало "
            f"{present}: голосов не может быть больше, чем присутствовавших.{hint}")


def _apply_question(question: MinutesQuestion, minutes: Minutes, community: Community,
                    fields: QuestionFields) -> None:
    title = (fields.title or "").strip()
    if not title:
        raise DomainError("Укажите рассматриваемый вопрос.", "title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Вопрос — не длиннее {TITLE_MAX} символов.", "title")
    _check_member(community, fields.speaker_id, "speaker_id",
                  "Докладчиком может быть только участник сообщества.", question.speaker_id)
    heard = _text(fields.heard, TEXT_MAX, "heard", "«Слушали»")
    discussion = _text(fields.discussion, TEXT_MAX, "discussion", "«Выступили»")
    decision = _text(fields.decision, TEXT_MAX, "decision", "«Решили»")
    raw = (fields.votes_for, fields.votes_against, fields.votes_abstained)
    votes: tuple[int, int, int] | None = None
    if any(v is not None for v in raw):
        for name, value in zip(("votes_for", "votes_against", "votes_abstained"), raw,
                               strict=True):
            if value is not None and value < 0:
                raise DomainError("Число голосов не может быть отрицательным.", name)
        votes = tuple(v or 0 for v in raw)  # type: ignore[assignment]
        error = _vote_error(votes, minutes.present_count)  # type: ignore[arg-type]
        if error:
            raise DomainError(error, "votes_for")
        if not decision:
            raise DomainError("Голосуют за решение: заполните «Решили».", "decision")
    if (fields.responsible_id or fields.due_on) and not decision:
        raise DomainError("Ответственный и срок относятся к решению: заполните «Решили».",
                          "decision")
    _check_follow_up(minutes, community, fields.responsible_id, fields.due_on,
                     question.responsible_id)
    question.title, question.speaker_id = title, fields.speaker_id or None
    question.heard, question.discussion, question.decision = heard, discussion, decision
    question.votes_for, question.votes_against, question.votes_abstained = \
        votes if votes else (None, None, None)
    question.responsible_id, question.due_on = fields.responsible_id or None, fields.due_on


def _next_position(model, minutes: Minutes) -> int:
    last = db.session.scalar(select(func.max(model.position)).where(
        model.minutes_id == minutes.id, model.removed_at.is_(None)))
    return (last or 0) + 1


def add_question(minutes: Minutes, event: Event, community: Community, actor: User,
                 fields: QuestionFields) -> MinutesQuestion:
    _check_draft(minutes)
    _refresh_attendance(minutes, event, community)
    question = MinutesQuestion(minutes_id=minutes.id,
                               position=_next_position(MinutesQuestion, minutes))
    _apply_question(question, minutes, community, fields)
    db.session.add(question)
    db.session.flush()
    db.session.expire(minutes, ["questions"])
    return question


def update_question(question: MinutesQuestion, minutes: Minutes, event: Event,
                    community: Community, actor: User,
                    fields: QuestionFields) -> MinutesQuestion:
    _check_draft(minutes)
    _refresh_attendance(minutes, event, community)
    _apply_question(question, minutes, community, fields)
    db.session.flush()
    return question


def remove_question(question: MinutesQuestion, minutes: Minutes, actor: User) -> None:
    _check_draft(minutes)
    if question.removed_at is not None:
        raise DomainError("Этот вопрос уже убран из протокола.")
    question.removed_at = utcnow()
    db.session.flush()
    db.session.expire(minutes, ["questions"])


def _apply_recommendation(recommendation: MinutesRecommendation, minutes: Minutes,
                          community: Community, text: str, responsible_id: int | None,
                          due_on: date | None) -> None:
    text = _text(text, TEXT_MAX, "text", "Рекомендация")
    if not text:
        raise DomainError("Напишите текст рекомендации.", "text")
    _check_follow_up(minutes, community, responsible_id, due_on, recommendation.responsible_id)
    recommendation.text = text
    recommendation.responsible_id = responsible_id or None
    recommendation.due_on = due_on


def add_recommendation(minutes: Minutes, community: Community, actor: User, text: str,
                       responsible_id: int | None, due_on: date | None) -> MinutesRecommendation:
    _check_draft(minutes)
    recommendation = MinutesRecommendation(
        minutes_id=minutes.id, position=_next_position(MinutesRecommendation, minutes), text="")
    _apply_recommendation(recommendation, minutes, community, text, responsible_id, due_on)
    db.session.add(recommendation)
    db.session.flush()
    db.session.expire(minutes, ["recommendations"])
    return recommendation


def update_recommendation(recommendation: MinutesRecommendation, minutes: Minutes,
                          community: Community, actor: User, text: str,
                          responsible_id: int | None,
                          due_on: date | None) -> MinutesRecommendation:
    _check_draft(minutes)
    _apply_recommendation(recommendation, minutes, community, text, responsible_id, due_on)
    db.session.flush()
    return recommendation


def remove_recommendation(recommendation: MinutesRecommendation, minutes: Minutes,
                          actor: User) -> None:
    _check_draft(minutes)
    if recommendation.removed_at is not None:
        raise DomainError("Эта рекомендация уже убрана из протокола.")
    recommendation.removed_at = utcnow()
    db.session.flush()
    db.session.expire(minutes, ["recommendations"])


# --- signing and the register --------------------------------------------------------------


def sign_minutes(minutes: Minutes, event: Event, community: Community, actor: User,
                 now: datetime | None = None) -> list[Decision]:
    """Sign: the attendance is taken a last time, the document becomes read-only, and its
    decisions and recommendations enter the register. Returns the new register entries."""
    if minutes.is_signed:
        raise DomainError("Протокол уже подписан.")
    refusal = minutes_refusal(event, community, now)
    if refusal:
        raise DomainError(refusal)
    # Mark the row signed first: the UPDATE takes its lock, so of two signings at once (a
    # double click) the second finds it signed and stops; a refusal below rolls it back.
    signed_at = now or utcnow()
    taken = db.session.execute(
        update(Minutes).where(Minutes.id == minutes.id, Minutes.status == MinutesStatus.DRAFT)
        .values(status=MinutesStatus.SIGNED, signed_at=signed_at, signed_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise DomainError("Протокол уже подписан.")
    _refresh_attendance(minutes, event, community)
    if minutes.present_count == 0:
        raise DomainError("В протоколе нет присутствовавших: отметьте посещение на странице "
                          "участников заседания, затем подпишите протокол.")
    if not minutes.chair_id or not minutes.secretary_id:
        raise DomainError("Укажите председательствующего и секретаря.")
    questions = minutes.questions
    if not questions:
        raise DomainError("Добавьте в протокол хотя бы один рассмотренный вопрос.")
    for number, question in enumerate(questions, start=1):
        if question.has_vote:
            votes = (question.votes_for or 0, question.votes_against or 0,
                     question.votes_abstained or 0)
            error = _vote_error(votes, minutes.present_count)
            if error:
                raise DomainError(f"Вопрос {number}: {error}")
    minutes.status = MinutesStatus.SIGNED
    minutes.signed_at = signed_at
    minutes.signed_by_id = actor.id
    entries = [Decision(community_id=community.id, minutes_id=minutes.id, question_id=q.id,
                        kind=DecisionKind.DECISION, text=q.decision,
                        responsible_id=q.responsible_id, due_on=q.due_on)
               for q in questions if q.decision]
    entries += [Decision(community_id=community.id, minutes_id=minutes.id,
                         recommendation_id=r.id, kind=DecisionKind.RECOMMENDATION,
                         text=r.text, responsible_id=r.responsible_id, due_on=r.due_on)
                for r in minutes.recommendations]
    db.session.add_all(entries)
    db.session.flush()
    responsible = sorted({e.responsible_id for e in entries if e.responsible_id})
    if responsible:
        notify_many(responsible, "plan",
                    f"Подписан протокол № {minutes.number} заседания «{event.title}»: вам "
                    f"поручено исполнение решений. Они в реестре решений сообщества.",
                    url_for("meetings.decisions", community_slug=community.slug,
                            status=DecisionStatus.OPEN.value))
    return entries


def neighbours(minutes: Minutes) -> tuple[Minutes | None, Minutes | None]:
    """The community's signed minutes just before and just after these (by meeting time)."""
    event = minutes.event

    def one(before: bool) -> Minutes | None:
        if before:
            where = or_(Event.starts_at < event.starts_at,
                        and_(Event.starts_at == event.starts_at, Event.id < event.id))
            order = (Event.starts_at.desc(), Event.id.desc())
        else:
            where = or_(Event.starts_at > event.starts_at,
                        and_(Event.starts_at == event.starts_at, Event.id > event.id))
            order = (Event.starts_at, Event.id)
        return db.session.scalar(
            select(Minutes).join(Event, Minutes.event_id == Event.id)
            .where(Minutes.community_id == minutes.community_id,
                   Minutes.status == MinutesStatus.SIGNED, where)
            .order_by(*order).limit(1))

    return one(True), one(False)


def register_query(community: Community, status: str = ""):
    """The register, open entries first, each group by deadline (none last)."""
    query = (select(Decision)
             .options(joinedload(Decision.minutes).joinedload(Minutes.event)
                      .selectinload(Event.organisers))
             .where(Decision.community_id == community.id)
             .order_by(case((Decision.status == DecisionStatus.OPEN, 0), else_=1),
                       Decision.due_on.is_(None), Decision.due_on, Decision.id))
    if status:
        query = query.where(Decision.status == status)
    return query


def register_counts(community: Community) -> dict[str, int]:
    counts = dict.fromkeys(DecisionStatus, 0)
    counts.update(dict(db.session.execute(
        select(Decision.status, func.count(Decision.id))
        .where(Decision.community_id == community.id).group_by(Decision.status)).all()))
    return {str(k): v for k, v in counts.items()}


def set_decision_status(decision: Decision, community: Community, actor: User, status: str,
                        note: str = "", now: datetime | None = None) -> Decision:
    if status not in DECISION_STATUS_LABELS:
        raise DomainError("Выберите статус из списка.", "status")
    note = _text(note, NOTE_MAX, "note", "Комментарий")
    if status == decision.status and note == decision.status_note:
        raise DomainError(f"Статус уже «{DECISION_STATUS_LABELS[status].lower()}».", "status")
    if status == DecisionStatus.WITHDRAWN and not note:
        raise DomainError("Укажите, почему решение снято.", "note")
    decision.status = status
    decision.status_note = note
    decision.status_changed_at = now or utcnow()
    decision.status_changed_by_id = actor.id
    db.session.flush()
    return decision


def load_document(minutes: Minutes) -> Minutes:
    """The minutes with everything the document shows, in a few queries."""
    return db.session.scalars(
        select(Minutes).where(Minutes.id == minutes.id)
        .options(selectinload(Minutes.attendees), selectinload(Minutes.questions),
                 selectinload(Minutes.recommendations))
        .execution_options(populate_existing=True)).one()
