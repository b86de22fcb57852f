"""Work plan builders for the tests, and the plans' main pages for the axe and Nu checks."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.governance.academic_year import AcademicYear, local_today
from app.governance.plans import services
from app.governance.plans.models import Plan
from app.mixins import utcnow


def current_year(community) -> int:
    return AcademicYear.of(local_today(community)).start


def fields(responsible, **kw) -> services.ItemFields:
    """An item in October of the plan's year unless overridden."""
    return services.ItemFields(
        title=kw.pop("title", "Семинар «Функциональная грамотность»"),
        form=kw.pop("form", "seminar"), responsible_id=responsible.id,
        month=kw.pop("month", None if "day" in kw else 10), **kw)


def make_plan(community, actor, *, year: int | None = None, items=None,
              send: bool = False) -> Plan:
    """A draft plan (the current academic year unless given) with `items` (ItemFields; one
    seminar in October by `actor` when None), sent for approval if `send`. Commits."""
    year = current_year(community) if year is None else year
    with current_app.test_request_context("/"):
        plan = services.create_plan(community, actor, year) \
            if year in services.creatable_years(community) else _plan(community, actor, year)
        for each in [fields(actor)] if items is None else items:
            services.add_item(plan, community, actor, each)
        if send:
            services.send_for_approval(plan, community, actor)
        db.session.commit()
    return plan


def _plan(community, actor, year: int) -> Plan:
    """A plan for any year (the service allows only the current and the next)."""
    plan = Plan(community_id=community.id, year=year, created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    return plan


def vote(plan, community, voter, decision="approve", comment=""):
    with current_app.test_request_context("/"):
        ballot = services.vote(plan, community, voter, decision, comment)
        db.session.commit()
    return ballot


def pages(community, people) -> list[tuple[str, str]]:
    """The index, a plan on approval (the council member's vote form, the chair's vote in
    the list, a linked event), an approved plan (the fact), and the item forms."""
    from app.events import services as events

    coordinator, chair = people["coordinator"], people["chair"]
    year = current_year(community)
    with current_app.test_request_context("/"):
        seminar = events.create_event(community, coordinator, events.EventFields(
            title="Семинар «Наставничество»", type="seminar", format="offline",
            place="Актовый зал", starts_at=utcnow() - timedelta(days=1),
            ends_at=utcnow() - timedelta(hours=22)))
        events.publish(seminar, coordinator)
        db.session.commit()
    first_day = AcademicYear(year).first_day
    on_approval = make_plan(community, coordinator, year=year, send=True, items=[
        fields(coordinator, title="Заседание Совета: план на год", form="meeting",
               day=first_day + timedelta(days=20)),
        fields(chair, title="Семинар «Наставничество»", month=seminar.starts_at.month,
               event_id=seminar.id) if AcademicYear(year).contains(seminar.starts_at.date())
        else fields(chair, title="Семинар «Наставничество»", month=11),
        fields(people["member"], title="Акция «Читаем вместе»", form="other",
               form_other="Акция", month=3),
    ])
    vote(on_approval, community, chair, "object", "Добавить конкурс.")
    approved = make_plan(community, coordinator, year=year - 1, send=True)
    vote(approved, community, chair)
    vote(approved, community, people["council"])
    item = approved.items[0]
    with current_app.test_request_context("/"):
        draft = services.draft_next(community, coordinator, year)
        db.session.commit()
    slug = community.slug
    base = f"/c/{slug}/plans"
    return [
        ("member", f"{base}/"),
        ("coordinator", f"{base}/"),
        ("council", f"{base}/{on_approval.id}"),  # the vote form
        ("coordinator", f"{base}/{on_approval.id}"),  # the drafter's tools, the return form
        ("member", f"{base}/{approved.id}"),
        ("coordinator", f"{base}/{approved.id}/items/{item.id}/edit"),  # the fact form
        ("coordinator", f"{base}/{draft.id}"),  # a draft: the item tools
        ("coordinator", f"{base}/{draft.id}/items/new"),
        ("coordinator", f"{base}/{draft.id}/items/{draft.items[0].id}/edit"),
    ]
