from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from app.forms import Form, choices
from app.moderation.services import COMMENT_MAX, MUTE_DAYS_MAX, WORD_ACTIONS
from app.validators import NotBlank, length, required, required_input, strip


class ReportForm(Form):
    ground = RadioField(_l("Основание"), validators=[required(_l("Выберите основание жалобы."))])
    comment = TextAreaField(
        _l("Комментарий (обязателен для «другое»)"),
        filters=[strip],
        validators=[length(max=COMMENT_MAX)],
    )

    def __init__(self, *args, grounds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.ground.choices = choices(grounds.items())


class ActionForm(Form):
    """A coordinator's decision on an item: the ground, a comment, and days for a mute."""

    ground = SelectField(_l("Основание"))
    comment = TextAreaField(_l("Комментарий для автора (необязательно)"), filters=[strip],
                            validators=[length(max=COMMENT_MAX)])
    days = IntegerField(
        _l("Срок, дней"), default=7,
        validators=[Optional(), NumberRange(min=1, max=MUTE_DAYS_MAX,
                                            message=_l("Срок — от 1 до 365 дней."))],
    )

    def __init__(self, *args, grounds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.ground.choices = choices(grounds.items())


class GroundForm(Form):
    label = StringField(_l("Новое правило (основание удаления)"), filters=[strip],
                        validators=[NotBlank(_l("Сформулируйте правило.")), length(max=200)])


class SettingsForm(Form):
    auto_hide_threshold = IntegerField(
        _l("Скрывать материал до решения после жалоб от стольких разных участников"),
        validators=[required_input(_l("Укажите число.")),
                    NumberRange(min=1, max=50, message=_l("От 1 до 50."))],
    )
    premoderate_first_posts = IntegerField(
        _l("Проверять первые сообщения новых участников (0 — не проверять)"),
        validators=[required_input(_l("Укажите число.")),
                    NumberRange(min=0, max=50, message=_l("От 0 до 50."))],
    )
    materials_need_approval = BooleanField(
        _l("Публиковать новые материалы банка только после одобрения координатора")
    )


class WordForm(Form):
    phrase = StringField(
        _l("Слово или фраза"),
        description=_l("Любая форма слова: «обман» найдёт и «обманщики». Звёздочка в конце — "
                       "начало слова: «мошенн*»."),
        filters=[strip], validators=[NotBlank(_l("Введите слово или фразу.")), length(max=200)],
    )
    action = SelectField(_l("Что делать"), choices=choices(WORD_ACTIONS.items()),
                         default="hold")


class LogFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField(_l("Действие"), validate_choice=False)
    moderator = SelectField(_l("Кто"), validate_choice=False)
    since = DateField(_l("С"), validators=[Optional()])
    until = DateField(_l("По"), validators=[Optional()])
