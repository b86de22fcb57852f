from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import Form
from app.governance.mentoring.services import GOAL_MAX
from app.validators import NotBlank, length, strip


def _id_or_none(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PairForm(Form):
    mentor_id = SelectField(_l("Наставник"), coerce=_id_or_none, validate_choice=False,
                            validators=[InputRequired(_l("Выберите наставника."))])
    mentee_id = SelectField(_l("Наставляемый"), coerce=_id_or_none, validate_choice=False,
                            validators=[InputRequired(_l("Выберите наставляемого."))])
    goal = TextAreaField(_l("Цель наставничества"), filters=[strip],
                         validators=[NotBlank(_l("Укажите цель наставничества.")),
                                     length(max=GOAL_MAX)],
                         description=_l("Например: «Подготовка к аттестации на первую "
                                        "категорию»."))
    starts_on = DateField(_l("Начало"),
                          validators=[InputRequired(_l("Укажите дату начала."))])
    ends_on = DateField(_l("Окончание"),
                        validators=[InputRequired(_l("Укажите дату окончания."))])

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        people = [("", "— выберите участника —"), *members]
        self.mentor_id.choices = people
        self.mentee_id.choices = people
