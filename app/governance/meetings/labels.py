"""Russian names of the meetings' enums and fixed texts, for pages and documents."""

from __future__ import annotations

MINUTES_STATUS_LABELS = {
    "draft": "Черновик",
    "signed": "Подписан",
}

DECISION_STATUS_LABELS = {
    "open": "Открыто",
    "done": "Выполнено",
    "withdrawn": "Снято",
}

DECISION_KIND_LABELS = {
    "decision": "Решение",
    "recommendation": "Рекомендация",
}

MEETING_STATE_LABELS = {
    "held": "Проведено",
    "upcoming": "Предстоит",
    "cancelled": "Отменено",
    "draft": "Не опубликовано",
}

# The first question of every agenda while decisions of earlier meetings are open.
CARRYOVER_TITLE = "О выполнении решений предыдущих заседаний"
