"""Contest forms: an entry, a criterion, a juror, one entry's scores, a place."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange

from app.events.contests import CRITERION_NAME_MAX, DESCRIPTION_MAX, MAX_SCORE_LIMIT, TITLE_MAX
from app.events.labels import PLACE_LABELS
from app.events.models import ContestCriterion
from app.forms import Form, choices
from app.validators import NotBlank, length, required_input, strip


class EntryForm(Form):
    title = StringField(_l("Название работы"), filters=[strip],
                        validators=[NotBlank(_l("Укажите название работы.")),
                                    length(max=TITLE_MAX)])
    description = TextAreaField(
        _l("Описание"), filters=[strip], validators=[length(max=DESCRIPTION_MAX)],
        description=_l("Замысел, ход работы, результаты. Можно использовать Markdown: списки, "
                       "ссылки, выделение."),
    )
    files = MultipleFileField(
        _l("Файлы"),
        description=_l("PDF, документы Word и OpenDocument, таблицы, презентации, RTF, TXT, "
                       "изображения, ZIP; до 50 МБ каждый. Можно выбрать несколько."),
    )


class CriterionForm(Form):
    name = StringField(_l("Критерий"), filters=[strip],
                       validators=[NotBlank(_l("Назовите критерий.")),
                                   length(max=CRITERION_NAME_MAX)])
    max_score = IntegerField(
        _l("Максимальный балл"), default=10,
        validators=[required_input(_l("Укажите максимальный балл.")),
                    NumberRange(min=1, max=MAX_SCORE_LIMIT,
                                message=_l("От 1 до %(n)d.", n=MAX_SCORE_LIMIT))],
    )


class JurorForm(Form):
    # Any id is accepted here; the service refuses non-members and non-experts in Russian.
    user_id = SelectField(_l("Эксперт"), coerce=int, validate_choice=False)


class PlaceForm(Form):
    place = SelectField(_l("Место"), choices=choices([("", _l("— не присуждено —")),
                                                      *PLACE_LABELS.items()]))


class ScoreForm(Form):
    """One entry's scores; a `score_<criterion id>` field per criterion is added by
    score_form()."""


def score_form(criteria: list[ContestCriterion], entry_id: int,
               given: dict[int, int] | None = None, *, posted: bool = False) -> ScoreForm:
    """The scores of entry `entry_id` (fields prefixed `e<id>-`, so that one page holds a
    form per entry): what was sent when `posted`, else the juror's saved scores."""
    fields = {
        f"score_{c.id}": IntegerField(
            c.name, description=_l("От 0 до %(n)d.", n=c.max_score),
            validators=[required_input(_l("Поставьте балл.")),
                        NumberRange(min=0, max=c.max_score,
                                    message=_l("Балл — от 0 до %(n)d.", n=c.max_score))],
        )
        for c in criteria
    }
    form_class = type("EntryScoreForm", (ScoreForm,), fields)
    prefix = f"e{entry_id}"
    if posted and request.method == "POST":
        return form_class(prefix=prefix)
    data = {f"score_{c.id}": (given or {}).get(c.id) for c in criteria}
    return form_class(prefix=prefix, formdata=None, data=data)
