"""Demo data of the election of the chair (000 §3.3): last year's election, closed, with its
results (the current chair re-elected, 2 votes to 1), and this year's, open for a few more
days, in which one council member has voted, so that the chair and the other council member
can try the secret ballot. Idempotent: skipped once the community has elections. Runs inside
a request context (the services build URLs for notifications)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.mixins import utcnow


def seed(community: Community, people: dict[str, User]) -> None:
    from app.events.services import to_utc
    from app.governance.academic_year import AcademicYear
    from app.governance.elections import services
    from app.governance.elections.models import Election

    if db.session.scalar(select(Election.id).where(Election.community_id == community.id)):
        return
    coordinator, chair = people["coordinator"], people["chair"]
    council1, council2 = people["council1"], people["council2"]
    candidates = (chair.id, council1.id)
    year = AcademicYear.current(community)

    # Last year: voting the first week of September, in the community's zone.
    opened = to_utc(datetime.combine(year.previous.first_day, time(9, 0)), community)
    closed = opened + timedelta(days=7)
    past = services.create_election(community, coordinator, services.ElectionFields(
        title=f"Выборы председателя на {year.previous.label} учебный год", starts_at=opened,
        ends_at=closed, candidate_ids=candidates), now=opened - timedelta(days=2))
    services.publish(past, community, coordinator, now=opened - timedelta(days=1))
    for voter, choice in ((chair, chair), (council1, chair), (council2, council1)):
        services.cast_vote(past, community, voter, choice.id, now=opened + timedelta(days=1))
    services.finalize(past, community, coordinator, now=closed + timedelta(hours=1))

    # This year: open now for five more days.
    now = utcnow().replace(second=0, microsecond=0)
    current = services.create_election(community, coordinator, services.ElectionFields(
        title=f"Выборы председателя на {year.label} учебный год",
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5),
        candidate_ids=candidates))
    services.publish(current, community, coordinator)
    services.cast_vote(current, community, council1, council1.id)
    db.session.flush()
