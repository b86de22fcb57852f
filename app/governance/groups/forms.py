from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, TextAreaField

from app.forms import MemberPickerField, MembersForm
from app.governance.groups.services import GOAL_MAX, NAME_MAX
from app.validators import InputRequired, NotBlank, length, strip


class GroupForm(MembersForm):
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
    member_ids = MemberPickerField(
        _l("Участники группы"), multiple=True,
        description=_l("Из участников сообщества: отметьте всех, кто входит в группу."),
    )
    leader_ids = MemberPickerField(
        _l("Руководители группы"), multiple=True,
        description=_l("Из участников группы: руководители добавляют и убирают её "
                       "участников."),
    )


class AddMemberForm(MembersForm):
    user_id = MemberPickerField(_l("Участник сообщества"))
    is_leader = BooleanField(_l("Руководитель группы"))
