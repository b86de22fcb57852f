"""WTForms validators with the project's Russian messages (WTF_I18N_ENABLED is off)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import (  # noqa: F401
    URL,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
)


def required(message: str | None = None) -> DataRequired:
    return DataRequired(message=message or _l("Заполните это поле."))


def required_input(message: str | None = None) -> InputRequired:
    """For numbers: 0 is a value (DataRequired would call it missing)."""
    return InputRequired(message=message or _l("Заполните это поле."))


def length(max: int, min: int = -1) -> Length:
    if min > 0:
        message = _l("Должно быть от %(min)d до %(max)d символов.", min=min, max=max)
    else:
        message = _l("Не больше %(max)d символов.", max=max)
    return Length(min=min, max=max, message=message)


def email() -> Email:
    return Email(message=_l("Введите адрес электронной почты, например name@school.ru."))


def equal_to(field: str, message: str) -> EqualTo:
    return EqualTo(field, message=message)


class NotBlank:
    """Refuses input that is only white space (DataRequired lets it through as data)."""

    def __init__(self, message: str | None = None):
        self.message = message or _l("Заполните это поле.")
        self.field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(self.message)


class Stripped:
    """A filter: trim surrounding white space and use \\n line endings (browsers send \\r\\n)."""

    def __call__(self, value):
        if not isinstance(value, str):
            return value
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()


strip = Stripped()
