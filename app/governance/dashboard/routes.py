"""«Работа сообщества» (the community's dashboard) and the administrators' network overview.

Registered at the root, so the routes carry their full paths."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import current_user, login_required

from app import htmx
from app.governance.dashboard import services
from app.governance.dashboard.forms import NetworkFilterForm
from app.governance.dashboard.hub import hub_links
from app.governance.dashboard.permissions import (
    can_view_dashboard,
    can_view_dashboard_panels,
    can_view_network,
)
from app.permissions import require

bp = Blueprint("dashboard", __name__)


@bp.get("/c/<community_slug>/dashboard")
@login_required
def community():
    community = g.community
    require(can_view_dashboard(current_user, community))
    panels = (services.community_panels(community)
              if can_view_dashboard_panels(current_user, community) else None)
    return render_template(
        "governance/dashboard/community.html",
        community=community, hub=hub_links(current_user, community), panels=panels,
    )


@bp.get("/network")
@login_required
def network():
    require(can_view_network(current_user))
    form = NetworkFilterForm(request.args)
    net = services.network(level=form.level.data or "",
                           municipality=form.municipality.data or "")
    form.set_municipalities(net.municipalities)
    form.validate()  # an unknown level or municipality: shown as the field's error
    return htmx.render(
        "governance/dashboard/_network_results.html", "governance/dashboard/network.html",
        form=form, net=net, activity_days=services.ACTIVITY_DAYS,
    )
