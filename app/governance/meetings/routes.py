"""Заседания of a community: the year's meetings against the minimum, a meeting's agenda,
its minutes (written, signed, exported as DOCX and PDF) and the register of decisions.

A meeting itself is an event of type «meeting», created and run on the events pages
(events.new?type=meeting); these pages add what only meetings have."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app import htmx
from app.communities.permissions import can_view_inside
from app.errors import DomainError
from app.events.models import Event, EventType
from app.events.permissions import can_manage_events, can_view_event
from app.events.services import to_local
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.academic_year import AcademicYear, local_today
from app.governance.meetings import documents, services
from app.governance.meetings.forms import (
    AgendaItemForm,
    DecisionStatusForm,
    MinutesForm,
    QuestionForm,
    RecommendationForm,
    RegisterFilterForm,
)
from app.governance.meetings.labels import (
    CARRYOVER_TITLE,
    DECISION_KIND_LABELS,
    DECISION_STATUS_LABELS,
    MEETING_STATE_LABELS,
    MINUTES_STATUS_LABELS,
)
from app.governance.meetings.models import (
    AgendaItem,
    Decision,
    Minutes,
    MinutesQuestion,
    MinutesRecommendation,
)
from app.governance.meetings.permissions import (
    can_edit_meeting,
    can_read_minutes,
    can_update_decision,
)
from app.mixins import utcnow
from app.pagination import paginate
from app.permissions import require

bp = Blueprint("meetings", __name__)


@bp.app_template_filter("decision_status")
def decision_status_label(value: str) -> str:
    return DECISION_STATUS_LABELS.get(value, value)


@bp.app_template_filter("decision_kind")
def decision_kind_label(value: str) -> str:
    return DECISION_KIND_LABELS.get(value, value)


@bp.app_template_filter("minutes_status")
def minutes_status_label(value: str) -> str:
    return MINUTES_STATUS_LABELS.get(value, value)


@bp.app_template_filter("meeting_state")
def meeting_state_label(value: str) -> str:
    return MEETING_STATE_LABELS.get(value, value)


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


def meeting_or_404(event_id: int) -> Event:
    """The meeting of this community that the current user may see, else 404."""
    event = db.session.get(Event, event_id)
    if (event is None or event.community_id != g.community.id
            or event.type != EventType.MEETING
            or not can_view_event(current_user, event, g.community)):
        abort(404)
    return event


def _editor_or_403(event_id: int) -> Event:
    event = meeting_or_404(event_id)
    require(can_edit_meeting(current_user, event, g.community))
    return event


def _child_or_404(model, child_id: int, **parent):
    child = db.session.get(model, child_id)
    if child is None or child.removed_at is not None or any(
            getattr(child, k) != v for k, v in parent.items()):
        abort(404)
    return child


# --- the year's meetings -----------------------------------------------------------------


def _year_arg() -> AcademicYear:
    current = AcademicYear.current(g.community)
    raw = request.args.get("year", "")
    if raw.isdigit() and abs(int(raw) - current.start) <= 50:
        return AcademicYear(int(raw))
    return current


@bp.get("/")
def index():
    year = _year_arg()
    now = utcnow()
    return render_template(
        "governance/meetings/index.html", community=g.community, year=year,
        current_year=AcademicYear.current(g.community, now),
        summary=services.meeting_summary(g.community, year, now),
        rows=services.year_meetings(g.community, year, now=now,
                                    include_drafts=can_manage_events(current_user,
                                                                     g.community)),
    )


# --- the agenda ----------------------------------------------------------------------------


def _agenda_page(event: Event, form: AgendaItemForm, status: int = 200):
    return render_template(
        "governance/meetings/agenda.html", community=g.community, event=event,
        items=services.agenda_items(event), carried=services.open_decisions_before(event),
        carryover_title=CARRYOVER_TITLE, refusal=services.agenda_refusal(event),
        editor=can_edit_meeting(current_user, event, g.community),
        minutes=services.minutes_of(event), form=form,
    ), status


@bp.get("/<int:event_id>/agenda")
def agenda(event_id: int):
    event = meeting_or_404(event_id)
    return _agenda_page(event, AgendaItemForm(community=g.community))


@bp.post("/<int:event_id>/agenda/items")
def add_agenda_item(event_id: int):
    event = _editor_or_403(event_id)
    form = AgendaItemForm(community=g.community)
    if form.validate_on_submit():
        try:
            services.add_agenda_item(event, g.community, current_user, form.title.data,
                                     form.member("speaker_id"))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Вопрос добавлен в повестку."), "success")
            return redirect(url_for(".agenda", event_id=event.id), 303)
    return _agenda_page(event, form, 422)


@bp.route("/<int:event_id>/agenda/<int:agenda_item_id>/edit", methods=["GET", "POST"])
def edit_agenda_item(event_id: int, agenda_item_id: int):
    event = _editor_or_403(event_id)
    item = _child_or_404(AgendaItem, agenda_item_id, event_id=event.id)
    form = AgendaItemForm(obj=item, community=g.community)
    if form.validate_on_submit():
        try:
            services.update_agenda_item(item, event, g.community, current_user,
                                        form.title.data, form.member("speaker_id"))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Вопрос повестки изменён."), "success")
            return redirect(url_for(".agenda", event_id=event.id), 303)
    elif not form.is_submitted():
        form.speaker_id.data = item.speaker_id or 0
    return render_template("governance/meetings/agenda_item_form.html", community=g.community,
                           event=event, item=item, form=form,
                           refusal=services.agenda_refusal(event)), \
        422 if form.is_submitted() else 200


def _button(event: Event, action, success: str, endpoint: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for(endpoint, event_id=event.id), 303)


@bp.post("/<int:event_id>/agenda/<int:agenda_item_id>/remove")
def remove_agenda_item(event_id: int, agenda_item_id: int):
    event = _editor_or_403(event_id)
    item = _child_or_404(AgendaItem, agenda_item_id, event_id=event.id)
    return _button(event, lambda: services.remove_agenda_item(item, event, current_user),
                   _("Вопрос убран из повестки."), ".agenda")


@bp.post("/<int:event_id>/agenda/<int:agenda_item_id>/<any(up,down):direction>")
def move_agenda_item(event_id: int, agenda_item_id: int, direction: str):
    event = _editor_or_403(event_id)
    item = _child_or_404(AgendaItem, agenda_item_id, event_id=event.id)
    return _button(event,
                   lambda: services.move_agenda_item(item, event, current_user, direction),
                   _("Порядок вопросов изменён."), ".agenda")


# --- minutes -------------------------------------------------------------------------------


def _minutes_or_404(event: Event) -> Minutes:
    minutes = services.minutes_of(event)
    if minutes is None:
        abort(404)
    return minutes


def _minutes_page(event: Event, minutes: Minutes | None, *, question_form=None,
                  recommendation_form=None, status: int = 200):
    editor = can_edit_meeting(current_user, event, g.community)
    ctx = {"community": g.community, "event": event, "minutes": minutes, "editor": editor,
           "readable": can_read_minutes(current_user, minutes, event, g.community),
           "refusal": services.minutes_refusal(event, g.community),
           "local_start": to_local(event.starts_at, g.community)}
    if minutes is not None and ctx["readable"]:
        minutes = services.load_document(minutes)
        ctx["minutes"] = minutes
        ctx["previous"], ctx["next"] = services.neighbours(minutes)
        if editor and not minutes.is_signed:
            ctx["attendance"] = services.attendance(event)
            ctx["question_form"] = question_form or QuestionForm(community=g.community,
                                                                 formdata=None)
            ctx["recommendation_form"] = recommendation_form or RecommendationForm(
                community=g.community, formdata=None)
    return render_template("governance/meetings/minutes.html", **ctx), status


@bp.get("/<int:event_id>/minutes")
def minutes(event_id: int):
    event = meeting_or_404(event_id)
    return _minutes_page(event, services.minutes_of(event))


def _requisites_page(event: Event, minutes: Minutes | None, form: MinutesForm, status: int):
    return render_template(
        "governance/meetings/minutes_form.html", community=g.community, event=event,
        minutes=minutes, form=form, refusal=services.minutes_refusal(event, g.community),
        attendance=services.attendance(event),
        local_start=to_local(event.starts_at, g.community)), status


def _fields(form: MinutesForm) -> services.MinutesFields:
    return services.MinutesFields(number=form.number.data, chair_id=form.member("chair_id"),
                                  secretary_id=form.member("secretary_id"),
                                  place=form.place.data or "")


@bp.route("/<int:event_id>/minutes/new", methods=["GET", "POST"])
def new_minutes(event_id: int):
    event = _editor_or_403(event_id)
    if services.minutes_of(event) is not None:
        return redirect(url_for(".minutes", event_id=event.id), 303)
    form = MinutesForm(community=g.community)
    if not form.is_submitted():
        defaults = services.new_minutes_fields(event, g.community)
        form.number.data = defaults.number
        form.chair_id.data = defaults.chair_id or 0
        form.place.data = defaults.place
    if form.validate_on_submit():
        try:
            services.create_minutes(event, g.community, current_user, _fields(form))
            db.session.commit()
        except DomainError as error:
            apply_domain_error(form, error)
        except IntegrityError:  # saved at the same moment in another window
            db.session.rollback()
            if services.minutes_of(event) is not None:
                return redirect(url_for(".minutes", event_id=event.id), 303)
            form.number.errors = [_("Этот номер только что занят другим протоколом. "
                                    "Укажите другой.")]
        else:
            flash(_("Черновик протокола создан. Заполните рассмотренные вопросы и подпишите "
                    "протокол."), "success")
            return redirect(url_for(".minutes", event_id=event.id), 303)
    status = 422 if form.is_submitted() else 200
    return _requisites_page(event, None, form, status)


def _draft_or_back(event: Event, minutes: Minutes):
    """None for a draft; for signed minutes a redirect back to them with the refusal."""
    if minutes.is_signed:
        flash(_("Протокол подписан: изменить его нельзя."), "error")
        return redirect(url_for(".minutes", event_id=event.id), 303)
    return None


@bp.route("/<int:event_id>/minutes/edit", methods=["GET", "POST"])
def edit_minutes(event_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    if (back := _draft_or_back(event, minutes)) is not None:
        return back
    form = MinutesForm(obj=minutes, community=g.community)
    if not form.is_submitted():
        form.chair_id.data = minutes.chair_id or 0
        form.secretary_id.data = minutes.secretary_id or 0
    if form.validate_on_submit():
        try:
            services.update_minutes(minutes, event, g.community, current_user, _fields(form))
            db.session.commit()
        except DomainError as error:
            apply_domain_error(form, error)
        except IntegrityError:  # the number was taken at the same moment in another window
            db.session.rollback()
            form.number.errors = [_("Этот номер только что занят другим протоколом. "
                                    "Укажите другой.")]
        else:
            flash(_("Реквизиты протокола сохранены."), "success")
            return redirect(url_for(".minutes", event_id=event.id), 303)
    return _requisites_page(event, minutes, form, 422 if form.is_submitted() else 200)


def _question_fields(form: QuestionForm) -> services.QuestionFields:
    return services.QuestionFields(
        title=form.title.data or "", speaker_id=form.member("speaker_id"),
        heard=form.heard.data or "", discussion=form.discussion.data or "",
        decision=form.decision.data or "", votes_for=form.votes_for.data,
        votes_against=form.votes_against.data, votes_abstained=form.votes_abstained.data,
        responsible_id=form.member("responsible_id"), due_on=form.due_on.data)


@bp.post("/<int:event_id>/minutes/questions")
def add_question(event_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    if (back := _draft_or_back(event, minutes)) is not None:
        return back
    form = QuestionForm(community=g.community)
    if form.validate_on_submit():
        try:
            services.add_question(minutes, event, g.community, current_user,
                                  _question_fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Вопрос добавлен в протокол."), "success")
            return redirect(url_for(".minutes", event_id=event.id), 303)
    db.session.rollback()
    return _minutes_page(event, services.minutes_of(event), question_form=form, status=422)


@bp.route("/<int:event_id>/minutes/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(event_id: int, question_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    question = _child_or_404(MinutesQuestion, question_id, minutes_id=minutes.id)
    if (back := _draft_or_back(event, minutes)) is not None:
        return back
    form = QuestionForm(obj=question, community=g.community)
    if not form.is_submitted():
        form.speaker_id.data = question.speaker_id or 0
        form.responsible_id.data = question.responsible_id or 0
    if form.validate_on_submit():
        try:
            services.update_question(question, minutes, event, g.community, current_user,
                                     _question_fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Вопрос протокола сохранён."), "success")
            return redirect(url_for(".minutes", event_id=event.id,
                                    _anchor=f"question-{question.id}"), 303)
    return render_template("governance/meetings/question_form.html", community=g.community,
                           event=event, minutes=minutes, question=question, form=form), \
        422 if form.is_submitted() else 200


@bp.post("/<int:event_id>/minutes/questions/<int:question_id>/remove")
def remove_question(event_id: int, question_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    question = _child_or_404(MinutesQuestion, question_id, minutes_id=minutes.id)
    return _button(event, lambda: services.remove_question(question, minutes, current_user),
                   _("Вопрос убран из протокола."), ".minutes")


@bp.post("/<int:event_id>/minutes/recommendations")
def add_recommendation(event_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    if (back := _draft_or_back(event, minutes)) is not None:
        return back
    form = RecommendationForm(community=g.community)
    if form.validate_on_submit():
        try:
            services.add_recommendation(minutes, g.community, current_user, form.text.data,
                                        form.member("responsible_id"), form.due_on.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Рекомендация добавлена в протокол."), "success")
            return redirect(url_for(".minutes", event_id=event.id), 303)
    return _minutes_page(event, minutes, recommendation_form=form, status=422)


@bp.route("/<int:event_id>/minutes/recommendations/<int:recommendation_id>",
          methods=["GET", "POST"])
def edit_recommendation(event_id: int, recommendation_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    recommendation = _child_or_404(MinutesRecommendation, recommendation_id,
                                   minutes_id=minutes.id)
    if (back := _draft_or_back(event, minutes)) is not None:
        return back
    form = RecommendationForm(obj=recommendation, community=g.community)
    if not form.is_submitted():
        form.responsible_id.data = recommendation.responsible_id or 0
    if form.validate_on_submit():
        try:
            services.update_recommendation(recommendation, minutes, g.community, current_user,
                                           form.text.data, form.member("responsible_id"),
                                           form.due_on.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Рекомендация сохранена."), "success")
            return redirect(url_for(".minutes", event_id=event.id), 303)
    return render_template("governance/meetings/recommendation_form.html",
                           community=g.community, event=event, minutes=minutes,
                           recommendation=recommendation, form=form), \
        422 if form.is_submitted() else 200


@bp.post("/<int:event_id>/minutes/recommendations/<int:recommendation_id>/remove")
def remove_recommendation(event_id: int, recommendation_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    recommendation = _child_or_404(MinutesRecommendation, recommendation_id,
                                   minutes_id=minutes.id)
    return _button(
        event, lambda: services.remove_recommendation(recommendation, minutes, current_user),
        _("Рекомендация убрана из протокола."), ".minutes")


@bp.post("/<int:event_id>/minutes/sign")
def sign_minutes(event_id: int):
    event = _editor_or_403(event_id)
    minutes = _minutes_or_404(event)
    return _button(
        event, lambda: services.sign_minutes(minutes, event, g.community, current_user),
        _("Протокол подписан. Его решения и рекомендации внесены в реестр решений."),
        ".minutes")


@bp.get("/<int:event_id>/minutes.<any(docx,pdf):fmt>")
def download(event_id: int, fmt: str):
    event = meeting_or_404(event_id)
    minutes = _minutes_or_404(event)
    require(can_read_minutes(current_user, minutes, event, g.community))
    minutes = services.load_document(minutes)
    if fmt == "docx":
        return documents.docx_response(documents.minutes_docx(minutes, g.community),
                                       documents.filename(minutes, "docx"))
    from app.events.pdf import pdf_response

    return pdf_response(documents.minutes_pdf(minutes, g.community),
                        documents.filename(minutes, "pdf"))


# --- the register of decisions -------------------------------------------------------------


@bp.get("/decisions")
def decisions():
    form = RegisterFilterForm(request.args)
    status = form.status.data if form.status.data in DECISION_STATUS_LABELS else ""
    page = paginate(services.register_query(g.community, status), per_page=50)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return htmx.render(
        "governance/meetings/_decision_rows.html", "governance/meetings/decisions.html",
        community=g.community, form=form, page=page, args=args, status=status,
        counts=services.register_counts(g.community),
        today=local_today(g.community),
    )


def _decision_or_404(decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.community_id != g.community.id:
        abort(404)
    return decision


@bp.post("/decisions/<int:decision_id>/status")
def set_decision_status(decision_id: int):
    decision = _decision_or_404(decision_id)
    require(can_update_decision(current_user, decision, g.community))
    form = DecisionStatusForm()
    error = None
    if form.validate_on_submit():
        try:
            services.set_decision_status(decision, g.community, current_user,
                                         form.status.data, form.note.data)
        except DomainError as exc:
            error = exc.message
            apply_domain_error(form, exc)
        else:
            db.session.commit()
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if htmx.is_htmx():
        return htmx.render("governance/meetings/_decision_row.html", None,
                           community=g.community, decision=decision, error=error,
                           today=local_today(g.community)), \
            422 if error else 200
    if error:
        flash(error, "error")
    else:
        flash(_("Статус решения: «%(s)s».", s=DECISION_STATUS_LABELS[decision.status].lower()),
              "success")
    return redirect(url_for(".decisions"), 303)
