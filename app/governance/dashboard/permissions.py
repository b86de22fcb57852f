"""Who sees the community's dashboard and the network overview."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.permissions import has_role, is_admin, is_member, predicate


@predicate
def can_view_dashboard(user: Any, community: Community) -> bool:
    """«Работа сообщества», the hub of the governance parts: every member and the
    administrator."""
    return is_admin(user) or is_member(user, community)


@predicate
def can_view_dashboard_panels(user: Any, community: Community) -> bool:
    """The panels (admissions and reports waiting, events, plan, meetings, report): those who
    run the community (the coordinator and the chair) and the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator", "chair")


@predicate
def can_view_network(user: Any) -> bool:
    """The overview of the whole network: administrators only."""
    return is_admin(user)
