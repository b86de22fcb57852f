"""Адресные консультации (001 §4.2.3, 003 §3.1.4): a member asks, the coordinator assigns a
consultant, the two talk privately until the question is closed."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import htmx
from app.auth.models import User
from app.communities.permissions import can_view_inside
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.consultations import services
from app.governance.consultations.forms import AskForm, AssignForm, MessageForm, QueueFilterForm
from app.governance.consultations.labels import FORM_LABELS, STATUS_LABELS
from app.governance.consultations.models import Consultation
from app.governance.consultations.permissions import (
    can_ask_consultation,
    can_assign_consultant,
    can_manage_consultations,
    can_view_consultation,
    can_view_exchange,
)
from app.pagination import paginate
from app.permissions import require
from app.ui import dom_id

bp = Blueprint("consultations", __name__)


@bp.app_template_filter("consultation_status")
def consultation_status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


@bp.app_template_filter("consultation_form")
def consultation_form_label(value: str) -> str:
    return FORM_LABELS.get(value, value)


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


def consultation_or_404(consultation_id: int) -> Consultation:
    """A consultation of this community that the current user may see; others get 404, so
    that nobody learns who asked what."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.community_id != g.community.id:
        abort(404)
    if not can_view_consultation(current_user, consultation, g.community):
        abort(404)
    return consultation


# --- the list ------------------------------------------------------------------------------


@bp.get("/")
def index():
    community = g.community
    manager = can_manage_consultations(current_user, community)
    form = page = args = None
    if manager:
        form = QueueFilterForm(request.args)
        if not form.validate():
            form.status.data = ""
        page = paginate(services.queue(community, form.status.data or ""), per_page=20)
        args = {k: v for k, v in request.args.items() if k != "page"}
        if htmx.is_htmx():
            return htmx.render("governance/consultations/_queue_rows.html", None,
                               community=community, page=page, args=args)
    return render_template(
        "governance/consultations/index.html", community=community, manager=manager,
        form=form, page=page, args=args,
        mine=services.asked_by(community, current_user),
        entrusted=services.entrusted_to(community, current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_ask_consultation(current_user, g.community))
    form = AskForm()
    if form.validate_on_submit():
        try:
            consultation = services.ask(g.community, current_user, form.topic.data,
                                        form.question.data, form.preferred_form.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Вопрос отправлен. Координатор назначит консультанта, и мы сообщим вам."),
                  "success")
            return redirect(url_for(".consultation", consultation_id=consultation.id), 303)
    return render_template("governance/consultations/new.html", community=g.community,
                           form=form), 422 if form.is_submitted() else 200


# --- one consultation ----------------------------------------------------------------------


def _assign_form(consultation: Consultation, submitted: bool = False) -> AssignForm:
    consultants = services.consultant_choices(g.community, exclude_id=consultation.asker_id)
    if not submitted:
        form = AssignForm(formdata=None, consultants=consultants)
        form.consultant_id.data = consultation.consultant_id
        return form
    return AssignForm(consultants=consultants)


def _page(consultation: Consultation, *, assign_form: AssignForm | None = None,
          message_form: MessageForm | None = None, status: int = 200):
    exchange = can_view_exchange(current_user, consultation)
    if assign_form is None and can_assign_consultant(current_user, consultation, g.community):
        assign_form = _assign_form(consultation)
    return render_template(
        "governance/consultations/consultation.html", community=g.community,
        consultation=consultation, exchange=exchange,
        other=(consultation.consultant if current_user.id == consultation.asker_id
               else consultation.asker),
        messages=services.messages_of(consultation) if exchange else [],
        assign_form=assign_form,
        message_form=message_form or MessageForm(formdata=None),
    ), status


@bp.get("/<int:consultation_id>")
def consultation(consultation_id: int):
    return _page(consultation_or_404(consultation_id))


@bp.post("/<int:consultation_id>/assign")
def assign(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    require(can_manage_consultations(current_user, g.community))
    form = _assign_form(consultation, submitted=True)
    if form.validate_on_submit():
        consultant = (db.session.get(User, form.consultant_id.data)
                      if form.consultant_id.data else None)
        try:
            services.assign(consultation, g.community, current_user, consultant)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Консультант назначен: %(name)s. Ему отправлено уведомление.",
                    name=consultant.full_name), "success")
            return redirect(url_for(".consultation", consultation_id=consultation.id), 303)
    return _page(consultation, assign_form=form, status=422)


def _reply_form_response(consultation: Consultation, form: MessageForm, status: int):
    if not htmx.is_htmx():
        return _page(consultation, message_form=form, status=status)
    response = make_response(htmx.render(
        "governance/consultations/_reply_form.html", None, community=g.community,
        consultation=consultation, message_form=form), status)
    # The form posts into the message list; its errors go back into the form itself.
    response.headers["HX-Retarget"] = f"#{dom_id(consultation, 'reply-')}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.post("/<int:consultation_id>/messages")
def reply(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    require(can_view_exchange(current_user, consultation))
    form = MessageForm()
    if not form.validate_on_submit():
        return _reply_form_response(consultation, form, 422)
    try:
        message = services.post_message(consultation, g.community, current_user,
                                        form.body.data)
    except DomainError as error:
        apply_domain_error(form, error)
        return _reply_form_response(consultation, form, 422)
    db.session.commit()
    if htmx.is_htmx():
        body = render_template(
            "governance/consultations/_message.html", community=g.community,
            consultation=consultation, message=message,
        ) + render_template(
            "governance/consultations/_reply_form.html", community=g.community,
            consultation=consultation, message_form=MessageForm(formdata=None), oob=True,
        ) + render_template(
            "governance/consultations/_status.html", consultation=consultation, oob=True,
        )
        return htmx.hx_trigger(make_response(body), "consultation-message-created",
                               {"id": message.id})
    flash(_("Сообщение отправлено."), "success")
    return redirect(url_for(".consultation", consultation_id=consultation.id,
                            _anchor=dom_id(message)), 303)


@bp.post("/<int:consultation_id>/close")
def close(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    # Closing twice is answered with a message by the service, not with 403.
    require(current_user.id == consultation.asker_id
            or can_manage_consultations(current_user, g.community))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.close(consultation, g.community, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Консультация закрыта."), "success")
    return redirect(url_for(".consultation", consultation_id=consultation.id), 303)
