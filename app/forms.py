"""The base form and forms shared by every blueprint."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.errors import DomainError

# WTForms' built-in messages in Russian. Flask-WTF's own i18n is off (it re-reads the WTForms
# catalogue on every form build); every form inherits this one table instead.
_WTFORMS_RU = {
    "This field is required.": "Заполните это поле.",
    "Not a valid integer value.": "Введите целое число.",
    "Not a valid decimal value.": "Введите число.",
    "Not a valid float value.": "Введите число.",
    "Not a valid date value.": "Введите дату.",
    "Not a valid datetime value.": "Введите дату и время.",
    "Not a valid time value.": "Введите время.",
    "Not a valid choice.": "Выберите значение из списка.",
    "Invalid Choice: could not coerce.": "Выберите значение из списка.",
    "Choices cannot be None.": "Выберите значение из списка.",
    "'%(value)s' is not a valid choice for this field.": "Выберите значения из списка.",
    "'%(value)s' are not valid choices for this field.": "Выберите значения из списка.",
    "Invalid input.": "Неверное значение.",
    "Invalid email address.": "Введите адрес электронной почты.",
    "Invalid URL.": "Введите адрес ссылки, начиная с https://",
    "Invalid value, must be one of: %(values)s.": "Выберите значение из списка.",
    "The CSRF token is missing.": "Форма устарела. Обновите страницу и повторите.",
    "The CSRF token is invalid.": "Форма устарела. Обновите страницу и повторите.",
    "The CSRF token has expired.": "Форма устарела. Обновите страницу и повторите.",
    "The CSRF tokens do not match.": "Форма устарела. Обновите страницу и повторите.",
}


class _RussianTranslations:
    def gettext(self, string: str) -> str:
        return _WTFORMS_RU.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_RUSSIAN = _RussianTranslations()


class Form(FlaskForm):
    """Every form of the project derives from this one."""

    class Meta:
        def get_translations(self, form):
            return _RUSSIAN


class EmptyForm(Form):
    """A button-only POST: carries and checks the CSRF token."""


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a refused action next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
