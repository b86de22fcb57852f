from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.communities.labels import LEVEL_LABELS
from app.forms import Form, choices


class NetworkFilterForm(Form):
    """The network overview's GET filter: a level and a municipality (empty: all)."""

    class Meta:
        csrf = False

    level = SelectField(_l("Уровень"), default="",
                        choices=choices([("", _l("Все уровни")), *LEVEL_LABELS.items()]))
    municipality = SelectField(_l("Муниципалитет"), default="", choices=[])

    def set_municipalities(self, names: list[str]) -> None:
        self.municipality.choices = choices([("", _l("Все муниципалитеты")),
                                             *((n, n) for n in names)])
