from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TextAreaField, ValidationError

from app.forms import Form
from app.validators import NotBlank, length, strip

MESSAGE_MAX = 2000


def to_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class JoinForm(Form):
    message = TextAreaField(
        _l("Сообщение координатору (необязательно)"),
        filters=[strip],
        validators=[length(max=MESSAGE_MAX)],
    )
    charter_consent = BooleanField(_l("Я ознакомлен(а) с Положением и принимаю его"))
    pd_consent = BooleanField(_l("Я даю согласие на обработку персональных данных"))
    # The versions the person was shown; a mismatch on submit means the text changed.
    charter_version = HiddenField(filters=[to_int])
    pd_version = HiddenField(filters=[to_int])

    def validate_charter_consent(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Без согласия с Положением вступить нельзя."))

    def validate_pd_consent(self, field) -> None:
        if not field.data:
            raise ValidationError(
                _l("Без согласия на обработку персональных данных вступить нельзя.")
            )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Причина отказа"),
        filters=[strip],
        validators=[NotBlank(_l("Укажите причину отказа.")), length(max=MESSAGE_MAX)],
    )
