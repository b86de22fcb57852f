from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from app.forms import Form, choices
from app.governance.groups.services import GOAL_MAX, NAME_MAX
from app.validators import InputRequired, NotBlank, length, strip


class GroupForm(Form):
    name = StringField(_l("Название"), filters=[strip],
                       validators=[NotBlank(_l("Укажите название рабочей группы.")),
                                   length(max=NAME_MAX)])
    goal = TextAreaField(
        _l("Цель"), filters=[strip],
        validators=[NotBlank(_l("Опишите цель рабочей группы: какую задачу она решает.")),
                    length(max=GOAL_MAX)],
        description=_l("Какую задачу решает группа и что должно получиться. Можно "
                       "использовать Markdown."),
    )
    end_date = DateField(
        _l("Дата окончания работы"),
        validators=[InputRequired(_l("Укажите дату окончания работы группы."))],
        description=_l("После этой даты группа уходит в архив, а её раздел форума остаётся "
                       "только для чтения."),
    )
    member_ids = SelectMultipleField(
        _l("Участники группы"), coerce=int, validate_choice=False,
        description=_l("Из участников сообщества. Выберите нескольких, удерживая Ctrl "
                       "(⌘ на Mac)."),
    )
    leader_ids = SelectMultipleField(
        _l("Руководители группы"), coerce=int, validate_choice=False,
        description=_l("Из участников группы: руководители добавляют и убирают её "
                       "участников."),
    )

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.member_ids.choices = choices(members)
        self.leader_ids.choices = choices(members)


class AddMemberForm(Form):
    user_id = SelectField(_l("Участник сообщества"), coerce=int, validate_choice=False)
    is_leader = BooleanField(_l("Руководитель группы"))

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices([(0, _l("— выберите —")), *members])
