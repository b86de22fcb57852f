from flask_babel import lazy_gettext as _l

from app.materials.models import EducationLevel, MaterialType

TYPE_LABELS = {
    MaterialType.METHODICAL: _l("Методическая разработка"),
    MaterialType.PRESENTATION: _l("Презентация"),
    MaterialType.LESSON_PLAN: _l("Конспект урока"),
    MaterialType.NORMATIVE: _l("Нормативный документ"),
    MaterialType.BEST_PRACTICE: _l("Лучшая практика"),
    MaterialType.VIDEO: _l("Видео"),
    MaterialType.OTHER: _l("Другое"),
}
LEVEL_LABELS = {
    EducationLevel.ALL: _l("Все уровни"),
    EducationLevel.PRESCHOOL: _l("Дошкольное образование"),
    EducationLevel.PRIMARY: _l("Начальное общее"),
    EducationLevel.BASIC: _l("Основное общее"),
    EducationLevel.SECONDARY: _l("Среднее общее"),
    EducationLevel.VOCATIONAL: _l("Среднее профессиональное"),
    EducationLevel.ADDITIONAL: _l("Дополнительное образование"),
}
SORTS = {
    "new": _l("Сначала новые"),
    "downloads": _l("Чаще скачивают"),
    "best": _l("Сначала лучшие практики"),
}
