from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from app.forms import Form
from app.governance.reports.labels import SECTIONS
from app.governance.reports.services import REASON_MAX, SECTION_MAX
from app.validators import NotBlank, length, strip


class SectionsForm(Form):
    """The head's sections; none is required to save a draft (submitting checks them)."""

    def texts(self) -> dict[str, str]:
        return {s.key: self[s.key].data or "" for s in SECTIONS}


for _section in SECTIONS:
    _hint = _section.hint + " Можно использовать Markdown: списки, **выделение**."
    setattr(SectionsForm, _section.key, TextAreaField(
        _section.title, filters=[strip], validators=[length(max=SECTION_MAX)],
        description=_hint))


class ReturnForm(Form):
    reason = TextAreaField(
        _l("Причина возврата"), filters=[strip],
        validators=[NotBlank(_l("Укажите причину возврата: её увидит руководитель "
                                "сообщества.")), length(max=REASON_MAX)],
        description=_l("Что нужно доработать. Руководитель и координатор получат уведомление."))
