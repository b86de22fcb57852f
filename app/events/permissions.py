"""Who may do what with events. Pure functions over loaded data; templates call them too."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.events.models import Event, EventStatus
from app.permissions import has_role, is_admin, is_authenticated, is_member, predicate


@predicate
def can_manage_events(user: Any, community: Community) -> bool:
    """Create events and run any of them: the coordinator and the chair (000 §3.4, §3.10),
    and the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator", "chair")


@predicate
def can_organise(user: Any, event: Event, community: Community) -> bool:
    """See the participants, add people, mark attendance, message, export, edit: the event's
    organisers (while they are members) and the event managers."""
    if can_manage_events(user, community):
        return True
    return (is_authenticated(user) and is_member(user, community)
            and user.id in event.organiser_ids)


@predicate
def can_view_event(user: Any, event: Event, community: Community) -> bool:
    """Members see every event but drafts; drafts only their organisers and the managers."""
    if event.status == EventStatus.DRAFT:
        return can_organise(user, event, community)
    return is_admin(user) or is_member(user, community)
