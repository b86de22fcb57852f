from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, RadioField, SelectMultipleField, StringField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form, choices
from app.governance.elections.services import TITLE_MAX
from app.validators import NotBlank, length, strip

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ElectionForm(Form):
    title = StringField(_l("Название"), filters=[strip],
                        validators=[NotBlank(_l("Укажите название выборов.")),
                                    length(max=TITLE_MAX)],
                        description=_l("Например: «Выборы председателя на 2026/2027 учебный "
                                       "год»."))
    starts_at = DateTimeLocalField(
        _l("Начало голосования"), format=DATETIME_FORMAT,
        validators=[InputRequired(_l("Укажите дату и время начала голосования."))])
    ends_at = DateTimeLocalField(
        _l("Окончание голосования"), format=DATETIME_FORMAT,
        validators=[InputRequired(_l("Укажите дату и время окончания голосования."))])
    candidate_ids = CheckboxesField(
        _l("Кандидаты"), coerce=int, validate_choice=False,
        description=_l("Члены совета, не меньше двух. Координатор проводит выборы и не может "
                       "быть кандидатом: у участника одна должность, председатель или "
                       "координатор."))

    def __init__(self, *args, council: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_ids.choices = choices(council)


class BallotForm(Form):
    candidate_id = RadioField(_l("Кандидат"), coerce=int, validate_choice=False,
                              validators=[InputRequired(_l("Отметьте одного кандидата."))])

    def __init__(self, *args, candidates: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_id.choices = choices(candidates)
