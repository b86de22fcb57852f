"""План работы на учебный год: the plans by year, a plan's page (the items, the fact, the
council's approval), drafting its items, the council's votes, a draft for the next year.

Members read; the chair and the coordinators (and the administrator) draft and keep the fact;
council members vote."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import htmx
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.academic_year import AcademicYear, due_state, local_today, plan_due
from app.governance.plans import services
from app.governance.plans.forms import (
    CreatePlanForm,
    FactForm,
    ItemForm,
    ReturnForm,
    StatusForm,
    VoteForm,
)
from app.governance.plans.labels import (
    DECISION_LABELS,
    FACT_LABELS,
    ITEM_STATUS_LABELS,
    LOG_LABELS,
    form_label,
    when_label,
)
from app.governance.plans.models import Plan, PlanItem, PlanVote
from app.governance.plans.permissions import can_draft_plan, can_view_plans, can_vote_plan
from app.mixins import utcnow
from app.permissions import require

bp = Blueprint("plans", __name__)


@bp.app_template_global("plan_item_when")
def plan_item_when(item: PlanItem, year: int) -> str:
    return when_label(item.day, item.month, year)


@bp.app_template_global("plan_item_form")
def plan_item_form(item: PlanItem) -> str:
    return form_label(item.form, item.form_other)


bp.add_app_template_filter(lambda v: ITEM_STATUS_LABELS.get(v, v), "plan_item_status")
bp.add_app_template_filter(lambda v: DECISION_LABELS.get(v, v), "plan_decision")
bp.add_app_template_filter(lambda v: FACT_LABELS.get(v, v), "plan_fact")
bp.add_app_template_filter(lambda v: LOG_LABELS.get(v, v), "plan_log_action")


@bp.before_request
@login_required
def members_only():
    require(can_view_plans(current_user, g.community))


def plan_or_404(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.community_id != g.community.id:
        abort(404)
    return plan


def _drafter_plan(plan_id: int) -> Plan:
    plan = plan_or_404(plan_id)
    require(can_draft_plan(current_user, g.community))
    return plan


def _item_or_404(plan: Plan, item_id: int) -> PlanItem:
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        abort(404)
    return item


def _check_csrf() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


# --- the plans by year ---------------------------------------------------------------------


@bp.get("/")
def index():
    summaries = services.summaries_by_year(g.community)
    years = services.creatable_years(g.community) \
        if can_draft_plan(current_user, g.community) else []
    return render_template(
        "governance/plans/index.html", community=g.community, summaries=summaries,
        create_form=CreatePlanForm(years=years) if years else None,
        current=AcademicYear.current(g.community),
    )


@bp.post("/new")
def create():
    require(can_draft_plan(current_user, g.community))
    form = CreatePlanForm(years=services.creatable_years(g.community))
    if not form.validate_on_submit():
        flash(_("Выберите учебный год из списка."), "error")
        return redirect(url_for(".index"), 303)
    try:
        plan = services.create_plan(g.community, current_user, form.year.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".index"), 303)
    except IntegrityError:  # created at the same moment in another tab
        db.session.rollback()
        flash(_("План на этот учебный год уже есть."), "error")
        return redirect(url_for(".index"), 303)
    flash(_("Черновик плана создан. Добавьте пункты и отправьте план на утверждение Совета."),
          "success")
    return redirect(url_for(".plan", plan_id=plan.id), 303)


# --- one plan ----------------------------------------------------------------------------


def _plan_context(plan: Plan) -> dict:
    community = g.community
    approval = services.approval_of(plan, community)
    now = utcnow()
    year = AcademicYear(plan.year)
    on = services.approved_on(plan, community)
    return {
        "community": community, "plan": plan, "year": year, "items": plan.items,
        "approval": approval, "my_vote": approval.vote_of(current_user),
        "history": services.history_of(plan),
        "totals": services.fact_totals(plan.items, now), "now": now,
        "facts": {i.id: services.event_fact(i.event, now) for i in plan.items},
        "approved_on": on,
        "due": due_state(plan_due(community, year), local_today(community, now), on),
        "drafter": can_draft_plan(current_user, community),
        "voter": can_vote_plan(current_user, community),
        "next_exists": services.plan_of(community, plan.year + 1) is not None,
        "vote_form": VoteForm(formdata=None), "return_form": ReturnForm(formdata=None),
        "status_choices": list(ITEM_STATUS_LABELS.items()),
    }


@bp.get("/<int:plan_id>")
def plan(plan_id: int):
    plan = plan_or_404(plan_id)
    return render_template("governance/plans/plan.html", **_plan_context(plan))


# --- drafting ------------------------------------------------------------------------------


def _item_form(plan: Plan, item: PlanItem | None = None) -> ItemForm:
    return ItemForm(obj=item, year=plan.year, community=g.community,
                    events=services.event_choices(g.community, plan.year))


def _item_fields(form: ItemForm) -> services.ItemFields:
    return services.ItemFields(
        title=form.title.data or "", form=form.form.data, responsible_id=form.responsible_id.data
        or None, day=form.day.data, month=form.month.data or None,
        form_other=form.form_other.data or "", event_id=form.event_id.data or None,
        note=form.note.data or "",
    )


def _item_page(plan: Plan, form, item: PlanItem | None, status: int, fact: bool = False):
    return render_template("governance/plans/item_form.html", community=g.community, plan=plan,
                           form=form, item=item, fact=fact,
                           year=AcademicYear(plan.year)), status


@bp.route("/<int:plan_id>/items/new", methods=["GET", "POST"])
def new_item(plan_id: int):
    plan = _drafter_plan(plan_id)
    refusal = services.content_refusal(plan)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for(".plan", plan_id=plan.id), 303)
    form = _item_form(plan)
    if form.validate_on_submit():
        try:
            item = services.add_item(plan, g.community, current_user, _item_fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Пункт добавлен в план."), "success")
            return redirect(url_for(".plan", plan_id=plan.id, _anchor=f"plan-item-{item.id}"),
                            303)
    return _item_page(plan, form, None, 422 if form.is_submitted() else 200)


@bp.route("/<int:plan_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(plan_id: int, item_id: int):
    """A draft's item: everything; an item of a plan on approval or approved: its fact."""
    plan = _drafter_plan(plan_id)
    item = _item_or_404(plan, item_id)
    fact = not plan.is_draft
    events = services.event_choices(g.community, plan.year)
    if fact:
        form = FactForm(obj=item, events=events)
    else:
        form = ItemForm(obj=item, year=plan.year, community=g.community,
                        events=events)
        if not form.is_submitted():
            form.month.data = 0 if item.day else item.month
    if not form.is_submitted():
        form.event_id.data = item.event_id or 0
    if form.validate_on_submit():
        try:
            if fact:
                services.set_fact(item, g.community, current_user, status=form.status.data,
                                  event_id=form.event_id.data or None, note=form.note.data or "")
            else:
                services.update_item(item, g.community, current_user, _item_fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Пункт плана сохранён."), "success")
            return redirect(url_for(".plan", plan_id=plan.id, _anchor=f"plan-item-{item.id}"),
                            303)
    return _item_page(plan, form, item, 422 if form.is_submitted() else 200, fact)


def _items_region(plan: Plan, status: int = 200, error: str | None = None):
    """The items table (htmx) or back to the plan page with a message."""
    if htmx.is_htmx():
        ctx = _plan_context(plan)
        return htmx.render("governance/plans/_items.html", None, error=error, **ctx), status
    if error:
        flash(error, "error")
    return redirect(url_for(".plan", plan_id=plan.id, _anchor="plan-items"), 303)


@bp.post("/<int:plan_id>/items/<int:item_id>/move/<any(up,down):direction>")
def move_item(plan_id: int, item_id: int, direction: str):
    plan = _drafter_plan(plan_id)
    item = _item_or_404(plan, item_id)
    _check_csrf()
    try:
        services.move_item(item, current_user, direction)
    except DomainError as error:
        db.session.rollback()
        return _items_region(plan, 422, error.message)
    db.session.commit()
    return _items_region(plan)


@bp.post("/<int:plan_id>/items/<int:item_id>/remove")
def remove_item(plan_id: int, item_id: int):
    plan = _drafter_plan(plan_id)
    item = _item_or_404(plan, item_id)
    _check_csrf()
    title = item.title
    try:
        services.remove_item(item, current_user)
    except DomainError as error:
        db.session.rollback()
        return _items_region(plan, 422, error.message)
    db.session.commit()
    flash(_("Пункт «%(t)s» убран из плана.", t=title), "success")
    return _items_region(plan)


@bp.post("/<int:plan_id>/items/<int:item_id>/status")
def set_status(plan_id: int, item_id: int):
    plan = _drafter_plan(plan_id)
    item = _item_or_404(plan, item_id)
    form = StatusForm()
    error = None
    if not form.validate_on_submit():
        error = _("Выберите статус из списка.")
    else:
        try:
            services.set_item_status(item, current_user, form.status.data)
        except DomainError as exc:
            error = exc.message
        else:
            db.session.commit()
    if error:
        db.session.rollback()
    if htmx.is_htmx():
        ctx = _plan_context(plan)
        return htmx.render("governance/plans/_item_status.html", None, item=item, error=error,
                           oob_totals=True, **ctx), 422 if error else 200
    if error:
        flash(error, "error")
    else:
        flash(_("Статус пункта: %(s)s.", s=ITEM_STATUS_LABELS[item.status]), "success")
    return redirect(url_for(".plan", plan_id=plan.id, _anchor=f"plan-item-{item.id}"), 303)


# --- approval -----------------------------------------------------------------------------


def _button(plan: Plan, action, success: str):
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for(".plan", plan_id=plan.id), 303)


@bp.post("/<int:plan_id>/send")
def send(plan_id: int):
    plan = _drafter_plan(plan_id)
    _check_csrf()
    return _button(plan, lambda: services.send_for_approval(plan, g.community, current_user),
                   _("План отправлен на утверждение: члены Совета получили уведомление."))


def _approval_region(plan: Plan, form: VoteForm, status: int = 200):
    """The approval block (htmx), the page with the refused vote (422), or back to it."""
    if htmx.is_htmx() or status != 200:
        ctx = _plan_context(plan)
        ctx["vote_form"] = form
        return htmx.render("governance/plans/_approval.html", "governance/plans/plan.html",
                           **ctx), status
    return redirect(url_for(".plan", plan_id=plan.id, _anchor="plan-approval"), 303)


@bp.post("/<int:plan_id>/vote")
def vote(plan_id: int):
    plan = plan_or_404(plan_id)
    require(can_vote_plan(current_user, g.community))
    form = VoteForm()
    if not form.validate_on_submit():
        return _approval_region(plan, form, 422)
    try:
        ballot = services.vote(plan, g.community, current_user, form.decision.data or "",
                               form.comment.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        apply_domain_error(form, error)
        return _approval_region(plan, form, 422)
    except IntegrityError:  # the same member's second click won the race
        db.session.rollback()
        earlier = db.session.scalar(select(PlanVote).where(
            PlanVote.plan_id == plan.id, PlanVote.user_id == current_user.id))
        form.form_errors.append(services.already_voted(earlier) if earlier else
                                _("Ваше решение уже записано."))
        return _approval_region(plan, form, 422)
    if plan.is_approved:
        flash(_("Ваше решение записано. План утверждён."), "success")
    elif ballot.approves:
        flash(_("Ваше решение записано: вы утвердили план."), "success")
    else:
        flash(_("Ваше возражение записано."), "success")
    return _approval_region(plan, VoteForm(formdata=None))


@bp.post("/<int:plan_id>/return")
def return_to_draft(plan_id: int):
    plan = _drafter_plan(plan_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            services.return_to_draft(plan, g.community, current_user, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("План возвращён на доработку. Решения Совета сохранены в истории плана; "
                    "после правок отправьте план на утверждение снова."), "success")
            return redirect(url_for(".plan", plan_id=plan.id), 303)
    ctx = _plan_context(plan)
    ctx["return_form"] = form
    return render_template("governance/plans/plan.html", **ctx), 422


@bp.post("/<int:year>/draft-next")
def draft_next(year: int):
    require(can_draft_plan(current_user, g.community))
    _check_csrf()
    try:
        plan = services.draft_next(g.community, current_user, year)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        source = services.plan_of(g.community, year)
        target = url_for(".plan", plan_id=source.id) if source else url_for(".index")
        return redirect(target, 303)
    except IntegrityError:
        db.session.rollback()
        flash(_("План на %(y)s учебный год уже есть.", y=AcademicYear(year + 1).label), "error")
        return redirect(url_for(".index"), 303)
    flash(_("Черновик плана на %(y)s учебный год составлен по плану %(p)s: проверьте сроки и "
            "ответственных.", y=AcademicYear(year + 1).label, p=AcademicYear(year).label),
          "success")
    return redirect(url_for(".plan", plan_id=plan.id), 303)
