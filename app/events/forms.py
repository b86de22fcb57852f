from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from app.events.labels import FORMAT_LABELS, TYPE_LABELS
from app.events.services import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    PLACE_MAX,
    REASON_MAX,
    TITLE_MAX,
)
from app.forms import Form, MemberPickerField, MembersForm, choices
from app.validators import NotBlank, length, strip

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _when(label, **kw):
    return DateTimeLocalField(label, format=DATETIME_FORMAT, **kw)


class EventForm(MembersForm):
    title = StringField(_l("Название"), filters=[strip],
                        validators=[NotBlank(_l("Укажите название мероприятия.")),
                                    length(max=TITLE_MAX)])
    type = SelectField(_l("Вид"), choices=choices(TYPE_LABELS.items()))
    format = SelectField(_l("Формат"), choices=choices(FORMAT_LABELS.items()))
    starts_at = _when(_l("Начало"), validators=[InputRequired(_l("Укажите дату и время начала."))])
    ends_at = _when(_l("Окончание"),
                    validators=[InputRequired(_l("Укажите дату и время окончания."))])
    place = StringField(_l("Место проведения"), filters=[strip],
                        validators=[length(max=PLACE_MAX)],
                        description=_l("Адрес и аудитория; для очного и смешанного формата."))
    online_url = StringField(_l("Ссылка для подключения"), filters=[strip],
                             validators=[length(max=1000)],
                             description=_l("Для дистанционного и смешанного формата."))
    capacity = IntegerField(_l("Число мест"), validators=[Optional()],
                            description=_l("Пусто — без ограничения. Когда места кончатся, "
                                           "записавшиеся попадут в лист ожидания."))
    registration_opens_at = _when(_l("Запись открывается"), validators=[Optional()],
                                  description=_l("Пусто — сразу после публикации."))
    registration_closes_at = _when(_l("Запись закрывается"), validators=[Optional()],
                                   description=_l("Пусто — в момент начала."))
    entries_deadline = _when(_l("Приём конкурсных работ до"), validators=[Optional()],
                             description=_l("Только для конкурсов; пусто — до окончания."))
    hours = IntegerField(_l("Объём, академических часов"), validators=[Optional()],
                         description=_l("Для сертификатов (учёт повышения квалификации)."))
    organiser_ids = MemberPickerField(_l("Организаторы"), multiple=True,
                                      description=_l("Участники сообщества, которые ведут "
                                                     "список записавшихся."))
    description = TextAreaField(
        _l("Описание"), filters=[strip], validators=[length(max=DESCRIPTION_MAX)],
        description=_l("Программа, спикеры, что взять с собой. Можно использовать Markdown."),
    )


class CancelEventForm(Form):
    reason = TextAreaField(_l("Причина отмены"), filters=[strip],
                           validators=[NotBlank(_l("Укажите причину отмены: её увидят "
                                                   "записавшиеся.")),
                                       length(max=REASON_MAX)])


class AddParticipantForm(MembersForm):
    user_id = MemberPickerField(_l("Участник сообщества"))


AUDIENCES = {
    "confirmed": _l("Записанным"),
    "waitlisted": _l("Листу ожидания"),
    "all": _l("Всем: записанным и листу ожидания"),
}


class MessageForm(Form):
    audience = SelectField(_l("Кому"), choices=choices(AUDIENCES.items()), default="confirmed")
    text = TextAreaField(_l("Сообщение"), filters=[strip],
                         validators=[NotBlank(_l("Напишите текст сообщения.")),
                                     length(max=MESSAGE_MAX)],
                         description=_l("Придёт уведомлением на сайте (колокольчик)."))


class ListForm(Form):
    class Meta:
        csrf = False

    show = SelectField(_l("Показать"), validate_choice=False, default="upcoming",
                       choices=choices([("upcoming", _l("Предстоящие")),
                                        ("past", _l("Прошедшие"))]))
    type = SelectField(_l("Вид"), validate_choice=False,
                       choices=choices([("", _l("Все виды")), *TYPE_LABELS.items()]))
