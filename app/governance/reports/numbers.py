"""The numbers of the annual report, assembled from what the platform recorded in one
academic year (seeds 001 §4.6, 003 §4.8; issue 8).

`assemble(community, year)` runs a fixed number of grouped queries whatever the amount of
data: one statement of scalar subqueries (members, the bank, expert reviews, forum and
chat), one for events by type, one for contests, plus the plan's, the meetings' and the
consultations' own summaries. The result is a plain dataclass that turns into JSON
(`to_dict`) when the report is submitted and back (`from_dict`) when a submitted report is
shown or exported, so both show exactly the same thing through `tables()`.

What counts:
- members: distinct people whose membership was active at the year's first moment, at its
  end (or now, while the year runs), and who joined or left within it;
- events: published or finished (never cancelled or drafts) that started within the year
  and have started by now; sign-ups still confirmed and people marked as present;
- the bank: materials published within the year and visible (neither held nor hidden), and
  which of them are best practices; expert reviews submitted within the year;
- contests: as events; entries submitted and neither withdrawn nor hidden; winners and
  prize-winners once the results are published;
- the forum and chat: visible topics, posts and messages written within the year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from app.chat.models import ChatMessage
from app.communities.models import Community, Membership
from app.events.labels import TYPE_LABELS
from app.events.models import (
    ContestEntry,
    EntryStatus,
    Event,
    EventStatus,
    EventType,
    Place,
    Registration,
    RegistrationStatus,
)
from app.extensions import db
from app.forum.models import Post, Topic
from app.governance.academic_year import AcademicYear
from app.governance.reports.labels import CONSULTATION_LABELS
from app.i18n import date_filter
from app.materials.models import ExpertReview, Material, MaterialStatus
from app.mixins import utcnow

HELD_STATUSES = (EventStatus.PUBLISHED.value, EventStatus.FINISHED.value)


@dataclass
class EventRow:
    type: str
    events: int
    participants: int  # sign-ups still confirmed
    attendees: int  # marked as present by the organisers

    @property
    def label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)


@dataclass
class ReportNumbers:
    year: int
    assembled_at: str  # naive UTC, ISO
    complete: bool  # assembled after the year ended
    members_at_start: int = 0
    members_at_end: int = 0
    members_joined: int = 0
    members_left: int = 0
    events: list[EventRow] = field(default_factory=list)
    meetings_held: int = 0
    meetings_required: int = 0
    meetings_with_minutes: int = 0
    meetings_warning: str | None = None  # the meetings' own (behind the minimum or the pace)
    plan_status: str = "none"
    plan_status_label: str = ""
    plan_approved_on: str | None = None  # ISO date
    plan_items_total: int = 0
    plan_items_done: int = 0
    materials_published: int = 0
    best_practices: int = 0
    expert_reviews: int = 0
    contests: int = 0
    contest_entries: int = 0
    contest_winners: int = 0
    contest_prize_winners: int = 0
    consultations: dict[str, int] = field(default_factory=dict)
    forum_topics: int = 0
    forum_posts: int = 0
    forum_authors: int = 0
    chat_messages: int = 0

    @property
    def academic_year(self) -> AcademicYear:
        return AcademicYear(self.year)

    @property
    def events_total(self) -> int:
        return sum(row.events for row in self.events)

    @property
    def participants_total(self) -> int:
        return sum(row.participants for row in self.events)

    @property
    def attendees_total(self) -> int:
        return sum(row.attendees for row in self.events)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportNumbers:
        """Numbers frozen by an earlier version: keys it did not have take their defaults,
        keys it no longer knows are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["events"] = [EventRow(**row) for row in data.get("events", [])]
        values["consultations"] = dict(data.get("consultations") or {})
        return cls(**values)


def assemble(community: Community, year: AcademicYear, now: datetime | None = None
             ) -> ReportNumbers:
    """The numbers of `community` for `year` as recorded up to `now` (naive UTC)."""
    from app.governance.consultations.services import consultation_counts
    from app.governance.meetings.services import meeting_summary
    from app.governance.plans.services import plan_summary

    now = now or utcnow()
    start, end = year.utc_bounds(community)
    cut = min(end, now)  # the end of the year, or now while it runs
    numbers = ReportNumbers(year=year.start, assembled_at=now.isoformat(timespec="seconds"),
                            complete=now >= end)
    _counts(numbers, community, start, end, cut)
    numbers.events = _events(community, start, cut)
    _contests(numbers, community, start, cut)

    meetings = meeting_summary(community, year, now)
    numbers.meetings_held = meetings.held
    numbers.meetings_required = meetings.required
    numbers.meetings_with_minutes = meetings.with_minutes
    numbers.meetings_warning = meetings.warning

    plan = plan_summary(community, year)
    numbers.plan_status = plan.status
    numbers.plan_status_label = str(plan.status_label)
    numbers.plan_approved_on = plan.approved_on.isoformat() if plan.approved_on else None
    numbers.plan_items_total = plan.items_total
    numbers.plan_items_done = plan.items_done

    numbers.consultations = dict(consultation_counts(community, start, end))
    return numbers


def _between(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _active_at(moment: datetime):
    return and_(Membership.joined_at < moment,
                or_(Membership.left_at.is_(None), Membership.left_at >= moment))


def _counts(numbers: ReportNumbers, community: Community, start: datetime, end: datetime,
            cut: datetime) -> None:
    """Members, the bank, expert reviews, forum and chat: one statement."""
    cid = community.id

    def people(condition):
        return func.count(func.distinct(case((condition, Membership.user_id))))

    members = (select(people(_active_at(start)), people(_active_at(cut)),
                      people(_between(Membership.joined_at, start, end)),
                      people(_between(Membership.left_at, start, end)))
               .where(Membership.community_id == cid))
    members = members.subquery()
    visible_material = and_(
        Material.community_id == cid, Material.status == MaterialStatus.PUBLISHED,
        Material.hidden_at.is_(None), Material.held_at.is_(None),
        _between(Material.published_at, start, end))
    reviews = (select(func.count(ExpertReview.id))
               .join(Material, Material.id == ExpertReview.material_id)
               .where(Material.community_id == cid,
                      _between(ExpertReview.submitted_at, start, end)))
    topics = select(func.count(Topic.id)).where(
        Topic.community_id == cid, Topic.hidden_at.is_(None), Topic.held_at.is_(None),
        _between(Topic.created_at, start, end))
    posts_where = (Post.community_id == cid, Post.hidden_at.is_(None), Post.held_at.is_(None),
                   _between(Post.created_at, start, end))
    chat = select(func.count(ChatMessage.id)).where(
        ChatMessage.community_id == cid, ChatMessage.hidden_at.is_(None),
        ChatMessage.held_at.is_(None), _between(ChatMessage.created_at, start, end))
    row = db.session.execute(select(
        *members.c,
        select(func.count(Material.id)).where(visible_material).scalar_subquery(),
        select(func.count(Material.id)).where(visible_material, Material.is_best_practice)
        .scalar_subquery(),
        reviews.scalar_subquery(),
        topics.scalar_subquery(),
        select(func.count(Post.id)).where(*posts_where).scalar_subquery(),
        select(func.count(func.distinct(Post.author_id))).where(*posts_where).scalar_subquery(),
        chat.scalar_subquery(),
    )).one()
    (numbers.members_at_start, numbers.members_at_end, numbers.members_joined,
     numbers.members_left, numbers.materials_published, numbers.best_practices,
     numbers.expert_reviews, numbers.forum_topics, numbers.forum_posts, numbers.forum_authors,
     numbers.chat_messages) = (int(value or 0) for value in row)


def _held_events(community: Community, start: datetime, cut: datetime):
    return and_(Event.community_id == community.id, Event.status.in_(HELD_STATUSES),
                _between(Event.starts_at, start, cut))


def _events(community: Community, start: datetime, cut: datetime) -> list[EventRow]:
    """Events that took place, by type, in the order of the type list."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    rows = db.session.execute(
        select(Event.type, func.count(func.distinct(Event.id)),
               func.count(case((confirmed, Registration.id))),
               func.count(case((Registration.attended.is_(True), Registration.id))))
        .outerjoin(Registration, Registration.event_id == Event.id)
        .where(_held_events(community, start, cut))
        .group_by(Event.type)
    ).all()
    order = {t: i for i, t in enumerate(TYPE_LABELS)}
    result = [EventRow(type=t, events=int(n), participants=int(p), attendees=int(a))
              for t, n, p, a in rows]
    return sorted(result, key=lambda r: (order.get(r.type, len(order)), r.type))


def _contests(numbers: ReportNumbers, community: Community, start: datetime,
              cut: datetime) -> None:
    published = Event.results_published_at.is_not(None)
    row = db.session.execute(
        select(func.count(func.distinct(Event.id)), func.count(ContestEntry.id),
               func.count(case((and_(published, ContestEntry.place == Place.WINNER),
                                ContestEntry.id))),
               func.count(case((and_(published, ContestEntry.place == Place.PRIZE),
                                ContestEntry.id))))
        .outerjoin(ContestEntry, and_(ContestEntry.event_id == Event.id,
                                      ContestEntry.status == EntryStatus.SUBMITTED,
                                      ContestEntry.hidden_at.is_(None),
                                      ContestEntry.held_at.is_(None)))
        .where(_held_events(community, start, cut), Event.type == EventType.CONTEST)
    ).one()
    (numbers.contests, numbers.contest_entries, numbers.contest_winners,
     numbers.contest_prize_winners) = (int(value or 0) for value in row)


# --- the tables every rendering shows (page, DOCX, PDF) ------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    head: tuple[str, ...]
    rows: list[tuple[str, ...]]
    total: tuple[str, ...] | None = None  # a last, bold row


def _on(iso: str | None) -> str:
    return date_filter(date.fromisoformat(iso)) if iso else ""


def tables(numbers: ReportNumbers) -> list[Table]:
    n = numbers
    year = n.academic_year
    assembled = datetime.fromisoformat(n.assembled_at)
    end_label = ("На конец учебного года" if n.complete
                 else f"На {date_filter(assembled)} (год ещё идёт)")
    members = Table("Состав сообщества", ("Показатель", "Человек"), [
        (f"На начало учебного года ({date_filter(year.first_day)})", str(n.members_at_start)),
        ("Вступили за год", str(n.members_joined)),
        ("Вышли за год", str(n.members_left)),
        (end_label, str(n.members_at_end)),
    ])
    events = Table(
        "Мероприятия", ("Вид", "Проведено", "Записались", "Присутствовали"),
        [(row.label, str(row.events), str(row.participants), str(row.attendees))
         for row in n.events],
        total=("Всего", str(n.events_total), str(n.participants_total),
               str(n.attendees_total)),
    )
    if n.plan_status == "approved" and n.plan_approved_on:
        plan_state = f"{n.plan_status_label} {_on(n.plan_approved_on)}".strip()
    else:
        plan_state = n.plan_status_label or "нет"
    meetings = f"{n.meetings_held} (не менее {n.meetings_required} по положению)"
    governance = Table("Заседания и план работы", ("Показатель", "Значение"), [
        ("Заседаний проведено", meetings),
        ("Из них оформлено протоколом", str(n.meetings_with_minutes)),
        ("План работы на учебный год", plan_state),
        ("Пунктов плана выполнено", f"{n.plan_items_done} из {n.plan_items_total}"),
    ])
    bank = Table("Методический банк и экспертиза", ("Показатель", "Количество"), [
        ("Опубликовано материалов", str(n.materials_published)),
        ("Из них лучших практик", str(n.best_practices)),
        ("Проведено экспертиз материалов", str(n.expert_reviews)),
    ])
    contests = Table("Конкурсы", ("Показатель", "Количество"), [
        ("Проведено конкурсов", str(n.contests)),
        ("Подано конкурсных работ", str(n.contest_entries)),
        ("Победителей", str(n.contest_winners)),
        ("Призёров", str(n.contest_prize_winners)),
    ])
    consultations = Table(
        "Адресные консультации", ("Показатель", "Количество"),
        [("Запрошено за год", str(n.consultations.get("total", 0)))]
        + [(f"— {label}", str(n.consultations.get(key, 0)))
           for key, label in CONSULTATION_LABELS.items()],
    )
    forum = Table("Форум и чат", ("Показатель", "Количество"), [
        ("Новых тем на форуме", str(n.forum_topics)),
        ("Сообщений на форуме", str(n.forum_posts)),
        ("Участников писали на форуме", str(n.forum_authors)),
        ("Сообщений в чате", str(n.chat_messages)),
    ])
    return [members, events, governance, bank, contests, consultations, forum]
