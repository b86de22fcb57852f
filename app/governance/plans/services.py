"""The work plan: one function per action. They check the rules, raise DomainError with the
field the message belongs to, write the plan's history (PlanLog), flush and never commit.

Content (dates, titles, forms, responsible people, order) changes only while the plan is a
draft; the fact (an item's status, its linked event, its note) is kept at any stage. The
council approves by a strict majority of its current members (000 §3.4): a vote locks the
plan's row first, so two council members approving at the same moment are counted one after
the other and the second one sees the first one's vote.

Returning a plan to draft clears the round's votes (PlanVote), so the council decides afresh
on the changed plan; every vote was copied to PlanLog when it was cast, with its comment and
time, so the record of each round stays (the plan page shows it as the history)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import case, delete, func, select, update

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.errors import DomainError
from app.events.models import Event, EventStatus
from app.events.services import to_local
from app.extensions import db
from app.governance.academic_year import (
    AcademicYear,
    DueState,
    due_state,
    local_today,
    plan_due,
)
from app.governance.plans.labels import FORM_LABELS, ITEM_STATUS_LABELS, PLAN_STATUS_LABELS
from app.governance.plans.models import (
    Decision,
    ItemStatus,
    Plan,
    PlanItem,
    PlanLog,
    PlanStatus,
    PlanVote,
)
from app.i18n import date_filter
from app.mixins import utcnow
from app.notifications.services import notify_many

TITLE_MAX = 500
FORM_OTHER_MAX = 100
NOTE_MAX = 2000
COMMENT_MAX = 2000


# --- reading ---------------------------------------------------------------------------


def plan_of(community: Community, year: int) -> Plan | None:
    return db.session.scalar(
        select(Plan).where(Plan.community_id == community.id, Plan.year == year)
    )


def council_of(community: Community) -> list[User]:
    """The current council: active members with the council flag, and the chair."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None),
               (Membership.is_council.is_(True)) | (Membership.role == Role.CHAIR))
        .order_by(User.full_name, User.id)
    ))


def _leaders_ids(community: Community) -> list[int]:
    return list(db.session.scalars(
        select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.role.in_([Role.CHAIR, Role.COORDINATOR]))
    ))


def votes_of(plan: Plan) -> list[PlanVote]:
    return list(db.session.scalars(
        select(PlanVote).where(PlanVote.plan_id == plan.id).order_by(PlanVote.decided_at,
                                                                      PlanVote.id)
    ))


def history_of(plan: Plan) -> list[PlanLog]:
    return list(db.session.scalars(
        select(PlanLog).where(PlanLog.plan_id == plan.id).order_by(PlanLog.id)
    ))


def event_choices(community: Community, year: int) -> list[tuple[int, str]]:
    """(id, «title (date)») of the community's events that start in the academic year."""
    start, end = AcademicYear(year).utc_bounds(community)
    rows = db.session.execute(
        select(Event.id, Event.title, Event.starts_at).where(
            Event.community_id == community.id, Event.starts_at >= start,
            Event.starts_at < end).order_by(Event.starts_at, Event.id)
    )
    return [(id_, f"{title} ({date_filter(to_local(starts, community))})")
            for id_, title, starts in rows]


@dataclass(frozen=True)
class Approval:
    """Where the approval stands: the current council, the round's votes, how many approvals
    make a majority and who has not decided yet."""

    council: list[User]
    votes: list[PlanVote]

    @property
    def needed(self) -> int:
        return len(self.council) // 2 + 1

    @property
    def approvals(self) -> int:
        ids = {u.id for u in self.council}
        return sum(1 for v in self.votes if v.approves and v.user_id in ids)

    @property
    def objections(self) -> int:
        return sum(1 for v in self.votes if not v.approves)

    @property
    def pending(self) -> list[User]:
        voted = {v.user_id for v in self.votes}
        return [u for u in self.council if u.id not in voted]

    def vote_of(self, user: User) -> PlanVote | None:
        return next((v for v in self.votes if v.user_id == getattr(user, "id", None)), None)


def approval_of(plan: Plan, community: Community) -> Approval:
    return Approval(council_of(community), votes_of(plan))


# --- plan against fact -------------------------------------------------------------------


def event_fact(event: Event | None, now: datetime | None = None) -> str | None:
    """What became of a linked event: held (published or finished, started in the past),
    cancelled, upcoming, or draft (not published yet); None without an event."""
    if event is None:
        return None
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.status == EventStatus.DRAFT:
        return "draft"
    if event.starts_at <= now:
        return "held"
    return "upcoming"


@dataclass(frozen=True)
class FactTotals:
    items_total: int
    items_done: int
    linked: int
    linked_held: int


def fact_totals(items: Iterable[PlanItem], now: datetime | None = None) -> FactTotals:
    now = now or utcnow()
    items = list(items)
    linked = [i for i in items if i.event is not None]
    return FactTotals(
        items_total=len(items),
        items_done=sum(1 for i in items if i.is_done),
        linked=len(linked),
        linked_held=sum(1 for i in linked if event_fact(i.event, now) == "held"),
    )


# --- summaries for the dashboards and the report ----------------------------------------


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan | None
    status: str  # none, draft, approval, approved
    status_label: str
    approved_on: date | None  # in the community's zone
    due: DueState  # done once approved
    items_total: int
    items_done: int


def _start(year: int | AcademicYear) -> int:
    return year.start if isinstance(year, AcademicYear) else int(year)


def approved_on(plan: Plan | None, community: Community) -> date | None:
    if plan is None or plan.approved_at is None or plan.status != PlanStatus.APPROVED:
        return None
    local = to_local(plan.approved_at, community)
    return local.date() if local else None


def _summary(community: Community, start: int, plan: Plan | None, total: int, done: int,
             today: date) -> PlanSummary:
    status = plan.status if plan is not None else "none"
    on = approved_on(plan, community)
    return PlanSummary(
        plan=plan, status=status, status_label=PLAN_STATUS_LABELS[status], approved_on=on,
        due=due_state(plan_due(community, AcademicYear(start)), today, on),
        items_total=total or 0, items_done=done or 0,
    )


def _with_counts(where) -> list[tuple[Plan, int, int]]:
    """Plans matching `where` with their items' totals, in one query."""
    plan_ids = select(Plan.id).where(*where)
    counts = (
        select(PlanItem.plan_id, func.count(PlanItem.id).label("total"),
               func.sum(case((PlanItem.status == ItemStatus.DONE, 1), else_=0)).label("done"))
        .where(PlanItem.plan_id.in_(plan_ids)).group_by(PlanItem.plan_id).subquery()
    )
    rows = db.session.execute(
        select(Plan, counts.c.total, counts.c.done)
        .outerjoin(counts, counts.c.plan_id == Plan.id).where(*where)
    ).all()
    return [(plan, int(total or 0), int(done or 0)) for plan, total, done in rows]


def plan_summaries(communities: Iterable[Community],
                   year: int | AcademicYear) -> dict[int, PlanSummary]:
    """Every community's plan for the academic year `year` (its start, or an AcademicYear),
    by community id; one query whatever the number of communities."""
    communities = list(communities)
    start = _start(year)
    if not communities:
        return {}
    found = {plan.community_id: (plan, total, done) for plan, total, done in _with_counts(
        (Plan.community_id.in_([c.id for c in communities]), Plan.year == start))}
    now = utcnow()
    result = {}
    for community in communities:
        plan, total, done = found.get(community.id, (None, 0, 0))
        result[community.id] = _summary(community, start, plan, total, done,
                                        local_today(community, now))
    return result


def plan_summary(community: Community, year: int | AcademicYear) -> PlanSummary:
    return plan_summaries([community], year)[community.id]


def summaries_by_year(community: Community) -> list[PlanSummary]:
    """The community's plans, the current year first (with a «none» row when it has no plan
    yet), then the others, latest first: the index page."""
    today = local_today(community)
    current = AcademicYear.of(today).start
    rows = _with_counts((Plan.community_id == community.id,))
    summaries = [_summary(community, plan.year, plan, total, done, today)
                 for plan, total, done in rows]
    if not any(s.plan.year == current for s in summaries):
        summaries.append(_summary(community, current, None, 0, 0, today))

    def year_of(summary: PlanSummary) -> int:
        return summary.plan.year if summary.plan else current

    return sorted(summaries, key=lambda s: (year_of(s) != current, -year_of(s)))


# --- drafting ------------------------------------------------------------------------------


def creatable_years(community: Community, today: date | None = None) -> list[int]:
    """The years a plan may be started for: the current one and the next, without a plan."""
    current = AcademicYear.of(today or local_today(community)).start
    taken = set(db.session.scalars(select(Plan.year).where(
        Plan.community_id == community.id, Plan.year.in_([current, current + 1]))))
    return [y for y in (current, current + 1) if y not in taken]


def _log(plan: Plan, actor: User | None, action: str, comment: str = "") -> None:
    db.session.add(PlanLog(plan_id=plan.id, round=plan.round,
                           actor_id=actor.id if actor else None, action=action,
                           comment=comment))


def _plan_url(plan: Plan, community: Community) -> str:
    return url_for("plans.plan", community_slug=community.slug, plan_id=plan.id)


def _name(plan: Plan, community: Community) -> str:
    return (f"План работы сообщества «{community.name}» на {AcademicYear(plan.year).label} "
            "учебный год")


def create_plan(community: Community, actor: User, year: int) -> Plan:
    if year not in creatable_years(community):
        if plan_of(community, year) is not None:
            raise DomainError(
                f"План на {AcademicYear(year).label} учебный год уже есть.", "year")
        raise DomainError("План можно составить на текущий или на следующий учебный год.",
                          "year")
    plan = Plan(community_id=community.id, year=year, created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    _log(plan, actor, "created")
    db.session.flush()
    return plan


@dataclass
class ItemFields:
    title: str
    form: str
    responsible_id: int | None
    day: date | None = None
    month: int | None = None
    form_other: str = ""
    event_id: int | None = None
    note: str = ""


def content_refusal(plan: Plan) -> str | None:
    """Why the plan's content may not change now (None: it is a draft, it may)."""
    if plan.status == PlanStatus.APPROVAL:
        return ("План на утверждении у Совета: его содержание не меняется. Чтобы внести "
                "правки, верните план на доработку.")
    if plan.status == PlanStatus.APPROVED:
        return ("План утверждён: его содержание не меняется. Отмечайте выполнение пунктов; "
                "чтобы изменить сам план, верните его на доработку.")
    return None


def _ensure_draft(plan: Plan) -> None:
    refusal = content_refusal(plan)
    if refusal:
        raise DomainError(refusal)


def _check_responsible(community: Community, user_id: int | None,
                       kept: int | None = None) -> None:
    """An active member, or `kept`: the item's own, who stays even after leaving."""
    if not user_id:
        raise DomainError("Выберите ответственного из участников сообщества.",
                          "responsible_id")
    if user_id == kept:
        return
    active = db.session.scalar(select(Membership.id).where(
        Membership.user_id == user_id, Membership.community_id == community.id,
        Membership.left_at.is_(None)))
    if active is None:
        raise DomainError("Ответственным может быть только участник сообщества: выберите его "
                          "из списка.", "responsible_id")


def _check_event(community: Community, event_id: int | None) -> None:
    if not event_id:
        return
    event = db.session.get(Event, event_id)
    if event is None or event.community_id != community.id:
        raise DomainError("Связать пункт можно только с мероприятием этого сообщества.",
                          "event_id")


def _check_note(note: str) -> None:
    if len(note) > NOTE_MAX:
        raise DomainError(f"Примечание — не длиннее {NOTE_MAX} символов.", "note")


def _when(plan: Plan, day: date | None, month: int | None) -> tuple[date | None, int]:
    year = AcademicYear(plan.year)
    if day is None and not month:
        raise DomainError("Укажите дату или хотя бы месяц проведения.", "day")
    if month and not 1 <= month <= 12:
        raise DomainError("Выберите месяц из списка.", "month")
    if day is not None:
        if not year.contains(day):
            raise DomainError(
                f"Дата вне {year.label} учебного года: укажите дату с "
                f"{date_filter(year.first_day)} по {date_filter(year.last_day)}.", "day")
        if month and month != day.month:
            raise DomainError("Месяц не совпадает с датой: укажите что-то одно — точную дату "
                              "или только месяц.", "month")
        return day, day.month
    return None, month  # type: ignore[return-value]


def _check_fields(plan: Plan, community: Community, fields: ItemFields,
                  item: PlanItem | None = None) -> tuple[date | None, int]:
    title = fields.title.strip()
    if not title:
        raise DomainError("Укажите, что планируется: название пункта.", "title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Название — не длиннее {TITLE_MAX} символов.", "title")
    when = _when(plan, fields.day, fields.month)
    if fields.form not in FORM_LABELS:
        raise DomainError("Выберите форму из списка.", "form")
    if len(fields.form_other) > FORM_OTHER_MAX:
        raise DomainError(f"Не длиннее {FORM_OTHER_MAX} символов.", "form_other")
    _check_responsible(community, fields.responsible_id,
                       item.responsible_id if item is not None else None)
    _check_event(community, fields.event_id)
    _check_note(fields.note)
    return when


def _apply(item: PlanItem, fields: ItemFields, when: tuple[date | None, int]) -> None:
    item.day, item.month = when
    item.title = fields.title.strip()
    item.form = fields.form
    item.form_other = fields.form_other.strip() if fields.form == "other" else ""
    item.responsible_id = fields.responsible_id
    item.event_id = fields.event_id or None
    item.note = fields.note.strip()


def add_item(plan: Plan, community: Community, actor: User, fields: ItemFields) -> PlanItem:
    _ensure_draft(plan)
    when = _check_fields(plan, community, fields)
    last = db.session.scalar(select(func.max(PlanItem.position)).where(
        PlanItem.plan_id == plan.id))
    item = PlanItem(position=(last or 0) + 1)
    _apply(item, fields, when)
    plan.items.append(item)
    db.session.flush()
    return item


def update_item(item: PlanItem, community: Community, actor: User,
                fields: ItemFields) -> PlanItem:
    _ensure_draft(item.plan)
    when = _check_fields(item.plan, community, fields, item)
    _apply(item, fields, when)
    db.session.flush()
    db.session.expire(item, ["event", "responsible"])
    return item


def move_item(item: PlanItem, actor: User, direction: str) -> PlanItem:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    plan = item.plan
    _ensure_draft(plan)
    items = sorted(plan.items, key=lambda i: (i.position, i.id))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise DomainError("Пункт и так первый." if direction == "up" else
                          "Пункт и так последний.")
    # Renumber the whole list, so equal positions (say, from an old copy) cannot stall a move.
    items[index], items[other] = items[other], items[index]
    for number, each in enumerate(items, start=1):
        each.position = number
    db.session.flush()
    plan.items.sort(key=lambda i: i.position)
    return item


def remove_item(item: PlanItem, actor: User) -> None:
    """Remove an item of a draft plan: the drafters' own working document, not a member's
    post, so the row goes (an approved plan's items are frozen instead)."""
    plan = item.plan
    _ensure_draft(plan)
    plan.items.remove(item)
    db.session.delete(item)
    db.session.flush()


def set_fact(item: PlanItem, community: Community, actor: User, *, status: str,
             event_id: int | None, note: str) -> PlanItem:
    """The fact of an item: its status, linked event and note; at any stage of the plan."""
    if status not in ITEM_STATUS_LABELS:
        raise DomainError("Выберите статус из списка.", "status")
    _check_event(community, event_id)
    _check_note(note.strip())
    item.status = status
    item.event_id = event_id or None
    item.note = note.strip()
    db.session.flush()
    db.session.expire(item, ["event"])
    return item


def set_item_status(item: PlanItem, actor: User, status: str) -> PlanItem:
    if status not in ITEM_STATUS_LABELS:
        raise DomainError("Выберите статус из списка.", "status")
    item.status = status
    db.session.flush()
    return item


# --- approval by the council ---------------------------------------------------------------


def _lock(plan: Plan) -> None:
    """Serialise the decisions on one plan (an UPDATE of its row: a row lock on PostgreSQL,
    the write lock on SQLite), then read its status as committed by whoever came first."""
    db.session.execute(
        update(Plan).where(Plan.id == plan.id).values(round=Plan.round),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(plan, attribute_names=["status", "round", "approved_at"])


def send_for_approval(plan: Plan, community: Community, actor: User) -> Plan:
    _lock(plan)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError("План уже отправлен на утверждение." if plan.on_approval else
                          "План уже утверждён.")
    if not plan.items:
        raise DomainError("В плане нет ни одного пункта: добавьте пункты и отправьте снова.")
    missing = [str(n) for n, i in enumerate(plan.items, start=1) if i.responsible_id is None]
    if missing:
        raise DomainError(f"Не выбран ответственный в пунктах № {', '.join(missing)}.")
    council = council_of(community)
    if not council:
        raise DomainError("В Совете сообщества никого нет: утверждать план некому. "
                          "Администратор назначает членов Совета.")
    plan.status = PlanStatus.APPROVAL
    plan.round += 1
    plan.sent_for_approval_at = utcnow()
    _log(plan, actor, "sent")
    db.session.flush()
    notify_many([u.id for u in council], "plan",
                f"{_name(plan, community)} отправлен на утверждение Совета: "
                "ознакомьтесь и выскажитесь.", _plan_url(plan, community))
    return plan


def vote(plan: Plan, community: Community, voter: User, decision: str,
         comment: str = "") -> PlanVote:
    """A council member approves or objects (an objection says why). The plan is approved
    once approvals by members of the current council are more than half of it."""
    comment = comment.strip()
    _lock(plan)
    if plan.status == PlanStatus.DRAFT:
        raise DomainError("План ещё не отправлен на утверждение: высказаться можно, когда "
                          "составители отправят его Совету.")
    if plan.status == PlanStatus.APPROVED:
        raise DomainError("План уже утверждён: голосование закончено.")
    council = council_of(community)
    if voter.id not in {u.id for u in council}:
        raise DomainError("Утверждают план только члены Совета сообщества.")
    if decision not in (Decision.APPROVE, Decision.OBJECT):
        raise DomainError("Выберите решение: утверждаю или возражаю.", "decision")
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"Комментарий — не длиннее {COMMENT_MAX} символов.", "comment")
    if decision == Decision.OBJECT and not comment:
        raise DomainError("Напишите, против чего вы возражаете: возражение без комментария "
                          "не принимается.", "comment")
    earlier = db.session.scalar(select(PlanVote).where(PlanVote.plan_id == plan.id,
                                                       PlanVote.user_id == voter.id))
    if earlier is not None:
        raise DomainError(already_voted(earlier))
    ballot = PlanVote(plan_id=plan.id, user_id=voter.id, decision=decision, comment=comment,
                      decided_at=utcnow())
    db.session.add(ballot)
    _log(plan, voter, decision, comment)
    db.session.flush()
    approval = Approval(council, votes_of(plan))
    if approval.approvals >= approval.needed:
        plan.status = PlanStatus.APPROVED
        plan.approved_at = utcnow()
        _log(plan, None, "approved",
             f"за — {approval.approvals} из {len(council)} членов Совета")
        db.session.flush()
        notify_many([u.id for u in council] + _leaders_ids(community), "plan",
                    f"{_name(plan, community)} утверждён Советом.",
                    _plan_url(plan, community))
    return ballot


def already_voted(earlier: PlanVote) -> str:
    word = "утвердили" if earlier.approves else "возразили против"
    return (f"Вы уже высказались по этому плану: {word} его "
            f"{date_filter(earlier.decided_at)}. Второй раз голосовать нельзя.")


def return_to_draft(plan: Plan, community: Community, actor: User, reason: str) -> Plan:
    """Back to draft for changes: the round's votes are cleared (each is kept in PlanLog),
    and the council will decide again after the plan is re-sent."""
    reason = reason.strip()
    _lock(plan)
    if plan.status == PlanStatus.DRAFT:
        raise DomainError("План и так черновик: его можно править.")
    if not reason:
        raise DomainError("Напишите, что нужно доработать: это увидит Совет.", "reason")
    if len(reason) > COMMENT_MAX:
        raise DomainError(f"Не длиннее {COMMENT_MAX} символов.", "reason")
    plan.status = PlanStatus.DRAFT
    plan.approved_at = None
    plan.sent_for_approval_at = None
    _log(plan, actor, "returned", reason)
    db.session.execute(delete(PlanVote).where(PlanVote.plan_id == plan.id))
    db.session.flush()
    notify_many([u.id for u in council_of(community)], "plan",
                f"{_name(plan, community)} возвращён на доработку: {reason}",
                _plan_url(plan, community))
    return plan


# --- next year's draft (003 §4.8) -------------------------------------------------------


def _next_year(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def draft_next(community: Community, actor: User, year: int) -> Plan:
    """A draft for `year` + 1 with the items of `year`'s plan: dates a year later, statuses
    back to planned, no linked events or notes; a responsible person who has left the
    community is cleared, to be chosen again."""
    source = plan_of(community, year)
    if source is None:
        raise DomainError(f"Плана на {AcademicYear(year).label} учебный год нет: копировать "
                          "нечего.")
    if plan_of(community, year + 1) is not None:
        raise DomainError(f"План на {AcademicYear(year + 1).label} учебный год уже есть: "
                          "откройте его и дополните.")
    members = set(db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community.id, Membership.left_at.is_(None))))
    plan = Plan(community_id=community.id, year=year + 1, created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    for number, item in enumerate(source.items, start=1):
        db.session.add(PlanItem(
            plan_id=plan.id, position=number, day=_next_year(item.day), month=item.month,
            title=item.title, form=item.form, form_other=item.form_other,
            responsible_id=item.responsible_id if item.responsible_id in members else None,
            status=ItemStatus.PLANNED,
        ))
    _log(plan, actor, "copied", f"из плана на {AcademicYear(year).label} учебный год")
    db.session.flush()
    return plan
