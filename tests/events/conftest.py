"""Event builders for the events tests: `make_event(community, actor, **fields)`."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.events import services
from app.events.models import Event
from app.extensions import db
from app.mixins import utcnow


def make_event(community, actor, *, publish: bool = True, **overrides) -> Event:
    """A published seminar tomorrow (10:00-12:00 UTC-ish), no seat limit, unless overridden.
    Times are naive UTC. Commits."""
    start = overrides.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=1))
    fields = services.EventFields(
        title=overrides.pop("title", "Семинар «Функциональная грамотность»"),
        type=overrides.pop("type", "seminar"),
        format=overrides.pop("format", "offline"),
        starts_at=start,
        ends_at=overrides.pop("ends_at", start + timedelta(hours=2)),
        place=overrides.pop("place", "Тула, ул. Ленина, 1, актовый зал"),
        **overrides,
    )
    with current_app.test_request_context("/"):
        event = services.create_event(community, actor, fields)
        if publish:
            services.publish(event, actor)
        db.session.commit()
    return event


def sign_up(event, community, user, **kw):
    with current_app.test_request_context("/"):
        registration = services.sign_up(event, community, user, **kw)
        db.session.commit()
    return registration
