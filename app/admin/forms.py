from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import NumberRange, Regexp

from app.communities.labels import (
    JOIN_POLICY_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    MONTH_LABELS,
    ROLE_LABELS,
)
from app.communities.models import Role
from app.forms import Form, choices
from app.validators import NotBlank, email, length, required, required_input, strip

# Russia spans eleven time zones; one city for each.
TIMEZONES = [
    ("Europe/Kaliningrad", _l("Калининград (МСК−1)")),
    ("Europe/Moscow", _l("Москва (МСК)")),
    ("Europe/Samara", _l("Самара (МСК+1)")),
    ("Asia/Yekaterinburg", _l("Екатеринбург (МСК+2)")),
    ("Asia/Omsk", _l("Омск (МСК+3)")),
    ("Asia/Krasnoyarsk", _l("Красноярск (МСК+4)")),
    ("Asia/Irkutsk", _l("Иркутск (МСК+5)")),
    ("Asia/Yakutsk", _l("Якутск (МСК+6)")),
    ("Asia/Vladivostok", _l("Владивосток (МСК+7)")),
    ("Asia/Magadan", _l("Магадан (МСК+8)")),
    ("Asia/Kamchatka", _l("Петропавловск-Камчатский (МСК+9)")),
]
MONTHS = [(m, label) for m, label in MONTH_LABELS.items()]


def _day_field(label):
    return IntegerField(
        label,
        validators=[
            required_input(_l("Укажите число месяца.")),
            NumberRange(min=1, max=31, message=_l("Число месяца — от 1 до 31.")),
        ],
    )


class CommunityForm(Form):
    name = StringField(
        _l("Название"),
        filters=[strip],
        validators=[NotBlank(_l("Укажите название.")), length(max=300)],
    )
    slug = StringField(
        _l("Адрес (латиницей)"),
        description=_l("Часть адреса страницы: строчные латинские буквы, цифры и дефис."),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            NotBlank(_l("Укажите адрес.")),
            length(min=2, max=64),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Только строчные латинские буквы, цифры и дефис между ними."),
            ),
        ],
    )
    description = TextAreaField(
        _l("Краткое описание"), filters=[strip], validators=[length(max=2000)]
    )
    charter = TextAreaField(
        _l("Положение (устав) сообщества"),
        description=_l("Публичный текст. При изменении создаётся новая редакция для согласий."),
        filters=[strip],
        validators=[NotBlank(_l("Вставьте текст Положения.")), length(max=200_000)],
    )
    kind = SelectField(_l("Вид сообщества"), choices=choices(KIND_LABELS.items()))
    level = SelectField(_l("Уровень"), choices=choices(LEVEL_LABELS.items()))
    parent_id = SelectField(_l("Вышестоящее сообщество"), coerce=int)
    join_policy = SelectField(_l("Порядок вступления"), choices=choices(JOIN_POLICY_LABELS.items()))
    timezone = SelectField(_l("Часовой пояс"), choices=choices(TIMEZONES), default="Europe/Moscow")
    municipality = StringField(
        _l("Муниципалитет (для муниципальных сообществ)"),
        filters=[strip],
        validators=[length(max=200)],
    )
    min_meetings_per_year = IntegerField(
        _l("Минимум заседаний в учебный год"),
        default=2,
        validators=[
            required_input(_l("Укажите число заседаний.")),
            NumberRange(min=1, max=52, message=_l("От 1 до 52 заседаний в год.")),
        ],
    )
    plan_due_day = _day_field(_l("Срок плана работы: число"))
    plan_due_month = SelectField(_l("месяц"), coerce=int, choices=choices(MONTHS), default=9)
    report_due_day = _day_field(_l("Срок аналитического отчёта: число"))
    report_due_month = SelectField(_l("месяц"), coerce=int, choices=choices(MONTHS), default=7)

    def __init__(self, *args, parents: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = choices([(0, _l("— нет —")), *parents])

    @staticmethod
    def _check_date(month: int, day: int | None) -> None:
        if day is None:
            return
        try:
            date(2025, month, day)  # a non-leap year: 29 February is not a yearly due date
        except ValueError as exc:
            raise ValidationError(_l("В этом месяце нет такого числа.")) from exc

    def validate_plan_due_day(self, field) -> None:
        self._check_date(self.plan_due_month.data, field.data)

    def validate_report_due_day(self, field) -> None:
        self._check_date(self.report_due_month.data, field.data)

    def values(self) -> dict:
        data = {name: self[name].data for name in (
            "name", "slug", "description", "charter", "kind", "level", "join_policy",
            "timezone", "municipality", "min_meetings_per_year", "plan_due_day",
            "plan_due_month", "report_due_day", "report_due_month",
        )}
        data["description"] = data["description"] or ""
        data["municipality"] = data["municipality"] or ""
        data["parent_id"] = self.parent_id.data or None
        return data


POSITION_CHOICES = [
    (Role.MEMBER.value, ROLE_LABELS[Role.MEMBER]),
    (Role.COORDINATOR.value, ROLE_LABELS[Role.COORDINATOR]),
    (Role.CHAIR.value, ROLE_LABELS[Role.CHAIR]),
]


class AppointForm(Form):
    email = EmailField(
        _l("Электронная почта зарегистрированного пользователя"),
        filters=[strip],
        validators=[required(_l("Укажите адрес электронной почты.")), length(max=254), email()],
    )
    role = SelectField(_l("Должность в сообществе"), choices=choices(POSITION_CHOICES))
    is_council = BooleanField(_l("Член Совета"))
    is_expert = BooleanField(_l("Эксперт"))
