"""Мероприятия of a community: the list, an event's page, sign-up in one click, and the
organiser's tools (participants, waiting list, attendance, messages, exports).

Contests (contest_routes.py), certificates (certificates.py) and .ics files (ical.py) add
their routes to this blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import htmx
from app.auth.models import User
from app.communities.permissions import can_view_inside
from app.errors import DomainError
from app.events import exports, services
from app.events.forms import (
    AddParticipantForm,
    CancelEventForm,
    EventForm,
    ListForm,
    MessageForm,
)
from app.events.labels import FORMAT_LABELS, STATUS_LABELS, TYPE_LABELS
from app.events.models import (
    Event,
    EventOrganiser,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from app.events.permissions import can_manage_events, can_organise, can_view_event
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.mixins import utcnow
from app.pagination import paginate
from app.permissions import require

bp = Blueprint("events", __name__)


@bp.app_template_filter("event_type")
def event_type_label(value: str) -> str:
    return TYPE_LABELS.get(value, value)


@bp.app_template_filter("event_format")
def event_format_label(value: str) -> str:
    return FORMAT_LABELS.get(value, value)


@bp.app_template_filter("event_status")
def event_status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


bp.add_app_template_global(utcnow, "now_utc")


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


def event_or_404(event_id: int) -> Event:
    """The event of this community that the current user may see, else 404."""
    event = db.session.get(Event, event_id)
    if event is None or event.community_id != g.community.id:
        abort(404)
    if not can_view_event(current_user, event, g.community):
        abort(404)
    return event


def _organiser_or_403(event_id: int) -> Event:
    event = event_or_404(event_id)
    require(can_organise(current_user, event, g.community))
    return event


# --- the list ------------------------------------------------------------------------------


@bp.get("/")
def index():
    form = ListForm(request.args)
    form.validate()
    now = utcnow()
    query = select(Event).where(Event.community_id == g.community.id,
                                Event.status != EventStatus.DRAFT)
    if form.type.data:
        query = query.where(Event.type == form.type.data)
    past = form.show.data == "past"
    if past:
        query = query.where(or_(Event.ends_at < now, Event.status == EventStatus.FINISHED))
        query = query.order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.where(Event.ends_at >= now, Event.status != EventStatus.FINISHED)
        query = query.order_by(Event.starts_at, Event.id)
    page = paginate(query, per_page=20)
    mine = _my_registrations([e.id for e in page.items])
    drafts = []
    if can_manage_events(current_user, g.community):
        drafts = db.session.scalars(select(Event).where(
            Event.community_id == g.community.id, Event.status == EventStatus.DRAFT)
            .order_by(Event.starts_at)).all()
    else:
        drafts = db.session.scalars(select(Event).where(
            Event.community_id == g.community.id, Event.status == EventStatus.DRAFT,
            Event.id.in_(select(EventOrganiser.event_id)
                         .where(EventOrganiser.user_id == current_user.id)))
            .order_by(Event.starts_at)).all()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return htmx.render(
        "events/_rows.html", "events/index.html",
        community=g.community, form=form, page=page, mine=mine, drafts=drafts, args=args,
        past=past,
    )


def _my_registrations(event_ids: list[int]) -> dict[int, Registration]:
    if not event_ids:
        return {}
    return {r.event_id: r for r in db.session.scalars(select(Registration).where(
        Registration.user_id == current_user.id, Registration.event_id.in_(event_ids),
        Registration.status != RegistrationStatus.CANCELLED))}


# --- one event -----------------------------------------------------------------------------


def _signup_context(event: Event) -> dict:
    registration = services.registration_of(event, current_user)
    if registration is not None and not registration.is_active:
        registration = None
    return {
        "registration": registration,
        "position": services.waitlist_position(registration) if registration else 0,
        "refusal": None if registration else
        services.sign_up_refusal(event, g.community, current_user),
    }


@bp.get("/<int:event_id>")
def event(event_id: int):
    event = event_or_404(event_id)
    from app.events import certificates, contests

    extra = certificates.page_context(event, g.community, current_user)
    if event.is_contest:
        extra.update(contests.page_context(event, g.community, current_user))
    return render_template(
        "events/event.html", community=g.community, event=event,
        organiser=can_organise(current_user, event, g.community),
        local_start=services.to_local(event.starts_at, g.community),
        local_end=services.to_local(event.ends_at, g.community),
        **_signup_context(event), **extra,
    )


def _fields(form: EventForm) -> services.EventFields:
    c = g.community
    return services.EventFields(
        title=form.title.data or "", type=form.type.data, format=form.format.data,
        starts_at=services.to_utc(form.starts_at.data, c),
        ends_at=services.to_utc(form.ends_at.data, c),
        description=form.description.data or "", place=form.place.data or "",
        online_url=form.online_url.data or "", capacity=form.capacity.data,
        registration_opens_at=services.to_utc(form.registration_opens_at.data, c),
        registration_closes_at=services.to_utc(form.registration_closes_at.data, c),
        hours=form.hours.data, entries_deadline=services.to_utc(form.entries_deadline.data, c),
        organiser_ids=tuple(form.organiser_ids.data or ()),
    )


def _form_page(form: EventForm, event: Event | None, status: int):
    return render_template("events/form.html", community=g.community, form=form,
                           event=event), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_manage_events(current_user, g.community))
    form = EventForm(community=g.community)
    if not form.is_submitted():
        form.type.data = request.args.get("type") or "seminar"
        form.organiser_ids.data = [current_user.id]
    if form.validate_on_submit():
        try:
            event = services.create_event(g.community, current_user, _fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Черновик сохранён. Проверьте его и опубликуйте."), "success")
            return redirect(url_for(".event", event_id=event.id), 303)
    return _form_page(form, None, 422 if form.is_submitted() else 200)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _organiser_or_403(event_id)
    form = EventForm(obj=event, community=g.community)
    if not form.is_submitted():
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at",
                     "entries_deadline"):
            local = services.to_local(getattr(event, name), g.community)
            getattr(form, name).data = local.replace(tzinfo=None) if local else None
        form.organiser_ids.data = sorted(event.organiser_ids)
    if form.validate_on_submit():
        try:
            services.update_event(event, g.community, current_user, _fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Изменения сохранены."), "success")
            return redirect(url_for(".event", event_id=event.id), 303)
    return _form_page(form, event, 422 if form.is_submitted() else 200)


def _button_action(event_id: int, action, success: str):
    event = _organiser_or_403(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(event)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for(".event", event_id=event.id), 303)


@bp.post("/<int:event_id>/publish")
def publish(event_id: int):
    return _button_action(event_id, lambda e: services.publish(e, current_user),
                          _("Мероприятие опубликовано: участники сообщества могут записаться."))


@bp.post("/<int:event_id>/finish")
def finish(event_id: int):
    return _button_action(event_id, lambda e: services.finish_event(e, current_user),
                          _("Мероприятие отмечено как завершённое."))


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    event = _organiser_or_403(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            told = services.cancel_event(event, g.community, current_user, form.reason.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Мероприятие отменено. Уведомлено записавшихся: %(n)s.", n=told), "success")
            return redirect(url_for(".event", event_id=event.id), 303)
    return render_template("events/cancel.html", community=g.community, event=event,
                           form=form), 422 if form.is_submitted() else 200


# --- sign-up -------------------------------------------------------------------------------


def _signup_widget(event: Event, status: int = 200, error: str | None = None):
    if htmx.is_htmx():
        return htmx.render("events/_signup.html", None, community=g.community, event=event,
                           error=error, **_signup_context(event)), status
    if error:
        flash(error, "error")
    return redirect(url_for(".event", event_id=event.id), 303)


@bp.post("/<int:event_id>/signup")
def sign_up(event_id: int):
    event = event_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        registration = services.sign_up(event, g.community, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _signup_widget(event, 422, error.message)
    except IntegrityError:  # the same person's second click won the race: already signed up
        db.session.rollback()
        registration = services.registration_of(event, current_user)
    if registration.status == RegistrationStatus.CONFIRMED:
        flash(_("Вы записаны на «%(t)s».", t=event.title), "success")
    else:
        flash(_("Мест нет: вы в листе ожидания, %(n)s-й. Мы сообщим, когда место "
                "освободится.", n=services.waitlist_position(registration)), "success")
    return _signup_widget(event)


@bp.post("/<int:event_id>/signup/cancel")
def cancel_signup(event_id: int):
    event = event_or_404(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    registration = services.registration_of(event, current_user)
    if registration is None or not registration.is_active:
        return _signup_widget(event, 422, _("Вы не записаны на это мероприятие."))
    try:
        services.cancel_registration(registration, event, g.community, current_user)
    except DomainError as error:
        db.session.rollback()
        return _signup_widget(event, 422, error.message)
    db.session.commit()
    flash(_("Запись отменена."), "success")
    return _signup_widget(event)


# --- the organiser's tools -----------------------------------------------------------------


def _participants_page(event: Event, add_form: AddParticipantForm, status: int = 200):
    confirmed, waiting = services.participants(event)
    return render_template(
        "events/participants.html", community=g.community, event=event, confirmed=confirmed,
        waiting=waiting, add_form=add_form, now=utcnow(),
    ), status


@bp.get("/<int:event_id>/participants")
def participants(event_id: int):
    event = _organiser_or_403(event_id)
    return _participants_page(event, AddParticipantForm(community=g.community))


@bp.post("/<int:event_id>/participants")
def add_participant(event_id: int):
    event = _organiser_or_403(event_id)
    form = AddParticipantForm(community=g.community)
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data) if form.user_id.data else None
        if person is None:
            form.user_id.errors = [_("Выберите участника сообщества.")]
        else:
            try:
                registration = services.sign_up(event, g.community, person,
                                                added_by=current_user)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                db.session.commit()
                if registration.status == RegistrationStatus.CONFIRMED:
                    flash(_("%(name)s записан(а).", name=person.full_name), "success")
                else:
                    flash(_("Мест нет: %(name)s в листе ожидания.", name=person.full_name),
                          "success")
                return redirect(url_for(".participants", event_id=event.id), 303)
    return _participants_page(event, form, 422)


def _registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.post("/<int:event_id>/participants/<int:registration_id>/<any(came,absent):mark>")
def mark_attendance(event_id: int, registration_id: int, mark: str):
    event = _organiser_or_403(event_id)
    registration = _registration_or_404(event, registration_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    error = None
    try:
        services.mark_attendance(registration, event, current_user, mark == "came")
    except DomainError as exc:
        error = exc.message
    else:
        db.session.commit()
    if htmx.is_htmx():
        return htmx.render("events/_participant_row.html", None, community=g.community,
                           event=event, reg=registration, now=utcnow(),
                           error=error), 422 if error else 200
    if error:
        flash(error, "error")
    return redirect(url_for(".participants", event_id=event.id), 303)


@bp.post("/<int:event_id>/participants/<int:registration_id>/remove")
def remove_participant(event_id: int, registration_id: int):
    event = _organiser_or_403(event_id)
    registration = _registration_or_404(event, registration_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = registration.user.full_name
    try:
        promoted = services.cancel_registration(registration, event, g.community, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Запись «%(name)s» отменена.", name=name)
              + (" " + _("Место получил(а) %(p)s из листа ожидания.", p=promoted.user.full_name)
                 if promoted else ""), "success")
    return redirect(url_for(".participants", event_id=event.id), 303)


@bp.get("/<int:event_id>/participants.<any(csv,xlsx):fmt>")
def export(event_id: int, fmt: str):
    event = _organiser_or_403(event_id)
    return exports.as_csv(event, g.community) if fmt == "csv" \
        else exports.as_xlsx(event, g.community)


@bp.route("/<int:event_id>/message", methods=["GET", "POST"])
def message(event_id: int):
    event = _organiser_or_403(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            sent = services.message_participants(event, g.community, current_user,
                                                  form.text.data, form.audience.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Сообщение отправлено: %(n)s получателей.", n=sent), "success")
            return redirect(url_for(".participants", event_id=event.id), 303)
    return render_template("events/message.html", community=g.community, event=event,
                           form=form), 422 if form.is_submitted() else 200
