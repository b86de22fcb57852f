"""Moderation of a community: the rules, reports («Пожаловаться»), the queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import content, htmx
from app.communities.permissions import can_moderate, can_view_inside
from app.errors import DomainError
from app.extensions import db
from app.forms import apply_domain_error
from app.moderation import services
from app.moderation.forms import ReportForm
from app.moderation.grounds import GROUNDS
from app.permissions import require
from app.ratelimit import limit_reports

bp = Blueprint("moderation", __name__)


@bp.get("/rules")
def rules():
    """The rules of conduct (000 §5.2): public, linked from every writing form."""
    return render_template("moderation/rules.html", community=g.community, grounds=GROUNDS)


@bp.get("/")
@login_required
def index():
    require(can_moderate(current_user, g.community))
    reports = db.session.scalars(services.open_reports(g.community)).all()
    items = {}
    for r in reports:
        key = (r.kind, r.object_id)
        if key not in items:
            items[key] = content.load(r.kind, r.object_id)
    return render_template(
        "moderation/index.html", community=g.community, reports=reports, items=items,
        content_type=content.content_type,
    )


def _item_or_404(kind: str, item_id: int):
    item = content.load(kind, item_id)
    if item is None or getattr(item, "community_id", None) != g.community.id:
        abort(404)
    if item.is_hidden or (item.held_at is not None and item.author_id != current_user.id):
        abort(404)
    return item


@bp.route("/report/<kind>/<int:item_id>", methods=["GET", "POST"])
@limit_reports
@login_required
def report(kind: str, item_id: int):
    require(can_view_inside(current_user, g.community))
    item = _item_or_404(kind, item_id)
    ct = content.content_type(kind)
    if item.author_id == current_user.id:
        flash(_("Нельзя пожаловаться на собственное сообщение."), "info")
        return redirect(ct.url(item), 303)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report(item, g.community, current_user, form.ground.data,
                            form.comment.data or "")
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Жалоба отправлена координатору. Спасибо!"), "success")
            return redirect(ct.url(item), 303)
    return htmx.render(
        "moderation/_report_form.html", "moderation/report.html",
        community=g.community, form=form, item=item, kind=kind, ct=ct,
    ), 422 if form.is_submitted() else 200
