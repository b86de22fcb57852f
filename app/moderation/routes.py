"""Модерация: the community's index page. The feature's own issue fills it in."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user, login_required

from app.communities.permissions import can_moderate
from app.permissions import require

bp = Blueprint("moderation", __name__)


@bp.get("/")
@login_required
def index():
    require(can_moderate(current_user, g.community))
    return render_template("moderation/index.html", community=g.community)
