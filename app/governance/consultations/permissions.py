"""Who may do what with consultations. Pure functions over loaded data; templates call them.

The coordinator, the chair and the administrator run the queue: they see every question and
its status and assign consultants. The exchange between the asker and the consultant is
theirs alone, the administrator's included: members open up about their schools' troubles
(001 §4.2.3 speaks of low-performing schools), and a promise of privacy with a site-wide
exception is no promise. Whoever runs the queue learns enough from the question and status."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.governance.consultations.models import Consultation, ConsultationStatus
from app.permissions import has_role, is_admin, is_authenticated, is_member, predicate


@predicate
def can_manage_consultations(user: Any, community: Community) -> bool:
    """The queue and the assignment: the coordinator, the chair and the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator", "chair")


@predicate
def can_ask_consultation(user: Any, community: Community) -> bool:
    return is_member(user, community)


def is_participant(user: Any, consultation: Consultation) -> bool:
    return is_authenticated(user) and user.id in consultation.participant_ids()


@predicate
def can_view_consultation(user: Any, consultation: Consultation, community: Community) -> bool:
    """The question and its status: its asker, its consultant and those who run the queue."""
    return is_participant(user, consultation) or can_manage_consultations(user, community)


@predicate
def can_view_exchange(user: Any, consultation: Consultation) -> bool:
    """The private exchange: the asker and the consultant, nobody else."""
    return is_participant(user, consultation)


@predicate
def can_assign_consultant(user: Any, consultation: Consultation, community: Community) -> bool:
    return can_manage_consultations(user, community) and consultation.status in (
        ConsultationStatus.NEW, ConsultationStatus.ASSIGNED)


@predicate
def can_close_consultation(user: Any, consultation: Consultation, community: Community) -> bool:
    if consultation.is_closed or not is_authenticated(user):
        return False
    return user.id == consultation.asker_id or can_manage_consultations(user, community)
