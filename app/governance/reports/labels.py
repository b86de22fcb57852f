"""Russian names for the annual report: its sections, statuses and the rows of its numbers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str  # the AnnualReport column (Markdown); `<key>_html` holds the cleaned HTML
    title: str
    hint: str
    required: bool


SECTIONS: tuple[Section, ...] = (
    Section("goals", "Цели и задачи",
            "Какие цели и задачи сообщество ставило на учебный год.", True),
    Section("results", "Анализ результатов",
            "Что сделано и чего удалось достичь; цифры из раздела «Показатели» можно "
            "пояснить здесь.", True),
    Section("problems", "Проблемы и трудности",
            "Что не получилось и почему.", False),
    Section("next_tasks", "Задачи на следующий год",
            "Задачи сообщества на следующий учебный год.", True),
    Section("proposals", "Выводы и предложения",
            "Предложения учредителю и участникам (необязательно).", False),
)

STATUS_LABELS = {
    "none": "не начат",
    "draft": "черновик",
    "submitted": "сдан",
}

CONSULTATION_LABELS = {
    "new": "ждут консультанта",
    "assigned": "консультант назначен",
    "answered": "консультант ответил",
    "closed": "закрыты",
}
