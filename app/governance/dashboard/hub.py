"""The hub of the governance parts on the dashboard: a link and a line of explanation each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.communities.models import Community


@dataclass(frozen=True)
class HubLink:
    endpoint: str
    label: Any
    text: Any


HUB = (
    HubLink("plans.index", _l("План работы"),
            _l("План работы на учебный год: мероприятия, сроки и ответственные; "
               "его утверждает Совет.")),
    HubLink("meetings.index", _l("Заседания и протоколы"),
            _l("Заседания сообщества, их повестка и протоколы.")),
    HubLink("meetings.decisions", _l("Реестр решений"),
            _l("Решения и рекомендации заседаний: ответственные, сроки, исполнение.")),
    HubLink("reports.index", _l("Аналитический отчёт"),
            _l("Итоги учебного года: цифры, собранные площадкой, и выводы руководителя.")),
    HubLink("elections.index", _l("Выборы председателя"),
            _l("Совет избирает председателя тайным голосованием.")),
    HubLink("groups.index", _l("Рабочие группы"),
            _l("Временные рабочие группы: цель, состав, свой раздел форума и срок работы.")),
    HubLink("consultations.index", _l("Консультации"),
            _l("Адресные консультации: задайте вопрос, координатор назначит консультанта.")),
    HubLink("mentoring.index", _l("Наставничество"),
            _l("Пары «наставник — наставляемый»: цель и период работы.")),
)


def hub_links(user: Any, community: Community) -> list[HubLink]:
    """The parts the viewer (a member or the administrator) may open: every member reads
    the plans, meetings and submitted reports; the report's link follows its own rule."""
    from app.governance.reports.permissions import can_view_reports

    return [link for link in HUB
            if link.endpoint != "reports.index" or can_view_reports(user, community)]
