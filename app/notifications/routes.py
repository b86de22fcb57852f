from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import htmx
from app.auth.models import User
from app.extensions import db
from app.forms import EmptyForm
from app.notifications import services
from app.notifications.forms import chosen, preferences_form
from app.notifications.models import Delivery, Notification
from app.notifications.tokens import BadUnsubscribeToken, read_unsubscribe_token
from app.pagination import keyset

bp = Blueprint("notifications", __name__)


def _get_own_or_404(notification_id: int) -> Notification:
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.get("/")
@login_required
def index():
    page = keyset(services.for_user(current_user), services.LIST_ORDER)
    return htmx.render("notifications/_rows.html", "notifications/index.html", page=page)


@bp.get("/bell")
@login_required
def bell():
    """The header bell alone; it refreshes itself on `notifications-changed`."""
    return render_template("notifications/_bell.html")


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    notification = _get_own_or_404(notification_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_read(notification, current_user)
    db.session.commit()
    if htmx.is_htmx():
        response = make_response(htmx.render("notifications/_row.html", n=notification))
        return htmx.hx_trigger(response, "notifications-changed")
    return redirect(url_for(".index"), 303)


@bp.post("/read-all")
@login_required
def mark_all_read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.mark_all_read(current_user):
        flash(_("Все уведомления отмечены прочитанными."), "success")
    db.session.commit()
    return redirect(url_for(".index"), 303)


@bp.app_template_global()
def unread_notifications() -> int:
    """The header bell's count (one query, only for a logged-in reader)."""
    if not current_user.is_authenticated:
        return 0
    return services.unread_count(current_user)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """How each kind of notification reaches the person: site, at once, daily, weekly."""
    form = preferences_form(services.preferences_of(current_user))
    if form.validate_on_submit():
        services.set_preferences(current_user, chosen(form))
        db.session.commit()
        flash(_("Настройки уведомлений сохранены."), "success")
        return redirect(url_for(".settings"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("notifications/settings.html", form=form, kinds=services.KINDS,
                           labels=services.DELIVERY_LABELS, email=current_user.email), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The link in every letter: no login needed, the signed token names the person and
    the kinds. GET only asks (mail scanners open links); the button unsubscribes."""
    try:
        request_ = read_unsubscribe_token(token)
    except BadUnsubscribeToken as error:
        return render_template("notifications/unsubscribe.html", error=error.message), 400
    user = db.session.get(User, request_.user_id)
    if user is None or user.is_deleted:
        return render_template(
            "notifications/unsubscribe.html",
            error=_("Учётная запись, для которой выдана ссылка, удалена. Писем ей больше "
                    "не будет.")), 410
    labels = [services.KINDS[kind] for kind in request_.kinds]
    form = EmptyForm()
    done = False
    if form.validate_on_submit():
        services.set_preferences(user, dict.fromkeys(request_.kinds, Delivery.SITE))
        db.session.commit()
        done = True
    elif form.is_submitted():
        return render_template("notifications/unsubscribe.html", labels=labels, form=form,
                               error=_("Форма устарела. Обновите страницу и повторите.")), 400
    return render_template("notifications/unsubscribe.html", labels=labels, form=form,
                           done=done)
