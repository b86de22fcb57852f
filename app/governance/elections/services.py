"""The election of the chair by secret ballot (seed 000 §3.3): one function per action. They
check the rules, raise DomainError, flush and never commit (the view commits once).

The organisers are the coordinator and the administrator, never the sitting chair, who may
be standing for re-election. Candidates are council members; the coordinator is not one:
a person holds one position in a community (member, coordinator or chair), so a winning
coordinator would leave the community without its coordinator, and the one who runs the
election should not stand in it. The voters are the council (the chair included, the
coordinator too if on the council) as it stood when the election was published: the roll.

Secrecy is described in `cast_vote`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import delete, func, insert, or_, select, update

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.errors import DomainError
from app.events.services import format_local
from app.extensions import db
from app.governance.elections.models import (
    Ballot,
    Election,
    ElectionCandidate,
    ElectionState,
    ElectionStatus,
    RollEntry,
    ballot_key,
)
from app.mixins import utcnow
from app.notifications.services import notify_many
from app.permissions import forget_memberships

TITLE_MAX = 300
MIN_CANDIDATES = 2


# --- who may stand and who votes -----------------------------------------------------------


def _council():
    """The community's council: active members with the council flag, and the chair."""
    return or_(Membership.is_council.is_(True), Membership.role == Role.CHAIR)


def council_choices(community: Community) -> list[tuple[int, str]]:
    """(id, name) of those who may stand: the council, the chair included, but the
    coordinator (see the module's docstring); by name."""
    return [tuple(r) for r in db.session.execute(
        select(User.id, User.full_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None),
               _council(), Membership.role != Role.COORDINATOR)
        .order_by(User.full_name, User.id)
    )]


def council_ids(community: Community) -> list[int]:
    """Everyone on the council now, in id order: the roll of an election published now."""
    return list(db.session.scalars(
        select(Membership.user_id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None),
               _council())
        .order_by(Membership.user_id)
    ))


# --- drafts --------------------------------------------------------------------------------


@dataclass
class ElectionFields:
    title: str
    starts_at: datetime  # naive UTC
    ends_at: datetime  # naive UTC
    candidate_ids: tuple[int, ...] = field(default_factory=tuple)


def _check(fields: ElectionFields, community: Community, now: datetime) -> list[int]:
    """Every rule of the fields; returns the candidates in ballot order (by name)."""
    if not fields.title.strip():
        raise DomainError("Укажите название выборов.", "title")
    if len(fields.title.strip()) > TITLE_MAX:
        raise DomainError(f"Название не длиннее {TITLE_MAX} символов.", "title")
    if fields.ends_at <= fields.starts_at:
        raise DomainError("Окончание голосования должно быть позже его начала.", "ends_at")
    if fields.ends_at <= now:
        raise DomainError("Окончание голосования уже прошло: укажите время в будущем.",
                          "ends_at")
    wanted = set(fields.candidate_ids)
    eligible = [uid for uid, _name in council_choices(community)]
    if wanted - set(eligible):
        raise DomainError("Кандидатами могут быть только члены совета сообщества "
                          "(координатор — нет).", "candidate_ids")
    if len(wanted) < MIN_CANDIDATES:
        raise DomainError(f"Выберите не меньше {MIN_CANDIDATES} кандидатов.", "candidate_ids")
    return [uid for uid in eligible if uid in wanted]


def _apply(election: Election, fields: ElectionFields, candidates: list[int]) -> None:
    election.title = fields.title.strip()
    election.starts_at = fields.starts_at
    election.ends_at = fields.ends_at
    election.candidates[:] = [c for c in election.candidates if c.user_id in candidates]
    have = {c.user_id: c for c in election.candidates}
    for position, uid in enumerate(candidates):
        if uid in have:
            have[uid].position = position
        else:
            election.candidates.append(ElectionCandidate(user_id=uid, position=position))
    election.candidates.sort(key=lambda c: c.position)


def create_election(community: Community, actor: User, fields: ElectionFields,
                    now: datetime | None = None) -> Election:
    """A draft: the organisers may change it until they publish it."""
    candidates = _check(fields, community, now or utcnow())
    election = Election(community_id=community.id, created_by_id=actor.id,
                        status=ElectionStatus.DRAFT, title="", starts_at=fields.starts_at,
                        ends_at=fields.ends_at)
    db.session.add(election)
    _apply(election, fields, candidates)
    db.session.flush()
    return election


def update_election(election: Election, community: Community, actor: User,
                    fields: ElectionFields, now: datetime | None = None) -> Election:
    if not election.is_draft:
        raise DomainError("Выборы уже опубликованы: изменить их нельзя.")
    candidates = _check(fields, community, now or utcnow())
    _apply(election, fields, candidates)
    db.session.flush()
    return election


def active_election(community: Community, *, exclude: int | None = None) -> Election | None:
    """The community's published election whose results are not yet applied."""
    query = select(Election).where(Election.community_id == community.id,
                                   Election.status == ElectionStatus.PUBLISHED)
    if exclude is not None:
        query = query.where(Election.id != exclude)
    return db.session.scalar(query.order_by(Election.id).limit(1))


def election_url(election: Election, community: Community) -> str:
    return url_for("elections.election", community_slug=community.slug, election_id=election.id)


def publish(election: Election, community: Community, actor: User,
            now: datetime | None = None) -> Election:
    """Fix the roll (the council now) and open the election at its start; tell the voters."""
    now = now or utcnow()
    if not election.is_draft:
        raise DomainError("Выборы уже опубликованы.")
    if election.ends_at <= now:
        raise DomainError("Окончание голосования уже прошло: измените срок, затем опубликуйте.")
    other = active_election(community, exclude=election.id)
    if other is not None:
        raise DomainError(f"В сообществе уже идут выборы «{other.title}». Опубликовать новые "
                          "можно, когда по ним подведены итоги.")
    eligible = {uid for uid, _name in council_choices(community)}
    gone = [c.user.full_name for c in election.candidates if c.user_id not in eligible]
    if gone:
        raise DomainError("Больше не могут быть кандидатами (не в совете или координатор): "
                          f"{', '.join(gone)}. Измените список кандидатов.")
    if len(election.candidates) < MIN_CANDIDATES:
        raise DomainError(f"Нужно не меньше {MIN_CANDIDATES} кандидатов.")
    roll = council_ids(community)
    db.session.execute(insert(RollEntry), [
        {"election_id": election.id, "user_id": uid, "has_voted": False} for uid in roll])
    election.roll_size = len(roll)
    election.status = ElectionStatus.PUBLISHED
    election.published_at = now
    db.session.flush()
    notify_many(
        roll, "plan",
        f"Выборы председателя сообщества «{community.name}»: «{election.title}». Тайное "
        f"голосование членов совета с {format_local(election.starts_at, community)} до "
        f"{format_local(election.ends_at, community)}.",
        election_url(election, community))
    return election


# --- voting --------------------------------------------------------------------------------


def has_voted(election: Election, user: User) -> bool | None:
    """True or False for a voter on the roll, None for anyone else. A plain value, never an
    ORM object: the vote rewrites the roll's rows."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(RollEntry.has_voted).where(
        RollEntry.election_id == election.id, RollEntry.user_id == user.id))


def vote_refusal(election: Election, voted: bool | None, now: datetime,
                 community: Community) -> str | None:
    """Why this voter (has_voted's answer) may not vote now, or None."""
    if voted is None:
        return "Вы не входите в список голосующих: голосуют члены совета на момент " \
               "публикации выборов."
    if voted:
        return "Вы уже проголосовали: голосовать можно один раз."
    state = election.state(now)
    if state == ElectionState.SCHEDULED:
        return f"Голосование ещё не началось: оно откроется " \
               f"{format_local(election.starts_at, community)}."
    if state != ElectionState.OPEN:
        return "Голосование завершено."
    return None


def _lock(election: Election) -> None:
    """Serialise the votes of one election: an UPDATE of its row (PostgreSQL holds the row
    lock until commit; SQLite takes its write lock). The next vote then reads the roll and
    the urn as the previous one committed them."""
    db.session.execute(
        update(Election).where(Election.id == election.id).values(roll_size=Election.roll_size),
        execution_options={"synchronize_session": False},
    )


def cast_vote(election: Election, community: Community, voter: User, candidate_id: int,
              now: datetime | None = None) -> None:
    """Mark the voter as having voted and drop a ballot in the urn, in one transaction.
    Returns nothing: nothing here should carry the choice further than the urn.

    One vote per voter: the roll row (primary key election_id, user_id) is flipped by
    `UPDATE … SET has_voted = true WHERE … AND NOT has_voted`; only the transaction that
    flips it inserts a ballot. Votes of one election are serialised by `_lock`, so two
    clicks at once give one ballot and a «вы уже проголосовали».

    Secrecy. The urn row has a random key and no column about the voter or the time, so the
    rows themselves cannot be paired with the roll. What could pair them is the database's
    bookkeeping, which `_reseal` removes in the same transaction:
    - PostgreSQL stamps every row version with the transaction that wrote it (xmin), and
      appends new versions to the heap (ctid order = order of writing). A voter's roll row
      and their ballot would share one xmin, and the n-th flipped roll row would sit in the
      same relative place as the n-th ballot. An `UPDATE … SET x = x` of all rows is not
      enough: it rewrites them in scan order, which is the order they were last written,
      i.e. the order of the votes. So `_reseal` deletes the election's whole urn and whole
      roll and writes them back in an order that knows nothing of the votes: ballots by
      their random key, the roll by user id. Afterwards every row of both tables carries
      the latest vote's xmin. Where each new version lands depends on free space (pruning
      lets a row take the slot of an older version); all rows of a table have one size, so
      the layout follows the number of writes, not who voted when.
    - SQLite has no xmin; its tables are WITHOUT ROWID (models.py), so rows live in primary
      key order (random key; election and user id), not in insertion order.

    What remains, honestly:
    - Dead row versions. Until VACUUM (PostgreSQL) reclaims them, the superseded versions
      stay in the heap with their own xmin/xmax, readable with tools such as pageinspect by
      a superuser; comparing the urn's live versions transaction by transaction pairs each
      vote. Even after VACUUM, bytes of freed tuples, the WAL and backups may keep them.
      SQLite similarly leaves deleted cells in free pages and in the WAL until overwritten
      (PRAGMA secure_delete, checkpoint). Run VACUUM on `election_ballots` and
      `election_roll` after an election closes if that matters.
    - Someone who watches the database while the election runs (a snapshot after every
      vote, or statement logging with log_statement = 'all') sees which roll row flipped
      and which ballot appeared together. Only cryptographic voting schemes defend
      against that; this design protects the stored result, not a live observer.
    - track_commit_timestamp, if switched on, gives the time of the last vote only."""
    now = now or utcnow()
    if candidate_id not in election.candidate_ids:
        raise DomainError("Отметьте одного кандидата из бюллетеня.", "candidate_id")
    if election.status != ElectionStatus.PUBLISHED:
        raise DomainError("Голосование не идёт." if election.is_draft
                          else "Голосование завершено.")
    refusal = vote_refusal(election, False, now, community)
    if refusal:
        raise DomainError(refusal)
    _lock(election)
    marked = db.session.execute(
        update(RollEntry)
        .where(RollEntry.election_id == election.id, RollEntry.user_id == voter.id,
               RollEntry.has_voted.is_(False))
        .values(has_voted=True),
        execution_options={"synchronize_session": False},
    ).rowcount
    if marked != 1:
        raise DomainError(vote_refusal(election, has_voted(election, voter), now, community)
                          or "Голос не принят.")
    db.session.execute(insert(Ballot).values(id=ballot_key(), election_id=election.id,
                                             candidate_id=candidate_id))
    _reseal(election.id)


def _reseal(election_id: int) -> None:
    """Rewrite the election's whole urn and whole roll in the current transaction, in key
    order (see cast_vote): same rows, new versions, one xmin, no trace of the vote order."""
    ballots = db.session.execute(
        select(Ballot.id, Ballot.candidate_id).where(Ballot.election_id == election_id)
        .order_by(Ballot.id)).all()
    roll = db.session.execute(
        select(RollEntry.user_id, RollEntry.has_voted).where(RollEntry.election_id == election_id)
        .order_by(RollEntry.user_id)).all()
    options = {"synchronize_session": False}
    db.session.execute(delete(Ballot).where(Ballot.election_id == election_id),
                       execution_options=options)
    db.session.execute(delete(RollEntry).where(RollEntry.election_id == election_id),
                       execution_options=options)
    db.session.execute(insert(RollEntry), [
        {"election_id": election_id, "user_id": uid, "has_voted": voted} for uid, voted in roll])
    db.session.execute(insert(Ballot), [
        {"id": key, "election_id": election_id, "candidate_id": cid} for key, cid in ballots])


# --- results -------------------------------------------------------------------------------


@dataclass
class Turnout:
    voted: int
    roll: int

    @property
    def percent(self) -> int:
        return round(100 * self.voted / self.roll) if self.roll else 0


def turnout(election: Election) -> Turnout:
    voted = db.session.scalar(select(func.count()).select_from(RollEntry).where(
        RollEntry.election_id == election.id, RollEntry.has_voted.is_(True))) or 0
    return Turnout(voted=voted, roll=election.roll_size)


@dataclass
class Results:
    rows: list[tuple[User, int]]  # every candidate with their votes, most votes first
    turnout: Turnout
    winner: User | None
    leaders: list[User]  # those with the most votes (several: a tie)

    @property
    def is_tie(self) -> bool:
        return len(self.leaders) > 1

    @property
    def total(self) -> int:
        return sum(votes for _user, votes in self.rows)


def results(election: Election, now: datetime | None = None) -> Results:
    """The tally, only once voting is over (closed or finalized)."""
    now = now or utcnow()
    if election.state(now) not in (ElectionState.CLOSED, ElectionState.FINALIZED):
        raise DomainError("Итоги будут видны после окончания голосования.")
    counts = dict(db.session.execute(
        select(Ballot.candidate_id, func.count()).where(Ballot.election_id == election.id)
        .group_by(Ballot.candidate_id)).all())
    rows = [(c.user, counts.get(c.user_id, 0)) for c in election.candidates]
    rows.sort(key=lambda row: -row[1])  # stable: ballot order among equals
    top = rows[0][1] if rows else 0
    leaders = [user for user, votes in rows if votes == top] if top else []
    return Results(rows=rows, turnout=turnout(election),
                   winner=leaders[0] if len(leaders) == 1 else None, leaders=leaders)


def make_chair(community: Community, user: User) -> Membership | None:
    """The elected person becomes the chair; the previous chair stays on the council as a
    member. Mirrors communities.services.appoint, whose check is for the administrator's
    appointments: here the council's vote is the authority. None if the person is no longer
    a member of the community."""
    membership = db.session.scalar(Membership.active().where(
        Membership.user_id == user.id, Membership.community_id == community.id))
    if membership is None:
        return None
    db.session.execute(
        update(Membership)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None),
               Membership.role == Role.CHAIR, Membership.id != membership.id)
        .values(role=Role.MEMBER, is_council=True),
        execution_options={"synchronize_session": "fetch"},
    )
    membership.role = Role.CHAIR
    membership.is_council = True
    db.session.flush()
    forget_memberships()
    return membership


def finalize(election: Election, community: Community, actor: User,
             now: datetime | None = None) -> Results:
    """«Подвести итоги» after the period: record the winner and make them the chair (a tie,
    or no votes: no winner, and a new election is needed). Tells the roll."""
    now = now or utcnow()
    state = election.state(now)
    if state == ElectionState.FINALIZED:
        raise DomainError("Итоги этих выборов уже подведены.")
    if state == ElectionState.DRAFT:
        raise DomainError("Выборы ещё не опубликованы.")
    if state != ElectionState.CLOSED:
        raise DomainError("Голосование ещё идёт: итоги подводятся после "
                          f"{format_local(election.ends_at, community)}.")
    _lock(election)
    result = results(election, now)
    election.status = ElectionStatus.FINALIZED
    election.finalized_at = now
    election.finalized_by_id = actor.id
    election.winner_id = result.winner.id if result.winner else None
    election.chair_appointed = bool(result.winner and make_chair(community, result.winner))
    db.session.flush()
    notify_many(
        council_ids(community) + list(db.session.scalars(
            select(RollEntry.user_id).where(RollEntry.election_id == election.id))),
        "admission", f"Выборы «{election.title}», сообщество «{community.name}»: "
        f"{outcome_text(election, result)}", election_url(election, community))
    return result


def outcome_text(election: Election, result: Results) -> str:
    """One plain sentence about the outcome, for the page and the notification."""
    if result.winner is not None:
        name = result.winner.full_name
        if election.status != ElectionStatus.FINALIZED:
            return f"больше всех голосов у {name}: после подведения итогов он(а) станет " \
                   "председателем."
        if not election.chair_appointed:
            return f"избран(а) {name}, но он(а) больше не участник сообщества: председатель " \
                   "не назначен, нужны новые выборы."
        return f"председателем избран(а) {name}."
    if not result.leaders:
        return "никто не проголосовал: председатель не избран, нужны новые выборы."
    names = ", ".join(u.full_name for u in result.leaders)
    return f"голоса разделились поровну ({names}): победителя нет, председатель не избран — " \
           "нужны новые выборы."
