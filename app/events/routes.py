"""Мероприятия: the community's index page. The feature's own issue fills it in."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user, login_required

from app.communities.permissions import can_view_inside
from app.permissions import require

bp = Blueprint("events", __name__)


@bp.get("/")
@login_required
def index():
    require(can_view_inside(current_user, g.community))
    return render_template("events/index.html", community=g.community)
