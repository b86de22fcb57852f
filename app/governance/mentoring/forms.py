from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import MemberPickerField, MembersForm
from app.governance.mentoring.services import GOAL_MAX
from app.validators import NotBlank, length, strip


class PairForm(MembersForm):
    mentor_id = MemberPickerField(_l("Наставник"),
                                  validators=[InputRequired(_l("Выберите наставника."))])
    mentee_id = MemberPickerField(_l("Наставляемый"),
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
