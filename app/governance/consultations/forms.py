from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import Form, choices
from app.governance.consultations.labels import FORM_LABELS, STATUS_LABELS
from app.governance.consultations.services import MESSAGE_MAX, QUESTION_MAX, TOPIC_MAX
from app.validators import NotBlank, length, strip


def _id_or_none(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AskForm(Form):
    topic = StringField(_l("Тема"), filters=[strip],
                        validators=[NotBlank(_l("Укажите тему консультации.")),
                                    length(max=TOPIC_MAX)],
                        description=_l("Например: «Индивидуальный образовательный маршрут "
                                       "педагога»."))
    question = TextAreaField(
        _l("Вопрос"), filters=[strip],
        validators=[NotBlank(_l("Опишите ваш вопрос.")), length(max=QUESTION_MAX)],
        description=_l("Что случилось и какая помощь нужна. Можно использовать Markdown. "
                       "Вопрос увидят координатор и назначенный консультант."),
    )
    preferred_form = SelectField(_l("Удобная форма консультации"),
                                 choices=choices(FORM_LABELS.items()), default="written")


class AssignForm(Form):
    consultant_id = SelectField(
        _l("Консультант"), coerce=_id_or_none, validate_choice=False,
        validators=[InputRequired(_l("Выберите консультанта."))],
        description=_l("Эксперты сообщества — в начале списка. Автора вопроса назначить "
                       "нельзя."),
    )

    def __init__(self, *args, consultants: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultant_id.choices = consultants


class MessageForm(Form):
    body = TextAreaField(_l("Сообщение"), filters=[strip],
                         validators=[NotBlank(_l("Напишите сообщение.")),
                                     length(max=MESSAGE_MAX)],
                         description=_l("Можно использовать Markdown. Сообщение увидит "
                                        "только другая сторона консультации."))


QUEUE_FILTERS = {"": "Все", "open": "Открытые", **STATUS_LABELS}


class QueueFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Статус"), choices=choices(QUEUE_FILTERS.items()), default="")
