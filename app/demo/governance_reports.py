"""Demo annual reports: last academic year's, submitted by the chair before its due date,
and this year's draft with its sections written. Idempotent: a community that has any
report is left as it is. Runs inside the request context of `flask seed-demo`."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.events.services import to_utc
from app.extensions import db
from app.governance.academic_year import AcademicYear, report_due
from app.governance.reports import services
from app.governance.reports.models import AnnualReport
from app.mixins import utcnow

LAST_YEAR = {
    "goals": "Цель сообщества в прошедшем учебном году — совершенствование профессиональных "
             "компетенций руководителей и педагогов через обмен опытом.\n\n"
             "Задачи:\n\n"
             "- выявить типичные профессиональные дефициты участников;\n"
             "- организовать адресные консультации по запросам;\n"
             "- пополнить методический банк лучшими практиками.",
    "results": "Проведены заседания сообщества по плану работы, семинары и мастер-классы. "
               "Участники разместили в методическом банке **разработки уроков** и "
               "управленческие практики; часть из них отмечена как лучшие практики.\n\n"
               "Наибольший интерес вызвали мероприятия по функциональной грамотности.",
    "problems": "Не все участники активны на форуме; явка на дистанционные мероприятия ниже, "
                "чем на очные.",
    "next_tasks": "1. Провести заседания не реже, чем требует положение.\n"
                  "2. Развивать наставничество для молодых педагогов.\n"
                  "3. Проводить экспертизу материалов до включения в банк лучших практик.",
    "proposals": "Предлагаем проводить выездные заседания на базе школ — участников сообщества.",
}

THIS_YEAR = {
    "goals": "Цель на текущий учебный год — поддержка руководителей в переходе на обновлённые "
             "ФГОС и развитие сетевого взаимодействия школ.\n\n"
             "- провести цикл семинаров по функциональной грамотности;\n"
             "- организовать работу временных рабочих групп;\n"
             "- вовлечь новых участников в работу форума.",
    "results": "Работа продолжается: первые мероприятия года проведены, итоги будут подведены "
               "в конце учебного года.",
    "problems": "",
    "next_tasks": "Будут сформулированы по итогам года.",
    "proposals": "",
}


def _on_time(community: Community, year: AcademicYear) -> datetime:
    """Five days before the report's due date, 11:00 local time (never in the future)."""
    day = report_due(community, year) - timedelta(days=5)
    return min(to_utc(datetime.combine(day, time(11)), community) or utcnow(), utcnow())


def seed(community: Community, people: dict[str, User]) -> None:
    if db.session.scalar(select(AnnualReport.id).where(
            AnnualReport.community_id == community.id).limit(1)):
        return
    chair, coordinator = people["chair"], people["coordinator"]
    current = AcademicYear.current(community)
    last = services.start_report(community, coordinator, current.previous)
    services.save_sections(last, chair, LAST_YEAR)
    services.submit(last, community, chair, now=_on_time(community, current.previous))
    this = services.start_report(community, chair, current)
    services.save_sections(this, chair, THIS_YEAR)
