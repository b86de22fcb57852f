"""Forms of meetings: the agenda, the minutes' requisites, a question, a recommendation,
a register entry's status and the register's filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.forms import Form, MemberPickerField, MembersForm, choices
from app.governance.meetings.labels import DECISION_STATUS_LABELS
from app.governance.meetings.services import NOTE_MAX, PLACE_MAX, TEXT_MAX, TITLE_MAX
from app.validators import NotBlank, length, required_input, strip

NOBODY = _l("не выбран")  # the optional pickers' «nobody»


class _MembersForm(MembersForm):
    """A form with pickers of one member each (None: nobody)."""

    def member(self, name: str) -> int | None:
        return getattr(self, name).data or None


class AgendaItemForm(_MembersForm):
    title = StringField(_l("Вопрос повестки"), filters=[strip],
                        validators=[NotBlank(_l("Укажите вопрос повестки.")),
                                    length(max=TITLE_MAX)])
    speaker_id = MemberPickerField(_l("Докладчик"), none_label=NOBODY,
                                   description=_l("Необязательно."))


class MinutesForm(_MembersForm):
    number = IntegerField(_l("Номер протокола"),
                          validators=[required_input(_l("Укажите номер протокола."))],
                          description=_l("Нумерация — в пределах учебного года."))
    chair_id = MemberPickerField(_l("Председательствующий"))
    secretary_id = MemberPickerField(_l("Секретарь"))
    place = StringField(_l("Место проведения"), filters=[strip],
                        validators=[NotBlank(_l("Укажите место проведения.")),
                                    length(max=PLACE_MAX)])


class QuestionForm(_MembersForm):
    title = StringField(_l("Вопрос"), filters=[strip],
                        validators=[NotBlank(_l("Укажите рассматриваемый вопрос.")),
                                    length(max=TITLE_MAX)])
    speaker_id = MemberPickerField(_l("Докладчик"), none_label=NOBODY)
    heard = TextAreaField(_l("Слушали"), filters=[strip], validators=[length(max=TEXT_MAX)],
                          description=_l("Краткое содержание доклада."))
    discussion = TextAreaField(_l("Выступили"), filters=[strip],
                               validators=[length(max=TEXT_MAX)],
                               description=_l("Кто выступил и что сказал; необязательно."))
    decision = TextAreaField(_l("Решили"), filters=[strip], validators=[length(max=TEXT_MAX)],
                             description=_l("Решение попадёт в реестр решений при подписании "
                                            "протокола."))
    votes_for = IntegerField(_l("«За»"), validators=[Optional()])
    votes_against = IntegerField(_l("«Против»"), validators=[Optional()])
    votes_abstained = IntegerField(_l("«Воздержались»"), validators=[Optional()])
    responsible_id = MemberPickerField(_l("Ответственный за исполнение"), none_label=NOBODY)
    due_on = DateField(_l("Срок исполнения"), validators=[Optional()])


class RecommendationForm(_MembersForm):
    text = TextAreaField(_l("Рекомендация"), filters=[strip],
                         validators=[NotBlank(_l("Напишите текст рекомендации.")),
                                     length(max=TEXT_MAX)])
    responsible_id = MemberPickerField(_l("Ответственный"), none_label=NOBODY)
    due_on = DateField(_l("Срок"), validators=[Optional()])


class DecisionStatusForm(Form):
    status = SelectField(_l("Статус"), choices=choices(DECISION_STATUS_LABELS.items()))
    note = StringField(_l("Комментарий"), filters=[strip], validators=[length(max=NOTE_MAX)],
                       description=_l("Что сделано; для снятого решения — почему."))


class RegisterFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Статус"), validate_choice=False, default="",
                         choices=choices([("", _l("Все")), *DECISION_STATUS_LABELS.items()]))
