"""Reminders: events tomorrow, the work plan's and the annual report's due dates, and
moderation items waiting too long.

`flask send-reminders` runs `send_reminders()` every hour (cron or a systemd timer). The job is
idempotent: every reminder given is recorded by a key (`ReminderSent`), so a second run reminds
nobody twice (an overlapping run fails on the key at its commit rather than remind twice), and a
run that missed some hours catches up on the next.

- Events tomorrow: everyone with a confirmed sign-up (not the waiting list) for a published
  event that starts tomorrow in its community's time zone, once per event and start date, so
  an event moved to another day reminds again.
- The work plan of the academic year not approved and its due date 14 days away or less
  («near»), then once more when the date has passed («missed»): the chairs and coordinators.
- The annual report not submitted: the same two stages, to the same people.
- Moderation: `app.moderation.services.send_reminders` (coordinators after 24 hours,
  administrators after 48; it marks the cases itself).

Every reminder is urgent: whoever takes that kind of notification by e-mail at all gets it at
once, not in a digest. The events, plans and reports parts run a fixed number of queries,
however many events, sign-ups and communities there are (the moderation part a few per case
it reminds). Keys of event reminders are dropped a month later; the others are kept. The job
flushes and never commits: the command commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_datetime
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import lazyload

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.events.models import Event, EventFormat, EventStatus, Registration, RegistrationStatus
from app.events.services import event_url, zone
from app.extensions import db
from app.governance.academic_year import (
    AcademicYear,
    DueState,
    due_state,
    local_today,
    plan_due,
)
from app.governance.dashboard.services import is_overdue
from app.governance.plans.services import plan_summaries
from app.governance.reports.services import report_summaries
from app.i18n import date_filter as format_day
from app.mixins import utcnow
from app.moderation import services as moderation
from app.notifications.models import ReminderSent
from app.notifications.services import notify_each

# A local day lasts at most 25 hours (a DST change), so tomorrow ends within this of now.
TOMORROW_WITHIN = timedelta(hours=50)
# Event keys carry their date and are useless once it has passed: kept this long.
KEEP_EVENT_KEYS = timedelta(days=30)
# Keys checked per query (SQLite allows 32766 bound parameters).
KEY_CHUNK = 5000
LEADERS = (Role.CHAIR, Role.COORDINATOR)


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """Give every reminder that is due and not given yet; how many of each were given
    (events: people reminded; plans and reports: communities reminded, each to all its chairs
    and coordinators; moderation: cases reminded, per stage)."""
    now = now or utcnow()
    communities = list(db.session.scalars(select(Community)))
    counts = {
        "events_tomorrow": _events_tomorrow(now),
        "plan_due": _remind_leaders("plan", _plan_reminders(communities, now), now),
        "report_due": _remind_leaders("plan", _report_reminders(communities, now), now),
        "moderation": moderation.send_reminders(now),
    }
    db.session.execute(delete(ReminderSent).where(
        ReminderSent.key.like("event-tomorrow:%"), ReminderSent.sent_at < now - KEEP_EVENT_KEYS))
    db.session.flush()
    return counts


# --- keys and notifications ----------------------------------------------------------------


def _already_sent(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), KEY_CHUNK):
        found.update(db.session.scalars(
            select(ReminderSent.key).where(ReminderSent.key.in_(keys[i:i + KEY_CHUNK]))))
    return found


def _record(keys: Iterable[str], now: datetime) -> None:
    rows = [{"key": key, "sent_at": now} for key in keys]
    if rows:
        db.session.execute(insert(ReminderSent), rows)


# --- events tomorrow -----------------------------------------------------------------------


def _when(event: Event, community: Community) -> str:
    """«23 ноября 2026 г. в 14:00» in the community's zone."""
    return format_datetime(event.starts_at.replace(tzinfo=UTC), "d MMMM y\u00a0'г. в' HH:mm",
                           tzinfo=zone(community), locale="ru")


def _where(event: Event) -> str:
    place, link = event.place.strip(), event.online_url.strip()
    if event.format == EventFormat.ONLINE:
        return link or place
    if event.format == EventFormat.MIXED:
        return "; ".join(part for part in (place, link) if part)
    return place or link


def event_reminder_text(event: Event, community: Community) -> str:
    where = _where(event)
    return (f"Завтра, {_when(event, community)}: «{event.title}»"
            + (f" ({where})" if where else ""))


def _events_tomorrow(now: datetime) -> int:
    """Remind the confirmed participants of the published events that start tomorrow in
    their community's zone. Three queries (events, sign-ups, keys) whatever their number."""
    candidates = db.session.execute(
        select(Event, Community)
        .join(Community, Community.id == Event.community_id)
        .options(lazyload(Event.organisers))
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
               Event.starts_at < now + TOMORROW_WITHIN)
    ).all()
    tomorrow: dict[int, tuple[Event, Community, date]] = {}
    for event, community in candidates:
        day = event.starts_at.replace(tzinfo=UTC).astimezone(zone(community)).date()
        if day == local_today(community, now) + timedelta(days=1):
            tomorrow[event.id] = (event, community, day)
    if not tomorrow:
        return 0
    signed_up = db.session.execute(
        select(Registration.event_id, Registration.user_id)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id.in_(list(tomorrow)),
               Registration.status == RegistrationStatus.CONFIRMED,
               User.deleted_at.is_(None))
        .order_by(Registration.event_id, Registration.user_id)
    ).all()
    keyed = {f"event-tomorrow:{event_id}:{user_id}:{tomorrow[event_id][2].isoformat()}":
             (event_id, user_id) for event_id, user_id in signed_up}
    sent = _already_sent(keyed)
    texts: dict[int, tuple[str, str]] = {}
    items = []
    for key, (event_id, user_id) in keyed.items():
        if key in sent:
            continue
        if event_id not in texts:
            event, community, _ = tomorrow[event_id]
            texts[event_id] = (event_reminder_text(event, community),
                               event_url(event, community))
        items.append((user_id, *texts[event_id]))
    _record((key for key in keyed if key not in sent), now)
    return notify_each("event", items, urgent=True)


# --- the plan's and the report's due dates -------------------------------------------------


@dataclass(frozen=True)
class LeaderReminder:
    """One reminder to a community's chairs and coordinators."""

    key: str
    community_id: int
    text: str
    url: str


def _plans_url(community: Community, plan) -> str:
    from flask import url_for

    if plan is not None:
        return url_for("plans.plan", community_slug=community.slug, plan_id=plan.id)
    return url_for("plans.index", community_slug=community.slug)


def _reports_url(community: Community, report, year: AcademicYear) -> str:
    from flask import url_for

    if report is not None:
        return url_for("reports.report", community_slug=community.slug, year=year.start)
    return url_for("reports.index", community_slug=community.slug)


def plan_reminder_text(community: Community, year: AcademicYear, due: DueState) -> str:
    if due.state == "missed":
        return (f"Сообщество «{community.name}»: срок утверждения плана работы на "
                f"{year.label} учебный год прошёл {format_day(due.due)}, план не утверждён.")
    return (f"Сообщество «{community.name}»: план работы на {year.label} учебный год нужно "
            f"утвердить до {format_day(due.due)}")  # the date ends with «г.»


def report_reminder_text(community: Community, year: AcademicYear, due: DueState) -> str:
    if due.state == "missed":
        return (f"Сообщество «{community.name}»: срок сдачи аналитического отчёта за "
                f"{year.label} учебный год прошёл {format_day(due.due)}, отчёт не сдан.")
    return (f"Сообщество «{community.name}»: аналитический отчёт за {year.label} учебный год "
            f"нужно сдать до {format_day(due.due)}")  # the date ends with «г.»


def _plan_reminders(communities: list[Community], now: datetime) -> list[LeaderReminder]:
    """The current year's plan, and the next year's when its due date is already near (a
    due date early in September): not approved, due in 14 days or less, or past due. The
    plans part's summaries say whether it is approved; one query per academic year met."""
    due_soon: dict[AcademicYear, list[Community]] = defaultdict(list)
    for community in communities:
        current = AcademicYear.current(community, now)
        for year in (current, current.next):
            if due_state(plan_due(community, year), local_today(community, now)).is_warning:
                due_soon[year].append(community)
    reminders = []
    for year, group in due_soon.items():
        summaries = plan_summaries(group, year)
        for community in group:
            summary = summaries[community.id]
            # The summary's own state is for today on the clock; the job's `now` decides.
            due = due_state(plan_due(community, year), local_today(community, now),
                            summary.approved_on)
            if due.is_warning:
                reminders.append(LeaderReminder(
                    f"plan-due:{community.id}:{year.start}:{due.state}", community.id,
                    plan_reminder_text(community, year, due), _plans_url(community, summary.plan)))
    return reminders


def _report_reminders(communities: list[Community], now: datetime) -> list[LeaderReminder]:
    """The current year's report and the previous year's (due after its year ends when the
    due date is in September): not submitted, due in 14 days or less or past due. A past
    year's report is owed only by a community that already existed then, as the dashboard
    has it (`is_overdue`)."""
    by_year: dict[AcademicYear, list[Community]] = defaultdict(list)
    for community in communities:
        current = AcademicYear.current(community, now)
        by_year[current].append(community)
        by_year[current.previous].append(community)
    reminders = []
    for year, group in by_year.items():
        summaries = report_summaries(group, year, now)
        for community in group:
            summary = summaries[community.id]
            due = summary.due
            if not due.is_warning:
                continue
            if year < AcademicYear.current(community, now) and not (
                    is_overdue(community, summary, year) if due.state == "missed"
                    else community.created_at.date() <= year.last_day):
                continue
            reminders.append(LeaderReminder(
                f"report-due:{community.id}:{year.start}:{due.state}", community.id,
                report_reminder_text(community, year, due),
                _reports_url(community, summary.report, year)))
    return reminders


def _remind_leaders(kind: str, reminders: list[LeaderReminder], now: datetime) -> int:
    """Give the reminders not given yet to the chairs and coordinators of their communities;
    a community with nobody in these roles is reminded once someone is appointed."""
    if not reminders:
        return 0
    sent = _already_sent(r.key for r in reminders)
    due = [r for r in reminders if r.key not in sent]
    if not due:
        return 0
    leaders: dict[int, list[int]] = defaultdict(list)
    for community_id, user_id in db.session.execute(
        select(Membership.community_id, Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.community_id.in_({r.community_id for r in due}),
               Membership.left_at.is_(None), Membership.role.in_(LEADERS),
               User.deleted_at.is_(None))
        .order_by(Membership.community_id, Membership.user_id)
    ):
        leaders[community_id].append(user_id)
    given = [r for r in due if leaders[r.community_id]]
    _record((r.key for r in given), now)
    notify_each(kind, [(user_id, r.text, r.url) for r in given
                       for user_id in leaders[r.community_id]], urgent=True)
    return len(given)
