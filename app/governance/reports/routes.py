"""The annual analytic report (аналитический отчёт): the list by year, the report page (the
head's sections, the numbers, submitting, the documents) and returning it to draft.

A year is named in URLs by its start: /c/<slug>/reports/2025 is the report on 2025/2026."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.academic_year import AcademicYear
from app.governance.reports import documents, services
from app.governance.reports.forms import ReturnForm, SectionsForm
from app.governance.reports.labels import SECTIONS
from app.governance.reports.models import AnnualReport
from app.governance.reports.numbers import tables
from app.governance.reports.permissions import (
    can_edit_reports,
    can_return_report,
    can_submit_report,
    can_view_report,
    can_view_reports,
)
from app.permissions import require

bp = Blueprint("reports", __name__)


@bp.before_request
@login_required
def members_only():
    require(can_view_reports(current_user, g.community))


def _academic_year(year: int) -> AcademicYear:
    if not services.FIRST_YEAR <= year <= 9000:
        abort(404)
    return AcademicYear(year)


def report_or_404(year: int) -> AnnualReport:
    """The community's report on `year` if the current user may read it: 404 if there is
    none, 403 for a draft to someone who may not edit it."""
    report = services.report_of(g.community, _academic_year(year))
    if report is None:
        abort(404)
    require(can_view_report(current_user, report, g.community))
    return report


# --- the list ------------------------------------------------------------------------------


@bp.get("/")
def index():
    community = g.community
    reports = {r.year: r for r in services.reports_of(community)}
    startable = services.startable_years(community)
    years = sorted({*reports, *(y.start for y in startable)}, reverse=True)
    rows = [services.summary_of(community, AcademicYear(y), reports.get(y)) for y in years]
    return render_template(
        "governance/reports/index.html", community=community, rows=rows,
        startable=[y for y in startable if y.start not in reports],
        editor=can_edit_reports(current_user, community),
    )


@bp.post("/<int:year>/start")
def start(year: int):
    community = g.community
    require(can_edit_reports(current_user, community))
    academic_year = _academic_year(year)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.start_report(community, current_user, academic_year)
    except DomainError as error:
        flash(error.message, "error")
        if services.report_of(community, academic_year) is not None:
            return redirect(url_for(".report", year=year), 303)
        return redirect(url_for(".index"), 303)
    db.session.commit()
    flash(_("Отчёт за %(y)s учебный год начат. Показатели собраны автоматически; "
            "заполните разделы.", y=academic_year.label), "success")
    return redirect(url_for(".report", year=year), 303)


# --- one report ----------------------------------------------------------------------------


def _page(report: AnnualReport, form: SectionsForm | None, status: int = 200):
    community = g.community
    editable = report.is_draft and can_edit_reports(current_user, community)
    if editable and form is None:
        form = SectionsForm(obj=report)
    numbers = services.numbers_of(report, community)
    summary = services.summary_of(community, AcademicYear(report.year), report)
    return render_template(
        "governance/reports/report.html", community=community, report=report,
        year=AcademicYear(report.year), numbers=numbers, tables=tables(numbers),
        summary=summary, form=form if editable else None, sections=SECTIONS,
        missing=services.missing_sections(report) if report.is_draft else [],
        can_submit=report.is_draft and can_submit_report(current_user, community),
        can_return=report.is_submitted and can_return_report(current_user, community),
    ), status


@bp.route("/<int:year>", methods=["GET", "POST"])
def report(year: int):
    report = report_or_404(year)
    if request.method == "GET":
        return _page(report, None)
    require(can_edit_reports(current_user, g.community))
    if report.is_submitted:
        raise DomainError(_("Отчёт уже сдан. Изменить его можно, только если администратор "
                            "вернёт его на доработку."))
    form = SectionsForm()
    if form.validate_on_submit():
        try:
            services.save_sections(report, current_user, form.texts())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Черновик отчёта сохранён."), "success")
            return redirect(url_for(".report", year=year), 303)
    return _page(report, form, 422)


@bp.post("/<int:year>/submit")
def submit(year: int):
    report = report_or_404(year)
    require(can_submit_report(current_user, g.community))
    form = SectionsForm()
    if form.validate_on_submit():
        # The submit button belongs to the sections' form: what is typed is saved with it.
        # A bare button (no section fields) submits what was saved.
        sent = any(s.key in request.form for s in SECTIONS)
        try:
            services.submit(report, g.community, current_user,
                            texts=form.texts() if sent else None)
        except services.SectionsMissing as error:
            for key in error.missing:
                form[key].errors = [*form[key].errors,
                                    _("Заполните этот раздел, чтобы сдать отчёт.")]
            form.form_errors.append(error.message)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Отчёт сдан. Показатели зафиксированы на сегодняшний день."), "success")
            return redirect(url_for(".report", year=year), 303)
    if report.is_submitted:
        flash(form.form_errors[0] if form.form_errors else _("Отчёт уже сдан."), "error")
        return redirect(url_for(".report", year=year), 303)
    db.session.rollback()  # nothing of a refused submission is kept
    if not any(s.key in request.form for s in SECTIONS):
        form = _with_saved_texts(form, report)
    return _page(report, form, 422)


def _with_saved_texts(form: SectionsForm, report: AnnualReport) -> SectionsForm:
    """A bare submit button was refused: show the saved texts with the errors."""
    for section in SECTIONS:
        form[section.key].data = getattr(report, section.key)
    return form


@bp.route("/<int:year>/return", methods=["GET", "POST"])
def return_to_draft(year: int):
    report = report_or_404(year)
    require(can_return_report(current_user, g.community))
    if not report.is_submitted:
        flash(_("Отчёт ещё не сдан: возвращать нечего."), "error")
        return redirect(url_for(".report", year=year), 303)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            services.return_to_draft(report, g.community, current_user, form.reason.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Отчёт возвращён на доработку."), "success")
            return redirect(url_for(".report", year=year), 303)
    return render_template("governance/reports/return.html", community=g.community,
                           report=report, year=AcademicYear(report.year), form=form), \
        422 if form.is_submitted() else 200


@bp.get("/<int:year>/report.<any(docx,pdf):fmt>")
def export(year: int, fmt: str):
    report = report_or_404(year)
    content = documents.content_of(report, g.community,
                                   services.numbers_of(report, g.community))
    if fmt == "docx":
        return documents.docx_response(content)
    return documents.pdf_response(content)
