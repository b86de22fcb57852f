from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from app.auth.forms import PASSWORD_MAX
from app.forms import Form
from app.validators import length, required


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Текущий пароль"),
        validators=[required(_l("Введите текущий пароль.")), length(max=PASSWORD_MAX)],
    )
    confirm = BooleanField(
        _l("Я понимаю, что учётную запись нельзя будет восстановить, а мои персональные "
           "данные будут стёрты."),
        validators=[DataRequired(_l("Подтвердите, что понимаете последствия удаления."))],
    )
