"""Who may do what with work plans. Pure functions over loaded data; templates call them too."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.permissions import has_role, is_admin, is_member, predicate


@predicate
def can_view_plans(user: Any, community: Community) -> bool:
    """Members read the plans (and the administrator)."""
    return is_admin(user) or is_member(user, community)


@predicate
def can_draft_plan(user: Any, community: Community) -> bool:
    """Draw up the plan, keep its fact, send it to the council, return it for rework: the
    chair and the coordinators (000 §3.4, §5.1), and the administrator."""
    return is_admin(user) or has_role(user, community, "chair", "coordinator")


@predicate
def can_vote_plan(user: Any, community: Community) -> bool:
    """Approve or object: the council (000 §3.4); the chair sits on it."""
    return has_role(user, community, "council")
