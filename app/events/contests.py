"""Contests (конкурсы): an event of type «contest» whose members submit entries, which a jury
of the community's experts scores against the organisers' criteria.

- Entries: a member submits one active entry (title, Markdown description, files through
  app.uploads) until the deadline (`entries_deadline`, else the contest's end) and may
  withdraw it until then (the row is kept, status withdrawn). New entries are screened by
  moderation like materials, and entries are registered content (kind «entry»): members
  report them, coordinators hide and restore them from the moderation queue.
- Criteria and jury: the organisers (can_organise: the coordinator, the chair, the event's
  organisers) name criteria with a maximum score and appoint jurors from the community's
  experts; a juror is told.
- Scoring: each juror scores each public entry on every criterion, seeing only their own
  scores; never their own entry nor one by a colleague from the same organisation (conflict
  of interest). Scores change freely until the results are published, then they are frozen.
- Ranking: per entry, the average of the totals of the jurors who scored every criterion,
  how many did, and the spread between them (overall and per criterion). The organisers set
  places and publish the results; the authors are told, and members see the places.

Services take the actor, check the rules, raise DomainError in Russian, flush and never
commit; the views (contest_routes.py) commit once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import delete, select
from sqlalchemy.orm import lazyload
from werkzeug.datastructures import FileStorage

from app import content
from app.auth.models import User
from app.communities.models import Community, Membership
from app.communities.services import active_membership, ensure_can_write
from app.errors import DomainError
from app.events.labels import PLACE_LABELS
from app.events.models import (
    ContestCriterion,
    ContestEntry,
    ContestEntryFile,
    ContestJuror,
    ContestScore,
    EntryStatus,
    Event,
    EventStatus,
    Place,
)
from app.events.permissions import can_organise
from app.events.services import _lock, format_local
from app.extensions import db
from app.materials.reviews import experts_of
from app.mixins import utcnow
from app.moderation import services as moderation
from app.notifications.services import notify
from app.permissions import is_member
from app.sanitize import markdown_to_text, render_markdown
from app.uploads import save_uploads

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
CRITERION_NAME_MAX = 200
MAX_SCORE_LIMIT = 100
CRITERIA_MAX = 30

# --- small helpers ---------------------------------------------------------------------------


def community_of(event: Event) -> Community:
    return db.session.get(Community, event.community_id)


def deadline_of(event: Event) -> datetime:
    """Entries are accepted until this moment (naive UTC)."""
    return event.entries_deadline or event.ends_at


def entry_url(entry: ContestEntry, community: Community | None = None) -> str:
    if community is None:
        community = community_of(db.session.get(Event, entry.event_id))
    return url_for("events.entry", community_slug=community.slug, event_id=entry.event_id,
                   entry_id=entry.id)


def _url(endpoint: str, event: Event, community: Community) -> str:
    return url_for(endpoint, community_slug=community.slug, event_id=event.id)


def _organisation(user: User | None) -> str:
    return (user.organisation or "").strip().casefold() if user is not None else ""


def _number(value: float) -> str:
    """12 → «12», 12.5 → «12,5»."""
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def _require_organiser(actor: User, event: Event, community: Community, message: str) -> None:
    if not can_organise(actor, event, community):
        raise DomainError(message)


def _require_open_for_changes(event: Event) -> None:
    """Criteria, jury and places change until the results are out (and while not cancelled)."""
    if event.is_cancelled:
        raise DomainError("Конкурс отменён.")
    if event.results_published_at is not None:
        raise DomainError("Итоги конкурса уже опубликованы: менять их больше нельзя.")


# --- entries ---------------------------------------------------------------------------------


def active_entry_of(event: Event, user: User) -> ContestEntry | None:
    """The user's entry that is not withdrawn (at most one)."""
    return db.session.scalar(select(ContestEntry).where(
        ContestEntry.event_id == event.id, ContestEntry.author_id == user.id,
        ContestEntry.status == EntryStatus.SUBMITTED,
    ).order_by(ContestEntry.id.desc()).limit(1))


def entries_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why the contest takes no entries (nor withdrawals) now, whoever asks; None if it does."""
    now = now or utcnow()
    if not event.is_contest:
        return "Это мероприятие — не конкурс: работы на него не подают."
    if event.status == EventStatus.DRAFT:
        return "Конкурс ещё не опубликован: приём работ не открыт."
    if event.status == EventStatus.CANCELLED:
        return "Конкурс отменён: приём работ закрыт."
    if event.status == EventStatus.FINISHED or event.results_published_at is not None:
        return "Конкурс завершён: приём работ закрыт."
    if now >= deadline_of(event):
        return ("Приём работ закончился "
                f"{format_local(deadline_of(event), community_of(event))}.")
    return None


def submit_refusal(event: Event, community: Community, user: User,
                   now: datetime | None = None) -> str | None:
    """Why `user` may not submit an entry now, or None."""
    if not is_member(user, community):
        return f"Подавать работы могут только участники сообщества «{community.name}»."
    reason = entries_closed_reason(event, now)
    if reason:
        return reason
    if active_entry_of(event, user) is not None:
        return ("Вы уже подали работу на этот конкурс: от участника принимается одна работа. "
                "Чтобы подать другую, сначала отзовите прежнюю.")
    return None


def _check_entry_fields(title: str, description: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("Укажите название работы.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Название длиннее {TITLE_MAX} символов.", field="title")
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(f"Описание длиннее {DESCRIPTION_MAX} символов.", field="description")
    return title, description


def submit_entry(event: Event, community: Community, author: User, *, title: str,
                 description: str = "", files: Sequence[FileStorage] = (),
                 now: datetime | None = None) -> ContestEntry:
    """A member's entry: screened by moderation like a material (a watched word may refuse
    it or hold it for a coordinator; a newcomer's first items wait for review)."""
    now = now or utcnow()
    if active_membership(author, community) is None:
        raise DomainError(f"Подавать работы могут только участники сообщества "
                          f"«{community.name}».")
    ensure_can_write(author, community)
    title, description = _check_entry_fields(title, description)
    real_files = [f for f in files if f and f.filename]
    if not description and not real_files:
        raise DomainError("Опишите работу или приложите хотя бы один файл.", field="files")
    # Serialise submissions to this contest, so that two at once cannot both pass the
    # «one active entry» check; then read the status as committed.
    _lock(event)
    reason = entries_closed_reason(event, now)
    if reason:
        raise DomainError(reason)
    if active_entry_of(event, author) is not None:
        raise DomainError("Вы уже подали работу на этот конкурс: от участника принимается "
                          "одна работа. Чтобы подать другую, сначала отзовите прежнюю.")
    screening = moderation.screen(community, author, title, description)
    entry = ContestEntry(
        event_id=event.id, author_id=author.id, title=title, description=description,
        description_html=render_markdown(description) if description else "",
        status=EntryStatus.SUBMITTED, created_at=now, updated_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    for position, stored in enumerate(save_uploads(real_files, author)):
        db.session.add(ContestEntryFile(entry_id=entry.id, file_id=stored.id,
                                        position=position))
    db.session.flush()
    db.session.expire(entry, ["files"])
    moderation.apply_screening(entry, screening)
    return entry


def withdraw_refusal(entry: ContestEntry, event: Event, user: User,
                     now: datetime | None = None) -> str | None:
    if entry.author_id != user.id:
        return "Отозвать работу может только её автор."
    if entry.is_withdrawn:
        return "Работа уже отозвана."
    now = now or utcnow()
    if event.is_cancelled:
        return "Конкурс отменён."
    if event.status == EventStatus.FINISHED or event.results_published_at is not None:
        return "Конкурс завершён: отозвать работу нельзя."
    if now >= deadline_of(event):
        return "Срок приёма работ истёк: отозвать работу уже нельзя."
    return None


def withdraw_entry(entry: ContestEntry, event: Event, actor: User,
                   now: datetime | None = None) -> ContestEntry:
    """The author takes the entry back before the deadline; it is kept, marked withdrawn."""
    now = now or utcnow()
    reason = withdraw_refusal(entry, event, actor, now)
    if reason:
        raise DomainError(reason)
    entry.status = EntryStatus.WITHDRAWN
    entry.withdrawn_at = now
    entry.updated_at = now
    entry.place = None
    db.session.flush()
    return entry


def visible_entries(event: Event, viewer: User) -> list[ContestEntry]:
    """The entries members see (submitted, neither held nor hidden), plus the viewer's own
    submitted ones whatever moderation did to them (marked on the page)."""
    public = ContestEntry.held_at.is_(None) & ContestEntry.hidden_at.is_(None)
    own = ContestEntry.author_id == viewer.id
    return list(db.session.scalars(
        select(ContestEntry).options(lazyload(ContestEntry.files))
        .where(ContestEntry.event_id == event.id,
               ContestEntry.status == EntryStatus.SUBMITTED, public | own)
        .order_by(ContestEntry.created_at, ContestEntry.id)
    ).unique())


def jury_entries(event: Event) -> list[ContestEntry]:
    """What the jury scores and the ranking ranks: submitted and public entries."""
    return list(db.session.scalars(
        select(ContestEntry)
        .where(ContestEntry.event_id == event.id,
               ContestEntry.status == EntryStatus.SUBMITTED,
               ContestEntry.held_at.is_(None), ContestEntry.hidden_at.is_(None))
        .order_by(ContestEntry.created_at, ContestEntry.id)
    ).unique())


# --- criteria --------------------------------------------------------------------------------


def criteria_of(event: Event) -> list[ContestCriterion]:
    return list(db.session.scalars(
        select(ContestCriterion).where(ContestCriterion.event_id == event.id)
        .order_by(ContestCriterion.position, ContestCriterion.id)
    ))


def add_criterion(event: Event, community: Community, actor: User, name: str,
                  max_score: int | None) -> ContestCriterion:
    _require_organiser(actor, event, community, "Критерии конкурса задают организаторы.")
    _require_open_for_changes(event)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Назовите критерий.", field="name")
    if len(name) > CRITERION_NAME_MAX:
        raise DomainError(f"Не больше {CRITERION_NAME_MAX} символов.", field="name")
    if isinstance(max_score, bool) or not isinstance(max_score, int) \
            or not 1 <= max_score <= MAX_SCORE_LIMIT:
        raise DomainError(f"Максимальный балл — целое число от 1 до {MAX_SCORE_LIMIT}.",
                          field="max_score")
    existing = criteria_of(event)
    if name.casefold() in {c.name.casefold() for c in existing}:
        raise DomainError("Такой критерий уже есть.", field="name")
    if len(existing) >= CRITERIA_MAX:
        raise DomainError(f"Не больше {CRITERIA_MAX} критериев.", field="name")
    criterion = ContestCriterion(
        event_id=event.id, name=name, max_score=max_score,
        position=max((c.position for c in existing), default=0) + 1,
    )
    db.session.add(criterion)
    db.session.flush()
    return criterion


def remove_criterion(criterion: ContestCriterion, event: Event, community: Community,
                     actor: User) -> None:
    """Take a criterion out, with the scores given on it (before the results only)."""
    _require_organiser(actor, event, community, "Критерии конкурса задают организаторы.")
    _require_open_for_changes(event)
    db.session.execute(delete(ContestScore).where(ContestScore.criterion_id == criterion.id))
    db.session.delete(criterion)
    db.session.flush()


# --- jury ------------------------------------------------------------------------------------


def jurors_of(event: Event) -> list[ContestJuror]:
    rows = db.session.scalars(select(ContestJuror).where(ContestJuror.event_id == event.id))
    return sorted(rows, key=lambda j: (j.user.full_name.casefold(), j.user_id))


def is_juror(event: Event, user: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(ContestJuror, (event.id, user.id)) is not None


def candidate_experts(event: Event, community: Community) -> list[User]:
    """The community's experts who are not on this jury yet."""
    taken = {j.user_id for j in jurors_of(event)}
    return [u for u in experts_of(community) if u.id not in taken]


def appoint_juror(event: Event, community: Community, actor: User,
                  user_id: int | None) -> ContestJuror:
    _require_organiser(actor, event, community, "Жюри назначают организаторы конкурса.")
    _require_open_for_changes(event)
    if user_id is None:
        raise DomainError("Выберите эксперта.", field="user_id")
    membership = db.session.scalar(Membership.active().where(
        Membership.user_id == user_id, Membership.community_id == community.id))
    if membership is None:
        raise DomainError("Назначить в жюри можно только участника сообщества.",
                          field="user_id")
    if not membership.is_expert:
        raise DomainError("Назначить в жюри можно только участника, отмеченного в сообществе "
                          "как эксперт.", field="user_id")
    user = db.session.get(User, user_id)
    if db.session.get(ContestJuror, (event.id, user_id)) is not None:
        raise DomainError(f"{user.full_name} уже в жюри.", field="user_id")
    juror = ContestJuror(event_id=event.id, user_id=user_id, appointed_by_id=actor.id)
    db.session.add(juror)
    db.session.flush()
    notify(user, "event",
           f"Вы назначены в жюри конкурса: {event.title}. Оцените работы участников.",
           _url("events.scoring", event, community))
    return juror


def remove_juror(juror: ContestJuror, event: Event, community: Community,
                 actor: User) -> None:
    """Out of the jury; the scores given stay stored but no longer count."""
    _require_organiser(actor, event, community, "Жюри назначают организаторы конкурса.")
    _require_open_for_changes(event)
    db.session.delete(juror)
    db.session.flush()


# --- scoring ---------------------------------------------------------------------------------


def conflict_of_interest(entry: ContestEntry, juror: User) -> str | None:
    """Why `juror` may not score `entry`, or None."""
    if entry.author_id == juror.id:
        return "Конфликт интересов: член жюри не оценивает собственную работу."
    mine = _organisation(juror)
    if mine and mine == _organisation(entry.author):
        return ("Конфликт интересов: автор работы — ваш коллега по организации "
                f"«{entry.author.organisation.strip()}». Эту работу оценят другие члены жюри.")
    return None


def scores_by(event: Event, juror: User) -> dict[int, dict[int, int]]:
    """The juror's own scores: {entry_id: {criterion_id: value}}. Nobody else's."""
    rows = db.session.execute(
        select(ContestScore.entry_id, ContestScore.criterion_id, ContestScore.value)
        .join(ContestEntry, ContestEntry.id == ContestScore.entry_id)
        .where(ContestEntry.event_id == event.id, ContestScore.juror_id == juror.id)
    )
    found: dict[int, dict[int, int]] = {}
    for entry_id, criterion_id, value in rows:
        found.setdefault(entry_id, {})[criterion_id] = value
    return found


def score_entry(entry: ContestEntry, event: Event, juror: User,
                values: Mapping[int, int | None], now: datetime | None = None
                ) -> list[ContestScore]:
    """The juror's scores of one entry on every criterion (0..its maximum); scoring again
    replaces them, until the results are published."""
    now = now or utcnow()
    if not is_juror(event, juror):
        raise DomainError("Оценивать работы могут только члены жюри этого конкурса.")
    if event.is_cancelled:
        raise DomainError("Конкурс отменён.")
    if event.results_published_at is not None:
        raise DomainError("Итоги конкурса опубликованы: оценки больше не меняются.")
    if entry.event_id != event.id or entry.is_withdrawn:
        raise DomainError("Работа отозвана автором; оценивать её не нужно.")
    if not entry.is_public:
        raise DomainError("Работа скрыта координатором; оценивать её не нужно.")
    reason = conflict_of_interest(entry, juror)
    if reason:
        raise DomainError(reason)
    criteria = criteria_of(event)
    if not criteria:
        raise DomainError("Организаторы ещё не задали критерии оценки.")
    for criterion in criteria:
        value = values.get(criterion.id)
        name = f"score_{criterion.id}"
        if value is None:
            raise DomainError(f"Поставьте балл по критерию «{criterion.name}».", field=name)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 0 <= value <= criterion.max_score:
            raise DomainError(f"Балл по критерию «{criterion.name}» — от 0 до "
                              f"{criterion.max_score}.", field=name)
    existing = {s.criterion_id: s for s in db.session.scalars(select(ContestScore).where(
        ContestScore.entry_id == entry.id, ContestScore.juror_id == juror.id))}
    saved = []
    for criterion in criteria:
        row = existing.get(criterion.id)
        if row is None:
            row = ContestScore(entry_id=entry.id, juror_id=juror.id,
                               criterion_id=criterion.id, value=values[criterion.id],
                               updated_at=now)
            db.session.add(row)
        elif row.value != values[criterion.id]:
            row.value, row.updated_at = values[criterion.id], now
        saved.append(row)
    db.session.flush()
    return saved


# --- ranking, places, results ----------------------------------------------------------------


@dataclass
class CriterionStat:
    criterion: ContestCriterion
    average: str  # «7,5»
    spread: int  # max − min between the jurors


@dataclass
class RankRow:
    entry: ContestEntry
    totals: list[int]  # one per juror who scored every criterion
    eligible: int  # jurors without a conflict of interest for this entry
    conflicts: int  # jurors with one
    by_criterion: list[CriterionStat] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.totals)

    @property
    def average_value(self) -> float | None:
        return sum(self.totals) / len(self.totals) if self.totals else None

    @property
    def average(self) -> str:
        value = self.average_value
        return "—" if value is None else _number(value)

    @property
    def spread(self) -> int | None:
        return max(self.totals) - min(self.totals) if self.totals else None


@dataclass
class Ranking:
    rows: list[RankRow]
    criteria: list[ContestCriterion]
    jurors: list[ContestJuror]
    max_total: int
    done: dict[int, int]  # juror id → entries they scored on every criterion


def ranking(event: Event) -> Ranking:
    """The public entries by the average of the jurors' totals, best first; in a fixed
    number of queries. Only the current jurors' complete scorings count."""
    criteria = criteria_of(event)
    jurors = jurors_of(event)
    entries = jury_entries(event)
    juror_ids = {j.user_id for j in jurors}
    criterion_ids = {c.id for c in criteria}
    given: dict[tuple[int, int], dict[int, int]] = {}
    if entries and juror_ids and criteria:
        rows = db.session.execute(
            select(ContestScore.entry_id, ContestScore.juror_id, ContestScore.criterion_id,
                   ContestScore.value)
            .join(ContestEntry, ContestEntry.id == ContestScore.entry_id)
            .where(ContestEntry.event_id == event.id,
                   ContestScore.juror_id.in_(juror_ids))
        )
        for entry_id, juror_id, criterion_id, value in rows:
            if criterion_id in criterion_ids:
                given.setdefault((entry_id, juror_id), {})[criterion_id] = value
    done = dict.fromkeys(juror_ids, 0)
    result = []
    for entry in entries:
        complete = {}
        conflicts = 0
        for juror in jurors:
            if conflict_of_interest(entry, juror.user):
                conflicts += 1
                continue
            scores = given.get((entry.id, juror.user_id), {})
            if criteria and len(scores) == len(criteria):
                complete[juror.user_id] = scores
                done[juror.user_id] += 1
        row = RankRow(entry=entry, totals=[sum(s.values()) for s in complete.values()],
                      eligible=len(jurors) - conflicts, conflicts=conflicts)
        if complete:
            for criterion in criteria:
                values = [s[criterion.id] for s in complete.values()]
                row.by_criterion.append(CriterionStat(
                    criterion=criterion, average=_number(sum(values) / len(values)),
                    spread=max(values) - min(values)))
        result.append(row)
    result.sort(key=lambda r: (r.average_value is None, -(r.average_value or 0),
                               r.entry.created_at, r.entry.id))
    return Ranking(rows=result, criteria=criteria, jurors=jurors,
                   max_total=sum(c.max_score for c in criteria), done=done)


def set_place(entry: ContestEntry, event: Event, community: Community, actor: User,
              place: str | None) -> ContestEntry:
    """Winner, prize-winner or participant (None: not decided); until the results are out."""
    _require_organiser(actor, event, community, "Места присуждают организаторы конкурса.")
    _require_open_for_changes(event)
    place = place or None
    if place is not None and place not in set(Place):
        raise DomainError("Выберите место из списка.", field="place")
    if entry.event_id != event.id or entry.is_withdrawn or not entry.is_public:
        raise DomainError("Место присуждается только работе, которую видят участники.")
    entry.place = place
    db.session.flush()
    return entry


def publish_refusal(event: Event, now: datetime | None = None) -> str | None:
    now = now or utcnow()
    if event.is_cancelled:
        return "Конкурс отменён."
    if event.status == EventStatus.DRAFT:
        return "Конкурс ещё не опубликован."
    if event.results_published_at is not None:
        return "Итоги уже опубликованы."
    if now < deadline_of(event):
        return "Приём работ ещё не закончился: итоги публикуют после срока подачи."
    return None


def publish_results(event: Event, community: Community, actor: User,
                    now: datetime | None = None) -> int:
    """Publish the places. Public entries still without a place become participants' ones.
    Scores and places are frozen from now on. Each author is told; returns how many."""
    now = now or utcnow()
    _require_organiser(actor, event, community, "Итоги публикуют организаторы конкурса.")
    reason = publish_refusal(event, now)
    if reason:
        raise DomainError(reason)
    entries = jury_entries(event)
    if not entries:
        raise DomainError("На конкурс не подано ни одной работы: публиковать нечего.")
    if not any(e.place for e in entries):
        raise DomainError("Сначала присудите места: отметьте победителей и призёров.")
    event.results_published_at = now
    told = 0
    for entry in entries:
        entry.place = entry.place or Place.PARTICIPANT
        if entry.author is not None:
            notify(entry.author, "event",
                   f"Опубликованы итоги конкурса: {event.title}. Ваша работа «{entry.title}» — "
                   f"{PLACE_LABELS[entry.place].lower()}.",
                   entry_url(entry, community))
            told += 1
    db.session.flush()
    return told


_PLACE_ORDER = {Place.WINNER: 0, Place.PRIZE: 1, Place.PARTICIPANT: 2}


def results(event: Event) -> list[ContestEntry]:
    """The placed entries, winners first; empty until the results are published."""
    if event.results_published_at is None:
        return []
    placed = [e for e in jury_entries(event) if e.place]
    return sorted(placed, key=lambda e: (_PLACE_ORDER.get(e.place, 9), e.created_at, e.id))


# --- what the event page shows ---------------------------------------------------------------


@dataclass
class ContestView:
    """Everything templates/events/_contest.html needs, as the viewer may see it."""

    deadline: datetime  # naive UTC
    closed_reason: str | None  # why no entries are taken now (None: they are)
    refusal: str | None  # why the viewer may not submit now (None: they may)
    own: ContestEntry | None  # the viewer's active entry
    entries: list[ContestEntry]
    criteria: list[ContestCriterion]
    jurors: list[ContestJuror]
    is_juror: bool
    can_manage: bool  # criteria, jury, ranking, places, results
    can_moderate: bool
    published: bool
    results: list[ContestEntry]
    entries_count: int = 0


def page_context(event: Event, community: Community, user: User) -> dict:
    """The contest section of the event page: {"contest": ContestView}."""
    now = utcnow()
    entries = visible_entries(event, user)
    own = next((e for e in entries if e.author_id == user.id), None)
    jurors = jurors_of(event)
    view = ContestView(
        deadline=deadline_of(event),
        closed_reason=entries_closed_reason(event, now),
        refusal=submit_refusal(event, community, user, now) if own is None
        else "Вы уже подали работу на этот конкурс.",
        own=own,
        entries=entries,
        criteria=criteria_of(event),
        jurors=jurors,
        is_juror=any(j.user_id == user.id for j in jurors),
        can_manage=can_organise(user, event, community),
        can_moderate=moderation.is_moderator(user, community),
        published=event.results_published_at is not None,
        results=results(event),
        entries_count=sum(1 for e in entries if e.is_public),
    )
    if view.published:  # winners first
        order = {e.id: i for i, e in enumerate(view.results)}
        view.entries.sort(key=lambda e: (order.get(e.id, len(order)), e.created_at, e.id))
    return {"contest": view}


def can_see_entry(entry: ContestEntry, event: Event, community: Community, user: User) -> bool:
    """Public and hidden entries (the latter as a placeholder) are there for every member;
    a held one for its author and the moderators; a withdrawn one for its author, the
    organisers and the moderators."""
    if entry.author_id == user.id or moderation.is_moderator(user, community):
        return True
    if entry.is_withdrawn:
        return can_organise(user, event, community)
    return entry.held_at is None or entry.hidden_at is not None


def can_see_content(entry: ContestEntry, community: Community, user: User) -> bool:
    """The text and files: not of a hidden entry, except for the moderators."""
    return entry.hidden_at is None or moderation.is_moderator(user, community)


# --- moderation ------------------------------------------------------------------------------


def _entry_content_url(entry: ContestEntry) -> str:
    return entry_url(entry)


content.register(
    content.ContentType(
        kind="entry",
        model=ContestEntry,
        label="конкурсная работа",
        gender="f",
        url=_entry_content_url,
        excerpt=lambda e: f"«{e.title}» " + markdown_to_text(e.description, 250),
    )
)
