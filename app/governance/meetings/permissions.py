"""Who may do what with meetings, minutes and the register of decisions. Pure functions
over loaded data; templates call them too.

Members of the community read agendas, signed minutes and the register. The agenda and the
minutes are written by the coordinator, the chair, the meeting's organisers and the
administrator (app.events' can_organise, for events of type «meeting»): drafts of minutes
are theirs alone. A register entry's status is updated by its responsible member, the
coordinator, the chair and the administrator."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.events.models import Event, EventType
from app.events.permissions import can_manage_events, can_organise, can_view_event
from app.governance.meetings.models import Decision, Minutes
from app.permissions import has_role, is_admin, is_authenticated, is_member, predicate


@predicate
def can_plan_meetings(user: Any, community: Community) -> bool:
    """Create a meeting (an event of type «meeting»): the event managers."""
    return can_manage_events(user, community)


@predicate
def can_edit_meeting(user: Any, event: Event, community: Community) -> bool:
    """Write the agenda and the minutes of a meeting."""
    return event.type == EventType.MEETING and can_organise(user, event, community)


@predicate
def can_read_minutes(user: Any, minutes: Minutes | None, event: Event,
                     community: Community) -> bool:
    """Signed minutes: every member who sees the meeting; drafts: their editors."""
    if minutes is None:
        return False
    if can_edit_meeting(user, event, community):
        return True
    return minutes.is_signed and can_view_event(user, event, community)


@predicate
def can_update_decision(user: Any, decision: Decision, community: Community) -> bool:
    if is_admin(user) or has_role(user, community, "coordinator", "chair"):
        return True
    return (is_authenticated(user) and is_member(user, community)
            and decision.responsible_id == user.id)
