"""Who may do what with the annual report. Pure functions over loaded data; templates call
them too.

The head (председатель, руководитель) writes and submits the report (001 §4.6, 003 §4.8);
the coordinator keeps the documentation (000 §5.1) and may help with the draft, as may the
administrator, who is the body that receives the report and the only one to return it."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.governance.reports.models import AnnualReport
from app.permissions import has_role, is_admin, is_member, predicate


@predicate
def can_view_reports(user: Any, community: Community) -> bool:
    """The list of reports and the submitted ones: the members and the administrator."""
    return is_admin(user) or is_member(user, community)


@predicate
def can_edit_reports(user: Any, community: Community) -> bool:
    """Start a report and write its draft: the chair, the coordinator, the administrator."""
    return is_admin(user) or has_role(user, community, "chair", "coordinator")


@predicate
def can_view_report(user: Any, report: AnnualReport, community: Community) -> bool:
    """A submitted report: every member; a draft: its editors only."""
    if report.is_submitted:
        return can_view_reports(user, community)
    return can_edit_reports(user, community)


@predicate
def can_submit_report(user: Any, community: Community) -> bool:
    """Submitting is the head's: the chair of the community."""
    return has_role(user, community, "chair")


@predicate
def can_return_report(user: Any, community: Community) -> bool:
    """Back to draft: the administrator only (the body that receives the report)."""
    return is_admin(user)
