"""Russian names of the work plan's enums, for forms, pages and the dashboards."""

from __future__ import annotations

from datetime import date

from app.i18n import date_filter

PLAN_STATUS_LABELS = {
    "none": "не составлен",
    "draft": "черновик",
    "approval": "на утверждении",
    "approved": "утверждён",
}

ITEM_STATUS_LABELS = {
    "planned": "запланировано",
    "done": "проведено",
    "postponed": "перенесено",
    "cancelled": "отменено",
}

FORM_LABELS = {
    "meeting": "Заседание",
    "seminar": "Семинар",
    "webinar": "Вебинар",
    "master_class": "Мастер-класс",
    "conference": "Конференция",
    "round_table": "Круглый стол",
    "contest": "Конкурс",
    "consultation": "Консультация",
    "other": "Другое",
}

DECISION_LABELS = {
    "approve": "утверждаю",
    "object": "возражаю",
}

# What happened to a plan, for its history (PlanLog.action).
LOG_LABELS = {
    "created": "составлен черновик",
    "copied": "составлен черновик по плану прошлого года",
    "sent": "отправлен на утверждение",
    "approve": "утверждаю",
    "object": "возражаю",
    "approved": "план утверждён",
    "returned": "возвращён на доработку",
}

# Months in the order of the academic year, in the nominative («сентябрь 2026»).
MONTHS = {
    9: "сентябрь", 10: "октябрь", 11: "ноябрь", 12: "декабрь", 1: "январь", 2: "февраль",
    3: "март", 4: "апрель", 5: "май", 6: "июнь", 7: "июль", 8: "август",
}

# The fact of a linked event (services.event_fact).
FACT_LABELS = {
    "held": "проведено",
    "cancelled": "отменено",
    "upcoming": "предстоит",
    "draft": "не опубликовано",
}


def form_label(form: str, other: str = "") -> str:
    if form == "other" and other:
        return other
    return FORM_LABELS.get(form, form)


def when_label(day: date | None, month: int, year_start: int) -> str:
    """«15 октября 2026 г.» for an exact date, else «октябрь 2026»."""
    if day is not None:
        return date_filter(day)
    return f"{MONTHS.get(month, '')} {year_start if month >= 9 else year_start + 1}"
