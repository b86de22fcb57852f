from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)

from app.forms import Form
from app.forum.services import BODY_MAX, TITLE_MAX
from app.validators import NotBlank, length, strip

BODY_HINT = _l(
    "Можно использовать Markdown: **жирный**, *курсив*, списки, > цитаты, ссылки, таблицы. "
    "Упомянуть участника: @[Фамилия Имя]."
)


def _body_field(label):
    return TextAreaField(
        label,
        description=BODY_HINT,
        filters=[strip],
        validators=[NotBlank(_l("Сообщение не может быть пустым.")), length(max=BODY_MAX)],
    )


def _title_field(label):
    return StringField(
        label,
        filters=[strip],
        validators=[NotBlank(_l("Укажите заголовок.")), length(max=TITLE_MAX)],
    )


class SectionForm(Form):
    title = _title_field(_l("Название раздела"))
    description = StringField(
        _l("Краткое описание"), filters=[strip], validators=[length(max=500)]
    )
    is_announcements = BooleanField(
        _l("Раздел объявлений: пишут только координаторы и председатель, "
           "участники получают уведомление")
    )


class TopicForm(Form):
    title = _title_field(_l("Заголовок темы"))
    body = _body_field(_l("Сообщение"))
    files = MultipleFileField(_l("Файлы (необязательно)"))


class ReplyForm(Form):
    body = _body_field(_l("Ваш ответ"))
    files = MultipleFileField(_l("Файлы (необязательно)"))
    # The number of the last post the page shows: a reply is appended in place only when it
    # directly follows it; otherwise (another page, or others wrote meanwhile) the browser
    # goes to the post.
    after = HiddenField()


class EditPostForm(Form):
    body = _body_field(_l("Текст сообщения"))


class RenameTopicForm(Form):
    title = _title_field(_l("Новый заголовок"))


class MoveTopicForm(Form):
    section_id = SelectField(_l("Раздел"), coerce=int)


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Поиск по форуму"), filters=[strip], validators=[length(max=200)])
