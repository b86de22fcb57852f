from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField

from app.forms import Form, choices
from app.moderation.grounds import GROUNDS
from app.moderation.services import COMMENT_MAX
from app.validators import length, required, strip


class ReportForm(Form):
    ground = RadioField(
        _l("Основание"),
        choices=choices(GROUNDS.items()),
        validators=[required(_l("Выберите основание жалобы."))],
    )
    comment = TextAreaField(
        _l("Комментарий (обязателен для «другое»)"),
        filters=[strip],
        validators=[length(max=COMMENT_MAX)],
    )
