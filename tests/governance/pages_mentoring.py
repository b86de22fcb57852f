"""Mentoring's main pages for the axe and Nu checks."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.governance.mentoring import services


def pages(community, people) -> list[tuple[str, str]]:
    """A current pair and a past one: the list (a member's, the coordinator's with its
    buttons), the form, and the mentor's profile listing the pair."""
    with current_app.test_request_context("/"):
        today = services.today_in(community)
        current = services.create_pair(
            community, people["coordinator"], mentor=people["council"], mentee=people["member"],
            goal="Подготовка к аттестации", starts_on=today - timedelta(days=5),
            ends_on=today + timedelta(days=200))
        services.create_pair(
            community, people["chair"], mentor=people["expert"], mentee=people["member"],
            goal="Проектная деятельность", starts_on=today - timedelta(days=300),
            ends_on=today - timedelta(days=20))
        db.session.commit()
    base = f"/c/{community.slug}/mentoring"
    return [
        ("member", f"{base}/"),
        ("coordinator", f"{base}/"),
        ("coordinator", f"{base}/new"),
        ("coordinator", f"{base}/{current.id}/edit"),
        ("chair", f"/users/{people['council'].id}"),
    ]
