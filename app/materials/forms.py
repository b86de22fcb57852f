from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    FileField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)

from app.forms import Form, MemberPickerField, MembersForm, choices
from app.materials.labels import LEVEL_LABELS, SORTS, TYPE_LABELS
from app.materials.services import DESCRIPTION_MAX, TITLE_MAX
from app.validators import NotBlank, length, strip


class MaterialForm(MembersForm):
    title = StringField(_l("Название"), filters=[strip],
                        validators=[NotBlank(_l("Укажите название материала.")),
                                    length(max=TITLE_MAX)])
    type = SelectField(_l("Вид материала"), choices=choices(TYPE_LABELS.items()))
    level = SelectField(_l("Уровень образования"), choices=choices(LEVEL_LABELS.items()))
    topics = StringField(_l("Темы"), filters=[strip], validators=[length(max=700)],
                         description=_l("Через запятую: «функциональная грамотность, ФГОС»."))
    description = TextAreaField(
        _l("Описание"), filters=[strip], validators=[length(max=DESCRIPTION_MAX)],
        description=_l("Можно использовать Markdown: списки, ссылки, выделение."),
    )
    files = MultipleFileField(
        _l("Файлы"),
        description=_l("PDF, документы Word и OpenDocument, таблицы, презентации, RTF, TXT, "
                       "изображения, ZIP; до 50 МБ каждый. Можно выбрать несколько."),
    )
    link_url = StringField(_l("Или ссылка на материал"), filters=[strip],
                           validators=[length(max=1000)],
                           description=_l("Например, на видео или страницу школы."))
    coauthor_ids = MemberPickerField(_l("Соавторы из участников сообщества"), multiple=True)
    on_behalf_of = MemberPickerField(_l("Автор (разместить от имени участника)"),
                                     none_label=_l("я сам(а)"))


class VersionForm(Form):
    file = FileField(_l("Файл новой версии"))


class FilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Поиск"), filters=[strip], validators=[length(max=200)])
    type = SelectField(_l("Вид"), validate_choice=False,
                       choices=choices([("", _l("Все виды")), *TYPE_LABELS.items()]))
    level = SelectField(_l("Уровень"), validate_choice=False,
                        choices=choices([("", _l("Все уровни")), *LEVEL_LABELS.items()]))
    topic = StringField(_l("Тема"), filters=[strip], validators=[length(max=60)])
    author = SelectField(_l("Автор"), validate_choice=False)
    community = SelectField(_l("Сообщество"), validate_choice=False)
    sort = SelectField(_l("Порядок"), validate_choice=False, choices=choices(SORTS.items()),
                       default="new")
