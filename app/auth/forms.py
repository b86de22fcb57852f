from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import ValidationError

from app.auth.models import User
from app.extensions import db
from app.forms import Form
from app.validators import NotBlank, email, equal_to, length, required, strip

PASSWORD_MIN = 8
PASSWORD_MAX = 128


def _password_rules():
    return [
        required(_l("Введите пароль.")),
        length(min=PASSWORD_MIN, max=PASSWORD_MAX),
    ]


class ProfileFieldsMixin:
    full_name = StringField(
        _l("Фамилия, имя, отчество"),
        filters=[strip],
        validators=[NotBlank(_l("Укажите фамилию, имя и отчество.")), length(max=200)],
    )
    position = StringField(
        _l("Должность"),
        filters=[strip],
        validators=[NotBlank(_l("Укажите должность.")), length(max=200)],
    )
    organisation = StringField(
        _l("Образовательная организация"),
        filters=[strip],
        validators=[NotBlank(_l("Укажите организацию.")), length(max=300)],
    )
    municipality = StringField(
        _l("Муниципалитет"),
        filters=[strip],
        validators=[NotBlank(_l("Укажите муниципалитет.")), length(max=200)],
    )


class EmailTakenCheck:
    user_id: int | None = None

    def validate_email(self, field) -> None:
        existing = db.session.scalar(User.by_email(field.data or ""))
        if existing is not None and existing.id != self.user_id:
            raise ValidationError(_l("Пользователь с таким адресом уже зарегистрирован."))


class RegisterForm(EmailTakenCheck, ProfileFieldsMixin, Form):
    email = EmailField(
        _l("Электронная почта"),
        filters=[strip],
        validators=[required(_l("Укажите адрес электронной почты.")), length(max=254), email()],
    )
    password = PasswordField(_l("Пароль"), validators=_password_rules())
    password2 = PasswordField(
        _l("Пароль ещё раз"),
        validators=[
            required(_l("Повторите пароль.")),
            equal_to("password", _l("Пароли не совпадают.")),
        ],
    )


class LoginForm(Form):
    email = EmailField(
        _l("Электронная почта"),
        filters=[strip],
        validators=[required(_l("Укажите адрес электронной почты.")), length(max=254)],
    )
    password = PasswordField(
        _l("Пароль"), validators=[required(_l("Введите пароль.")), length(max=PASSWORD_MAX)]
    )
    remember = BooleanField(_l("Запомнить меня"))
    next = HiddenField()


class ProfileForm(EmailTakenCheck, ProfileFieldsMixin, Form):
    email = EmailField(
        _l("Электронная почта"),
        filters=[strip],
        validators=[required(_l("Укажите адрес электронной почты.")), length(max=254), email()],
    )
    show_memberships = BooleanField(_l("Показывать мои сообщества и роли в профиле"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        self.user_id = user.id


class PasswordForm(Form):
    current = PasswordField(
        _l("Текущий пароль"),
        validators=[required(_l("Введите текущий пароль.")), length(max=PASSWORD_MAX)],
    )
    password = PasswordField(_l("Новый пароль"), validators=_password_rules())
    password2 = PasswordField(
        _l("Новый пароль ещё раз"),
        validators=[
            required(_l("Повторите новый пароль.")),
            equal_to("password", _l("Пароли не совпадают.")),
        ],
    )
