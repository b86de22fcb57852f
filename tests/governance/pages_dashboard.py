"""The dashboards' main pages for the axe and Nu checks: the community's dashboard (the
coordinator's, with every panel, and a member's, the hub only) and the network overview."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.events import services as events
from app.extensions import db
from app.mixins import utcnow
from tests.factories import make_join_request, make_user


def pages(community, people) -> list[tuple[str, str]]:
    """(role, path) pairs; `role` is a key of the `people` fixture."""
    make_join_request(make_user(full_name="Заявителева Вера"), community)
    start = utcnow() + timedelta(days=3)
    with current_app.test_request_context("/"):
        event = events.create_event(community, people["coordinator"], events.EventFields(
            title="Заседание Совета сообщества", type="meeting", format="offline",
            place="Актовый зал", starts_at=start, ends_at=start + timedelta(hours=2)))
        events.publish(event, people["coordinator"])
        db.session.commit()
    dashboard = f"/c/{community.slug}/dashboard"
    return [
        ("coordinator", dashboard),
        ("member", dashboard),
        ("admin", "/network"),
    ]
