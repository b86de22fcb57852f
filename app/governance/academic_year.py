"""The academic year (учебный год, 1 September – 31 August) and the community's due dates.

Every governance part counts by academic year: the plan is for one, meetings are held at
least N times in one, the annual report covers one. A year is named by its first calendar
year: `AcademicYear(2026)` is «2026/2027». Dates are the community's local dates; stored
times are naive UTC, so `utc_bounds` turns the year into a half-open UTC range for queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from app.communities.models import Community
from app.events.services import zone
from app.mixins import utcnow

FIRST_MONTH = 9  # 1 September
NEAR_DAYS = 14  # a due date this close is «скоро»


@dataclass(frozen=True, order=True)
class AcademicYear:
    start: int  # the calendar year of its 1 September

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls, community: Community, now: datetime | None = None) -> AcademicYear:
        return cls.of(local_today(community, now))

    @property
    def label(self) -> str:
        return f"{self.start}/{self.start + 1}"

    def __str__(self) -> str:
        return self.label

    @property
    def first_day(self) -> date:
        return date(self.start, FIRST_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, FIRST_MONTH, 1) - timedelta(days=1)

    @property
    def previous(self) -> AcademicYear:
        return AcademicYear(self.start - 1)

    @property
    def next(self) -> AcademicYear:
        return AcademicYear(self.start + 1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def date_of(self, month: int, day: int) -> date:
        """The date of a (month, day) inside this year: September–December fall in its first
        calendar year, January–August in the second."""
        return date(self.start if month >= FIRST_MONTH else self.start + 1, month, day)

    def utc_bounds(self, community: Community) -> tuple[datetime, datetime]:
        """[1 September 00:00, next 1 September 00:00) in the community's zone, as naive UTC."""
        tz = zone(community)

        def at_midnight(day: date) -> datetime:
            return datetime.combine(day, time(0), tz).astimezone(UTC).replace(tzinfo=None)

        return at_midnight(self.first_day), at_midnight(self.last_day + timedelta(days=1))


def local_today(community: Community, now: datetime | None = None) -> date:
    """Today's date in the community's zone (`now` is naive UTC, as stored)."""
    now = now or utcnow()
    return now.replace(tzinfo=UTC).astimezone(zone(community)).date()


def plan_due(community: Community, year: AcademicYear) -> date:
    """The work plan for `year` is due (003 §4.7: 15 September of that year)."""
    return year.date_of(community.plan_due_month, community.plan_due_day)


def report_due(community: Community, year: AcademicYear) -> date:
    """The analytic report on `year` is due (15 July in 001, 1 September in 003). A due date
    in September falls after the year it reports on, so it belongs to the next one."""
    if community.report_due_month >= FIRST_MONTH:
        return year.next.date_of(community.report_due_month, community.report_due_day)
    return year.date_of(community.report_due_month, community.report_due_day)


@dataclass(frozen=True)
class DueState:
    """Where a document stands against its due date, for the dashboards."""

    due: date
    state: str  # done, done_late, upcoming, near, missed
    days_left: int  # negative once missed

    @property
    def is_warning(self) -> bool:
        return self.state in ("near", "missed")

    @property
    def label(self) -> str:
        if self.state == "done":
            return _("сдан в срок")
        if self.state == "done_late":
            return _("сдан с опозданием")
        if self.state == "missed":
            return _("срок прошёл %(n)s дн. назад", n=-self.days_left)
        if self.days_left == 0:
            return _("срок сегодня")
        return _("осталось %(n)s дн.", n=self.days_left)


def due_state(due: date, today: date, done_on: date | None = None) -> DueState:
    days_left = (due - today).days
    if done_on is not None:
        return DueState(due, "done" if done_on <= due else "done_late", days_left)
    if days_left < 0:
        return DueState(due, "missed", days_left)
    if days_left <= NEAR_DAYS:
        return DueState(due, "near", days_left)
    return DueState(due, "upcoming", days_left)
