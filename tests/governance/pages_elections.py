"""Elections: the builders the elections tests share (an election, a vote, the end of the
period), the objects of the access table, and the part's main pages for the axe and Nu
checks.

`make_election`, `cast` and `end_now` commit; `access_elections` works inside the caller's
request context and only flushes (the caller commits)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db
from app.governance.elections import services
from app.governance.elections.models import Election, ElectionStatus
from app.mixins import utcnow


def make_election(community: Community, people: dict, *, publish: bool = True,
                  title: str = "Выборы председателя", starts: timedelta = timedelta(hours=-1),
                  ends: timedelta = timedelta(days=1),
                  candidates: tuple[str, ...] = ("chair", "council")) -> Election:
    """An election of `community` by its coordinator, from `starts` to `ends` from now
    (open now unless told otherwise), the `candidates` (keys of `people`) on the ballot.
    Commits."""
    now = utcnow()
    with current_app.test_request_context("/"):
        election = services.create_election(
            community, people["coordinator"], services.ElectionFields(
                title=title, starts_at=now + starts, ends_at=now + ends,
                candidate_ids=tuple(people[c].id for c in candidates)), now=now)
        if publish:
            services.publish(election, community, people["coordinator"], now=now)
        db.session.commit()
    return election


def cast(election: Election, community: Community, voter, candidate) -> None:
    """`voter` votes for `candidate` now. Commits."""
    with current_app.test_request_context("/"):
        services.cast_vote(election, community, voter, candidate.id)
        db.session.commit()


def end_now(election: Election) -> None:
    """Move the end of voting a minute into the past, as the clock would. Commits."""
    election.ends_at = utcnow() - timedelta(minutes=1)
    election.starts_at = min(election.starts_at, election.ends_at - timedelta(hours=1))
    db.session.commit()


def access_elections(community: Community, people: dict) -> tuple[Election, Election]:
    """For the access table: the community's open election (the chair and the council
    member its candidates, its roll the chair and the council member; made once and reused
    by later contexts of the same test, as one election runs at a time), and a new draft."""
    coordinator = people["coordinator"]
    now = utcnow()
    candidates = (people["chair"].id, people["council"].id)
    election = db.session.scalar(select(Election).where(
        Election.community_id == community.id, Election.status == ElectionStatus.PUBLISHED))
    if election is None:
        election = services.create_election(community, coordinator, services.ElectionFields(
            title="Выборы для проверки доступа", starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2), candidate_ids=candidates))
        services.publish(election, community, coordinator)
    draft = services.create_election(community, coordinator, services.ElectionFields(
        title="Черновик выборов", starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=12), candidate_ids=candidates))
    return election, draft


def pages(community: Community, people: dict) -> list[tuple[str, str]]:
    """(role, path): the list; last year's finished election with its results (the chair
    re-elected); the open election's ballot (the chair) and, after voting, its page (the
    council member); the form of a new election and of a draft (the coordinator)."""
    coordinator, chair, council = people["coordinator"], people["chair"], people["council"]
    year_ago = utcnow() - timedelta(days=365)
    candidates = (chair.id, council.id)
    with current_app.test_request_context("/"):
        past = services.create_election(community, coordinator, services.ElectionFields(
            title="Выборы председателя на прошлый учебный год", starts_at=year_ago,
            ends_at=year_ago + timedelta(days=7), candidate_ids=candidates), now=year_ago)
        services.publish(past, community, coordinator, now=year_ago)
        for voter in (chair, council):
            services.cast_vote(past, community, voter, chair.id,
                               now=year_ago + timedelta(days=1))
        services.finalize(past, community, coordinator, now=year_ago + timedelta(days=8))
        now = utcnow()
        current = services.create_election(community, coordinator, services.ElectionFields(
            title="Выборы председателя на новый учебный год", starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=5), candidate_ids=candidates))
        services.publish(current, community, coordinator)
        services.cast_vote(current, community, council, chair.id)
        draft = services.create_election(community, coordinator, services.ElectionFields(
            title="Довыборы", starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=31), candidate_ids=candidates))
        db.session.commit()
    base = f"/c/{community.slug}/elections"
    return [
        ("member", f"{base}/"),
        ("member", f"{base}/{past.id}"),
        ("chair", f"{base}/{current.id}"),
        ("council", f"{base}/{current.id}"),
        ("coordinator", f"{base}/new"),
        ("coordinator", f"{base}/{draft.id}/edit"),
    ]
