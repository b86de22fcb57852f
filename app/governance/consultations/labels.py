"""Russian names of the consultations' enums."""

from __future__ import annotations

STATUS_LABELS = {
    "new": "Новая",
    "assigned": "Назначен консультант",
    "answered": "Есть ответ",
    "closed": "Закрыта",
}

FORM_LABELS = {
    "in_person": "Очно",
    "online": "Онлайн",
    "written": "Письменно",
    "phone": "По телефону",
}
