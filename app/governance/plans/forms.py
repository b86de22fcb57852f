from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.forms import Form, MemberPickerField, MembersForm, choices
from app.governance.academic_year import AcademicYear
from app.governance.plans.labels import FORM_LABELS, ITEM_STATUS_LABELS, MONTHS
from app.governance.plans.services import (
    COMMENT_MAX,
    FORM_OTHER_MAX,
    NOTE_MAX,
    TITLE_MAX,
)
from app.validators import NotBlank, length, strip


class CreatePlanForm(Form):
    year = SelectField(_l("Учебный год"), coerce=int, validate_choice=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = choices((y, AcademicYear(y).label) for y in years)


def _status_field():
    return SelectField(_l("Статус"), choices=choices(
        (k, v.capitalize()) for k, v in ITEM_STATUS_LABELS.items()), default="planned")


def _event_field():
    return SelectField(_l("Мероприятие на площадке"), coerce=int, validate_choice=False,
                       description=_l("Если пункт проводится как мероприятие сообщества: по "
                                      "нему видно, проведено ли оно."))


def _note_field():
    return TextAreaField(_l("Примечание"), filters=[strip], validators=[length(max=NOTE_MAX)])


class ItemForm(MembersForm):
    title = StringField(_l("Что планируется"), filters=[strip],
                        validators=[NotBlank(_l("Укажите, что планируется: название пункта.")),
                                    length(max=TITLE_MAX)])
    day = DateField(_l("Дата"), validators=[Optional()],
                    description=_l("Точная дата, если она известна; иначе выберите месяц."))
    month = SelectField(_l("Месяц"), coerce=int, validate_choice=False)
    form = SelectField(_l("Форма"), choices=choices(FORM_LABELS.items()), default="seminar")
    form_other = StringField(_l("Другая форма"), filters=[strip],
                             validators=[length(max=FORM_OTHER_MAX)],
                             description=_l("Если выбрано «Другое»: например, «акция»."))
    responsible_id = MemberPickerField(_l("Ответственный"))
    event_id = _event_field()
    note = _note_field()

    def __init__(self, *args, year: int, events: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.month.choices = choices([(0, _l("— только дата —")), *(
            (m, f"{name} {year if m >= 9 else year + 1}") for m, name in MONTHS.items())])
        self.event_id.choices = choices([(0, _l("— не связано —")), *events])


class FactForm(Form):
    """What drafters keep after approval: the status, the linked event, a note."""

    status = _status_field()
    event_id = _event_field()
    note = _note_field()

    def __init__(self, *args, events: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = choices([(0, _l("— не связано —")), *events])


class StatusForm(Form):
    status = _status_field()


class VoteForm(Form):
    # Set by the button pressed: «Утверждаю» (approve) or «Возражаю» (object).
    decision = StringField()
    comment = TextAreaField(_l("Комментарий"), filters=[strip],
                            validators=[length(max=COMMENT_MAX)],
                            description=_l("Необязателен, если вы утверждаете; возражение "
                                           "без комментария не принимается."))


class ReturnForm(Form):
    reason = TextAreaField(_l("Что нужно доработать"), filters=[strip],
                           validators=[NotBlank(_l("Напишите, что нужно доработать: это "
                                                   "увидит Совет.")),
                                       length(max=COMMENT_MAX)])
