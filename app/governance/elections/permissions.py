"""Who may do what with elections. Pure functions over loaded data; templates call them too.

The organisers are the coordinator and the administrator. The chair is not: the sitting
chair should not run the election that may re-elect them (seed 000 §3.3: the council elects
the chair). Voting is checked against the election's roll (services.has_voted)."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.governance.elections.models import Election
from app.permissions import has_role, is_admin, is_member, predicate


@predicate
def can_view_elections(user: Any, community: Community) -> bool:
    """Members of the community see its elections and, once voting is over, the results."""
    return is_admin(user) or is_member(user, community)


@predicate
def can_organise_elections(user: Any, community: Community) -> bool:
    """Create, edit, publish and close elections: the coordinator and the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator")


@predicate
def can_view_election(user: Any, election: Election, community: Community) -> bool:
    """Drafts: the organisers only; published elections: every member."""
    if election.is_draft:
        return can_organise_elections(user, community)
    return can_view_elections(user, community)
