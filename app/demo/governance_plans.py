"""Demo work plan: the current academic year's plan of a community, approved by its council
after one return for rework, with items linked to the demo events (some already held).
Idempotent: a community that has a plan for the year is left as it is."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.events.models import Event
from app.events.services import to_local, to_utc
from app.extensions import db
from app.governance.academic_year import AcademicYear, local_today
from app.governance.plans import services as plans
from app.governance.plans.models import ItemStatus, Plan, PlanLog, PlanVote
from app.mixins import utcnow

# (title, form, responsible, month, linked event's title or None, status once held)
ITEMS = [
    ("Заседание Совета: утверждение плана работы на учебный год", "meeting", "chair", 9,
     None, ItemStatus.DONE),
    ("Мастер-класс «Проектная деятельность в 5–9 классах»", "master_class", "chair", 10,
     "Мастер-класс «Проектная деятельность в 5–9 классах»", ItemStatus.DONE),
    ("Семинар «Функциональная грамотность на уроках»", "seminar", "coordinator", 11,
     "Семинар «Функциональная грамотность на уроках»", None),
    ("Вебинар «Наставничество молодых педагогов»", "webinar", "council1", 12,
     "Вебинар «Наставничество молодых педагогов»", None),
    ("Конференция «Цифровая школа»", "conference", "coordinator", 12,
     "Конференция «Цифровая школа»", ItemStatus.POSTPONED),
    ("Заседание Совета: итоги первого полугодия", "meeting", "chair", 1, None, None),
    ("Конкурс методических разработок «Урок года»", "contest", "expert", 2,
     "Конкурс методических разработок «Урок года»", None),
    ("Круглый стол «Оценка качества образования»", "round_table", "council2", 3,
     "Круглый стол «Оценка качества образования»", None),
    ("Итоговое заседание: аналитический отчёт и проект плана на следующий год", "meeting",
     "chair", 5, None, None),
]
# Added after the council's objection in the first round.
CONSULTATIONS = ("Консультации для молодых педагогов (по запросу)", "consultation", "council2",
                 10, None, None)


def seed(community: Community, people: dict[str, User]) -> None:
    year = AcademicYear.current(community)
    if plans.plan_of(community, year.start) is not None:
        return
    coordinator = people["coordinator"]
    events = {e.title: e for e in db.session.scalars(
        select(Event).where(Event.community_id == community.id))}
    plan = plans.create_plan(community, coordinator, year.start)
    for spec in ITEMS:
        plans.add_item(plan, community, coordinator,
                       _fields(spec, community, year, events, people))
    _in_order(plan)

    # Round 1: a council member objects, the coordinator returns the plan and adds an item.
    plans.send_for_approval(plan, community, coordinator)
    plans.vote(plan, community, people["council2"], "object",
               "Не хватает консультаций для молодых педагогов: предлагаю добавить.")
    plans.return_to_draft(plan, community, coordinator,
                          "Добавить консультации для молодых педагогов по замечанию Совета.")
    plans.add_item(plan, community, coordinator,
                   _fields(CONSULTATIONS, community, year, events, people))
    _in_order(plan)

    # Round 2: the chair and a council member approve: 2 of 3 is a majority.
    plans.send_for_approval(plan, community, coordinator)
    plans.vote(plan, community, people["chair"], "approve", "")
    plans.vote(plan, community, people["council1"], "approve",
               "Поддерживаю: учтены замечания Совета.")

    # The fact so far.
    by_title = {item.title: item for item in plan.items}
    for title, *_, done in [*ITEMS, CONSULTATIONS]:
        item = by_title[title]
        if done is not None and (done != ItemStatus.DONE or _is_past(item, community)):
            plans.set_item_status(item, coordinator, done)
    _back_date(plan, community)
    db.session.flush()


def _back_date(plan: Plan, community: Community) -> None:
    """Spread the plan's history over the days before 10 September (or before now, early
    in September), so the demo plan was approved in time, as a real one would be."""
    first = AcademicYear(plan.year).first_day
    aim = to_utc(datetime.combine(first + timedelta(days=9), time(10)), community)
    base = min(aim, utcnow() - timedelta(minutes=5))
    log = db.session.scalars(select(PlanLog).where(PlanLog.plan_id == plan.id)
                             .order_by(PlanLog.id)).all()
    stamps = [base - timedelta(days=len(log) - 1 - n) for n in range(len(log))]
    stamps[-1] = stamps[-2] = base  # the last vote approves the plan
    for entry, stamp in zip(log, stamps, strict=True):
        entry.created_at = stamp
    plan.created_at = stamps[0]
    plan.sent_for_approval_at = next(e.created_at for e in reversed(log) if e.action == "sent")
    plan.approved_at = base
    decided = {(e.actor_id): e.created_at for e in log if e.round == plan.round
               and e.action in ("approve", "object")}
    for ballot in db.session.scalars(select(PlanVote).where(PlanVote.plan_id == plan.id)):
        ballot.decided_at = decided.get(ballot.user_id, base)


def _fields(spec, community: Community, year: AcademicYear, events: dict[str, Event],
            people: dict[str, User]) -> plans.ItemFields:
    title, form, who, month, event_title, _ = spec
    event = events.get(event_title) if event_title else None
    day = None
    if event is not None:
        local = to_local(event.starts_at, community).date()
        if year.contains(local):
            day, month = local, local.month
        else:  # the demo event falls in another academic year: not linked
            event = None
    return plans.ItemFields(title=title, form=form, responsible_id=people[who].id, day=day,
                            month=None if day else month,
                            event_id=event.id if event else None)


def _is_past(item, community: Community) -> bool:
    """A held item: its event took place, or (no event) its date or month has passed."""
    if item.event is not None:
        return plans.event_fact(item.event) == "held"
    year = AcademicYear(item.plan.year)
    day = item.day or year.date_of(item.month, 1)
    return day < local_today(community)


def _in_order(plan) -> None:
    """Items by date in the academic year (September first)."""
    def key(item):
        month_index = (item.month - 9) % 12
        return (month_index, item.day or date.min, item.position)

    for number, item in enumerate(sorted(plan.items, key=key), start=1):
        item.position = number
    plan.items.sort(key=lambda i: i.position)
    db.session.flush()
