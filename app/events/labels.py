"""Russian names of the events' enums, for forms, pages, exports and certificates."""

from __future__ import annotations

TYPE_LABELS = {
    "seminar": "Семинар",
    "webinar": "Вебинар",
    "master_class": "Мастер-класс",
    "conference": "Конференция",
    "round_table": "Круглый стол",
    "meeting": "Заседание",
    "contest": "Конкурс",
    "action": "Акция",
    "project": "Проект",
    "discussion": "Обсуждение",
}

FORMAT_LABELS = {
    "offline": "Очно",
    "online": "Дистанционно",
    "mixed": "Смешанный",
}

STATUS_LABELS = {
    "draft": "Черновик",
    "published": "Опубликовано",
    "cancelled": "Отменено",
    "finished": "Завершено",
}

REGISTRATION_LABELS = {
    "confirmed": "Записан(а)",
    "waitlisted": "В листе ожидания",
    "cancelled": "Запись отменена",
}

PLACE_LABELS = {
    "winner": "Победитель",
    "prize": "Призёр",
    "participant": "Участник",
}

CERTIFICATE_LABELS = {
    "participant": "Сертификат участника",
    "winner": "Диплом победителя",
    "prize": "Диплом призёра",
}
