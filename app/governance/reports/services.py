"""The annual analytic report: starting it, writing its sections, submitting it (the numbers
are frozen then) and returning it to draft; and the summaries the dashboards read.

Who may do what is checked by the views (permissions.py); the services check the state of
the report and the input, raise DomainError in Russian, flush and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError
from app.events.services import zone
from app.extensions import db
from app.governance.academic_year import (
    AcademicYear,
    DueState,
    due_state,
    local_today,
    report_due,
)
from app.governance.reports.labels import SECTIONS, STATUS_LABELS
from app.governance.reports.models import AnnualReport, ReportStatus
from app.governance.reports.numbers import ReportNumbers, assemble
from app.mixins import utcnow
from app.notifications.services import notify, notify_many
from app.sanitize import render_markdown

SECTION_MAX = 20000
REASON_MAX = 2000
FIRST_YEAR = 2000  # reports for earlier years make no sense on this platform


def _year(year: AcademicYear | int) -> AcademicYear:
    return year if isinstance(year, AcademicYear) else AcademicYear(year)


def local_date(stored: datetime, community: Community) -> date:
    """The community's local date of a stored (naive UTC) moment."""
    return stored.replace(tzinfo=UTC).astimezone(zone(community)).date()


# --- summaries (the dashboards) --------------------------------------------------------------


@dataclass(frozen=True)
class ReportSummary:
    report: AnnualReport | None
    status: str  # none, draft, submitted
    status_label: str
    submitted_on: date | None
    due: DueState
    year: AcademicYear


def summary_of(community: Community, year: AcademicYear, report: AnnualReport | None,
             now: datetime | None = None) -> ReportSummary:
    status = report.status if report is not None else "none"
    submitted_on = None
    if report is not None and report.is_submitted and report.submitted_at is not None:
        submitted_on = local_date(report.submitted_at, community)
    due = due_state(report_due(community, year), local_today(community, now), submitted_on)
    return ReportSummary(report=report, status=status, status_label=STATUS_LABELS[status],
                         submitted_on=submitted_on, due=due, year=year)


def report_summaries(communities: Iterable[Community], year: AcademicYear | int,
                     now: datetime | None = None) -> dict[int, ReportSummary]:
    """Each community's report on `year` (one query for any number of communities)."""
    year = _year(year)
    communities = list(communities)
    if not communities:
        return {}
    reports = {r.community_id: r for r in db.session.scalars(select(AnnualReport).where(
        AnnualReport.community_id.in_([c.id for c in communities]),
        AnnualReport.year == year.start))}
    return {c.id: summary_of(c, year, reports.get(c.id), now) for c in communities}


def report_summary(community: Community, year: AcademicYear | int,
                   now: datetime | None = None) -> ReportSummary:
    return report_summaries([community], year, now)[community.id]


# --- reading -------------------------------------------------------------------------------


def report_of(community: Community, year: AcademicYear | int) -> AnnualReport | None:
    return db.session.scalar(select(AnnualReport).where(
        AnnualReport.community_id == community.id, AnnualReport.year == _year(year).start))


def reports_of(community: Community) -> list[AnnualReport]:
    return list(db.session.scalars(select(AnnualReport).where(
        AnnualReport.community_id == community.id).order_by(AnnualReport.year.desc())))


def numbers_of(report: AnnualReport, community: Community,
               now: datetime | None = None) -> ReportNumbers:
    """The frozen numbers of a submitted report; live ones while it is a draft."""
    if report.is_submitted and report.numbers:
        return ReportNumbers.from_dict(report.numbers)
    return assemble(community, AcademicYear(report.year), now)


def startable_years(community: Community, now: datetime | None = None) -> list[AcademicYear]:
    """The years a report may be started for: the current one and the one before it."""
    current = AcademicYear.current(community, now)
    return [current, current.previous]


def missing_sections(report: AnnualReport) -> list[str]:
    """Keys of the required sections still empty."""
    return [s.key for s in SECTIONS if s.required and not getattr(report, s.key).strip()]


# --- actions -------------------------------------------------------------------------------


def start_report(community: Community, actor: User, year: AcademicYear | int,
                 now: datetime | None = None) -> AnnualReport:
    year = _year(year)
    current = AcademicYear.current(community, now)
    if year > current:
        raise DomainError(f"Учебный год {year.label} ещё не начался: отчёт за него составить "
                          "нельзя.")
    if year.start < FIRST_YEAR:
        raise DomainError(f"Отчёт за {year.label} учебный год составить нельзя.")
    if report_of(community, year) is not None:
        raise DomainError(f"Отчёт за {year.label} учебный год уже начат.")
    report = AnnualReport(community_id=community.id, year=year.start, created_by_id=actor.id,
                          updated_by_id=actor.id)
    try:
        with db.session.begin_nested():  # someone else started it a moment ago
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        raise DomainError(f"Отчёт за {year.label} учебный год уже начат.") from None
    return report


def save_sections(report: AnnualReport, actor: User, texts: Mapping[str, str | None],
                  now: datetime | None = None) -> AnnualReport:
    """Replace the sections given in `texts` (keys of labels.SECTIONS) in a draft."""
    if report.is_submitted:
        raise DomainError("Отчёт уже сдан. Изменить его можно, только если администратор "
                          "вернёт его на доработку.")
    for section in SECTIONS:
        if section.key not in texts:
            continue
        value = (texts[section.key] or "").strip()
        if len(value) > SECTION_MAX:
            raise DomainError(f"Раздел «{section.title}» — не длиннее {SECTION_MAX} символов.",
                              section.key)
        setattr(report, section.key, value)
        setattr(report, f"{section.key}_html", render_markdown(value))
    report.updated_by_id = actor.id
    report.updated_at = now or utcnow()
    db.session.flush()
    return report


class SectionsMissing(DomainError):
    """Submitting refused: required sections are empty (`missing`: their keys)."""

    def __init__(self, missing: list[str]):
        titles = {s.key: s.title for s in SECTIONS}
        names = ", ".join(f"«{titles[key]}»" for key in missing)
        word = "раздел" if len(missing) == 1 else "разделы"
        super().__init__(f"Чтобы сдать отчёт, заполните {word} {names}.", missing[0])
        self.missing = missing


def submit(report: AnnualReport, community: Community, actor: User,
           texts: Mapping[str, str | None] | None = None,
           now: datetime | None = None) -> AnnualReport:
    """Save the sections (if given), check the required ones, freeze the numbers, and tell
    the administrators (the body that receives the report)."""
    now = now or utcnow()
    if report.is_submitted:
        raise DomainError("Отчёт уже сдан.")
    if texts is not None:
        save_sections(report, actor, texts, now)
    missing = missing_sections(report)
    if missing:
        raise SectionsMissing(missing)
    if not _claim(report, ReportStatus.DRAFT, ReportStatus.SUBMITTED):
        raise DomainError("Отчёт уже сдан.")
    year = AcademicYear(report.year)
    report.numbers = assemble(community, year, now).to_dict()
    report.submitted_by_id = actor.id
    report.submitted_at = now
    admins = list(db.session.scalars(select(User.id).where(User.is_admin)))
    notify_many(admins, "plan",
                f"Сообщество «{community.name}» сдало аналитический отчёт за {year.label} "
                "учебный год.", report_url(report, community))
    db.session.flush()
    return report


def return_to_draft(report: AnnualReport, community: Community, actor: User, reason: str,
                    now: datetime | None = None) -> AnnualReport:
    """The administrator returns a submitted report for rework, with a reason the authors
    are told. The sections stay; the numbers are live again until the next submission."""
    reason = (reason or "").strip()
    if not report.is_submitted:
        raise DomainError("Отчёт ещё не сдан: возвращать нечего.")
    if not reason:
        raise DomainError("Укажите причину возврата: её увидит руководитель сообщества.",
                          "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"Причина — не длиннее {REASON_MAX} символов.", "reason")
    if not _claim(report, ReportStatus.SUBMITTED, ReportStatus.DRAFT):
        raise DomainError("Отчёт уже возвращён на доработку.")
    report.returned_by_id = actor.id
    report.returned_at = now or utcnow()
    report.return_reason = reason
    label = AcademicYear(report.year).label
    for person in {p.id: p for p in (report.submitted_by, report.created_by) if p}.values():
        notify(person, "plan",
               f"Аналитический отчёт за {label} учебный год возвращён на доработку. "
               f"Причина: {reason}", report_url(report, community))
    db.session.flush()
    return report


def _claim(report: AnnualReport, old: str, new: str) -> bool:
    """Move the report from `old` to `new` status in one conditional UPDATE, so that of two
    requests at the same moment (a double click) only one goes through."""
    db.session.flush()
    done = db.session.execute(
        update(AnnualReport).where(AnnualReport.id == report.id, AnnualReport.status == old)
        .values(status=new).execution_options(synchronize_session=False)).rowcount
    if done:
        report.status = new
    return bool(done)


def report_url(report: AnnualReport, community: Community) -> str:
    return url_for("reports.report", community_slug=community.slug, year=report.year)
