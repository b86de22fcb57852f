"""The annual report's main pages, for the axe and Nu checks (wired in by tests/main_pages.py):
the list, last year's submitted report (read by a member), this year's draft with its form
(the chair), and the administrator's form to return a report to draft."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.events.models import Event
from app.extensions import db
from app.governance.academic_year import AcademicYear
from app.governance.reports import services
from app.mixins import utcnow

SECTIONS = {
    "goals": "Совершенствование **управленческих компетенций** руководителей.",
    "results": "Проведены семинары:\n\n- «Функциональная грамотность»\n- «Наставничество»",
    "problems": "Низкая явка на дистанционные мероприятия.",
    "next_tasks": "1. Провести не менее четырёх заседаний.\n2. Обновить банк практик.",
    "proposals": "",
}


def pages(community, people) -> list[tuple[str, str]]:
    chair = people["chair"]
    year = AcademicYear.current(community)
    start, _ = year.utc_bounds(community)
    with current_app.test_request_context("/"):
        held = max(start, utcnow() - timedelta(days=1)).replace(microsecond=0)
        db.session.add(Event(community_id=community.id, created_by_id=chair.id, type="meeting",
                             status="finished", title="Заседание Совета", starts_at=held,
                             ends_at=held + timedelta(hours=1)))
        last = services.report_of(community, year.previous) or services.start_report(
            community, chair, year.previous)
        if last.is_draft:
            services.save_sections(last, chair, SECTIONS)
            services.submit(last, community, chair)
        this = services.report_of(community, year) or services.start_report(
            community, people["coordinator"], year)
        services.save_sections(this, chair, {**SECTIONS, "results": ""})
        db.session.commit()
    base = f"/c/{community.slug}/reports"
    return [
        ("member", f"{base}/"),
        ("member", f"{base}/{year.previous.start}"),
        ("chair", f"{base}/{year.start}"),
        ("admin", f"{base}/{year.previous.start}/return"),
    ]
