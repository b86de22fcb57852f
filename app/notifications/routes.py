from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import htmx
from app.extensions import db
from app.forms import EmptyForm
from app.notifications import services
from app.notifications.models import Notification
from app.pagination import paginate

bp = Blueprint("notifications", __name__)


def _get_own_or_404(notification_id: int) -> Notification:
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.get("/")
@login_required
def index():
    page = paginate(services.for_user(current_user))
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
