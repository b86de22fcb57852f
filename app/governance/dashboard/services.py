"""The community's dashboard and the administrators' overview of the network.

Both only read: what waits for the community's leaders (join requests, moderation cases),
its next events, and where its yearly documents stand (the plan, the meetings against the
minimum, the analytic report) through the plans, meetings and reports parts' summaries.
Every page runs a fixed number of queries, whatever the number of rows or communities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload, lazyload

from app.communities.labels import LEVEL_LABELS
from app.communities.models import Community, CommunityLevel, JoinRequest, RequestStatus
from app.events.models import Event, EventStatus
from app.extensions import db
from app.forum.models import Post
from app.governance.academic_year import AcademicYear
from app.governance.meetings.services import meeting_summaries, meeting_summary
from app.governance.plans.services import plan_summaries, plan_summary
from app.governance.reports.services import report_summaries, report_summary
from app.i18n import date_filter as format_day
from app.materials.models import Material, MaterialStatus
from app.mixins import utcnow
from app.moderation.models import ModerationCase

UPCOMING_EVENTS = 5  # how many of the next events the dashboard lists
ACTIVITY_DAYS = 30  # the network overview counts activity over this many last days
LEVEL_ORDER = {CommunityLevel.REGIONAL: 0, CommunityLevel.MUNICIPAL: 1, CommunityLevel.SCHOOL: 2}


# --- the community's dashboard ---------------------------------------------------------


@dataclass
class Panels:
    """What the coordinator, the chair and the administrator see on the dashboard."""

    year: AcademicYear
    pending_requests: int
    open_cases: int
    upcoming_events: list[Event]
    plan: Any  # plans.services.PlanSummary
    meetings: Any  # meetings.services.MeetingSummary
    report: Any  # reports.services.ReportSummary
    # The previous year's report when it is overdue (not submitted, its due date passed).
    overdue_report: Any = None

    @property
    def plan_warning(self) -> str | None:
        return plan_warning(self.plan)

    @property
    def report_warning(self) -> str | None:
        return report_warning(self.report)

    @property
    def overdue_warning(self) -> str | None:
        if self.overdue_report is None:
            return None
        return overdue_warning(self.year.previous, self.overdue_report)


def waiting_counts(community: Community) -> tuple[int, int]:
    """(pending join requests, open moderation cases) of the community, in one query. A case
    is one item in the moderation queue, however many reports it has (as the queue counts)."""
    pending = (
        select(func.count(JoinRequest.id))
        .where(JoinRequest.community_id == community.id,
               JoinRequest.status == RequestStatus.PENDING)
        .scalar_subquery()
    )
    cases = (
        select(func.count(ModerationCase.id))
        .where(ModerationCase.community_id == community.id, ModerationCase.status == "open")
        .scalar_subquery()
    )
    row = db.session.execute(select(pending, cases)).one()
    return int(row[0] or 0), int(row[1] or 0)


def upcoming_events(community: Community, now: datetime | None = None,
                    limit: int = UPCOMING_EVENTS) -> list[Event]:
    """The next published events of the community that have not ended, soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Event)
        .options(lazyload(Event.organisers))  # the panel shows no organisers
        .where(Event.community_id == community.id, Event.status == EventStatus.PUBLISHED,
               Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    ))


def community_panels(community: Community, now: datetime | None = None) -> Panels:
    now = now or utcnow()
    year = AcademicYear.current(community, now)
    pending, cases = waiting_counts(community)
    previous = report_summary(community, year.previous)
    return Panels(
        year=year,
        pending_requests=pending,
        open_cases=cases,
        upcoming_events=upcoming_events(community, now),
        plan=plan_summary(community, year),
        meetings=meeting_summary(community, year),
        report=report_summary(community, year),
        overdue_report=previous if is_overdue(community, previous, year.previous) else None,
    )


def plan_warning(plan: Any) -> str | None:
    """The dashboard's warning about the work plan's due date (seed 003 §4.7), or None."""
    due = plan.due
    if due.state == "missed":
        return _("Срок утверждения плана работы прошёл %(date)s, план не утверждён.",
                 date=format_day(due.due))
    if due.state == "near":
        return _("Приближается срок утверждения плана работы: %(date)s (%(left)s).",
                 date=format_day(due.due), left=due.label)
    return None


def report_warning(report: Any) -> str | None:
    """The dashboard's warning about the analytic report's due date (001 §4.6), or None."""
    due = report.due
    if due.state == "missed":
        return _("Срок сдачи аналитического отчёта прошёл %(date)s, отчёт не сдан.",
                 date=format_day(due.due))
    if due.state == "near":
        return _("Приближается срок сдачи аналитического отчёта: %(date)s (%(left)s).",
                 date=format_day(due.due), left=due.label)
    return None


def is_overdue(community: Community, report: Any, year: AcademicYear) -> bool:
    """A report on a past `year` is overdue if it is not submitted, its due date has passed
    and the community already existed in that year (a new community owes no old report)."""
    return (report.status != "submitted" and report.due.state == "missed"
            and community.created_at.date() <= year.last_day)


def overdue_warning(year: AcademicYear, report: Any) -> str:
    return _("Аналитический отчёт за %(year)s учебный год не сдан: срок прошёл %(date)s.",
             year=year.label, date=format_day(report.due.due))


# --- the network overview --------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """What a community did in the last ACTIVITY_DAYS days: forum posts written, materials
    published to the bank, events held (started, not cancelled). Hidden or held content does
    not count."""

    posts: int = 0
    materials: int = 0
    events: int = 0

    @property
    def total(self) -> int:
        return self.posts + self.materials + self.events


def activity_of(community_ids: Iterable[int], now: datetime | None = None,
                days: int = ACTIVITY_DAYS) -> dict[int, Activity]:
    """Activity per community id, in one query (a UNION ALL of three grouped counts)."""
    ids = list(community_ids)
    if not ids:
        return {}
    now = now or utcnow()
    since = now - timedelta(days=days)
    posts = (
        select(Post.community_id.label("cid"), literal("posts").label("kind"),
               func.count(Post.id).label("n"))
        .where(Post.community_id.in_(ids), Post.created_at >= since, Post.created_at < now,
               Post.hidden_at.is_(None), Post.held_at.is_(None))
        .group_by(Post.community_id)
    )
    materials = (
        select(Material.community_id.label("cid"), literal("materials").label("kind"),
               func.count(Material.id).label("n"))
        .where(Material.community_id.in_(ids), Material.created_at >= since,
               Material.created_at < now, Material.status == MaterialStatus.PUBLISHED,
               Material.hidden_at.is_(None), Material.held_at.is_(None))
        .group_by(Material.community_id)
    )
    events = (
        select(Event.community_id.label("cid"), literal("events").label("kind"),
               func.count(Event.id).label("n"))
        .where(Event.community_id.in_(ids), Event.starts_at >= since, Event.starts_at < now,
               Event.status.in_([EventStatus.PUBLISHED, EventStatus.FINISHED]))
        .group_by(Event.community_id)
    )
    counts: dict[int, dict[str, int]] = {}
    for cid, kind, n in db.session.execute(union_all(posts, materials, events)):
        counts.setdefault(cid, {})[kind] = int(n)
    return {cid: Activity(**counts.get(cid, {})) for cid in ids}


@dataclass
class NetworkRow:
    community: Community
    activity: Activity
    plan: Any  # PlanSummary
    meetings: Any  # MeetingSummary
    report: Any  # ReportSummary
    overdue_report: Any = None  # the previous year's, if overdue (see is_overdue)


@dataclass
class Rollup:
    """Subtotals of a group of communities (a level, a municipality, the whole selection)."""

    label: str
    communities: int = 0
    members: int = 0
    activity: int = 0
    behind_on_meetings: int = 0
    plans_approved: int = 0
    reports_submitted: int = 0
    reports_overdue: int = 0  # last year's reports not submitted in time (see is_overdue)

    def add(self, row: NetworkRow) -> None:
        self.communities += 1
        self.members += row.community.member_count
        self.activity += row.activity.total
        self.behind_on_meetings += int(bool(row.meetings.is_behind))
        self.plans_approved += int(row.plan.status == "approved")
        self.reports_submitted += int(row.report.status == "submitted")
        self.reports_overdue += int(row.overdue_report is not None)


@dataclass
class Network:
    year: AcademicYear
    rows: list[NetworkRow]
    by_level: list[Rollup]
    by_municipality: list[Rollup]
    total: Rollup
    municipalities: list[str] = field(default_factory=list)  # all of them, for the filter


def platform_year(now: datetime | None = None) -> AcademicYear:
    """One academic year for the whole network: the platform's date decides (its zone is the
    default one, Moscow), not each community's."""
    now = now or utcnow()
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return AcademicYear.of(now.replace(tzinfo=UTC).astimezone(tz).date())


def _sort_key(c: Community) -> tuple:
    return (LEVEL_ORDER.get(c.level, 9), c.municipality.casefold(), c.name.casefold(), c.id)


def network(level: str = "", municipality: str = "", now: datetime | None = None) -> Network:
    """Every community of the platform (or those of one level and/or municipality) with its
    numbers for the current academic year, and the roll-ups by level and by municipality.
    A fixed number of queries: the communities with their parents, the activity, and each
    part's batch summary."""
    now = now or utcnow()
    everyone = sorted(
        db.session.scalars(select(Community).options(joinedload(Community.parent))).unique(),
        key=_sort_key,
    )
    municipalities = sorted({c.municipality for c in everyone if c.municipality},
                            key=str.casefold)
    # An unknown value (a hand-made URL) filters nothing; the form shows it as an error.
    level = level if level in set(CommunityLevel) else ""
    municipality = municipality if municipality in municipalities else ""
    communities = [
        c for c in everyone
        if (not level or c.level == level)
        and (not municipality or c.municipality == municipality)
    ]
    year = platform_year(now)
    activity = activity_of([c.id for c in communities], now)
    plans = plan_summaries(communities, year) if communities else {}
    meetings = meeting_summaries(communities, year) if communities else {}
    reports = report_summaries(communities, year) if communities else {}
    previous = report_summaries(communities, year.previous) if communities else {}
    rows = [
        NetworkRow(community=c, activity=activity[c.id], plan=plans[c.id],
                   meetings=meetings[c.id], report=reports[c.id],
                   overdue_report=previous[c.id]
                   if is_overdue(c, previous[c.id], year.previous) else None)
        for c in communities
    ]
    by_level: dict[str, Rollup] = {}
    by_municipality: dict[str, Rollup] = {}
    total = Rollup(_("Всего"))
    no_municipality = _("Муниципалитет не указан")
    for row in rows:
        c = row.community
        by_level.setdefault(c.level, Rollup(str(LEVEL_LABELS.get(c.level, c.level)))).add(row)
        by_municipality.setdefault(
            c.municipality, Rollup(c.municipality or no_municipality)
        ).add(row)
        total.add(row)
    return Network(
        year=year,
        rows=rows,
        by_level=[by_level[k] for k in sorted(by_level, key=lambda k: LEVEL_ORDER.get(k, 9))],
        by_municipality=[
            by_municipality[k]
            for k in sorted(by_municipality, key=lambda k: (k == "", k.casefold()))
        ],
        total=total,
        municipalities=municipalities,
    )
