"""The base form and forms shared by every blueprint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value

from app.errors import DomainError

if TYPE_CHECKING:
    from app.communities.models import Community
    from app.communities.services import MemberChoice

# WTForms' built-in messages in Russian. Flask-WTF's own i18n is off (it re-reads the WTForms
# catalogue on every form build); every form inherits this one table instead.
_WTFORMS_RU = {
    "This field is required.": "Заполните это поле.",
    "Not a valid integer value.": "Введите целое число.",
    "Not a valid decimal value.": "Введите число.",
    "Not a valid float value.": "Введите число.",
    "Not a valid date value.": "Введите дату.",
    "Not a valid datetime value.": "Введите дату и время.",
    "Not a valid time value.": "Введите время.",
    "Not a valid choice.": "Выберите значение из списка.",
    "Invalid Choice: could not coerce.": "Выберите значение из списка.",
    "Choices cannot be None.": "Выберите значение из списка.",
    "'%(value)s' is not a valid choice for this field.": "Выберите значения из списка.",
    "'%(value)s' are not valid choices for this field.": "Выберите значения из списка.",
    "Invalid input.": "Неверное значение.",
    "Invalid email address.": "Введите адрес электронной почты.",
    "Invalid URL.": "Введите адрес ссылки, начиная с https://",
    "Invalid value, must be one of: %(values)s.": "Выберите значение из списка.",
    "The CSRF token is missing.": "Форма устарела. Обновите страницу и повторите.",
    "The CSRF token is invalid.": "Форма устарела. Обновите страницу и повторите.",
    "The CSRF token has expired.": "Форма устарела. Обновите страницу и повторите.",
    "The CSRF tokens do not match.": "Форма устарела. Обновите страницу и повторите.",
}


class _RussianTranslations:
    def gettext(self, string: str) -> str:
        return _WTFORMS_RU.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_RUSSIAN = _RussianTranslations()


class Form(FlaskForm):
    """Every form of the project derives from this one."""

    class Meta:
        def get_translations(self, form):
            return _RUSSIAN


class EmptyForm(Form):
    """A button-only POST: carries and checks the CSRF token."""


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a refused action next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- the member picker -------------------------------------------------------------------
#
# A fieldset (templates/_macros/forms.html, `member_picker`) with the chosen members as
# checked checkboxes (several) or radios (one). A small community's members are all listed;
# a large one is searched: the search box asks communities.pick_members as you type (htmx)
# for more unchecked boxes with the same name, and without JavaScript its «Найти» button
# sends the form back to its own view, which shows it again with the results (MembersForm).
# Choosing is ticking; the form sends the ticked ids.

PICKER_FIND = "picker-find"  # the name of the «Найти» buttons; the value is the field's name
_PICKER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,60}$")
_PICKER_IDS_MAX = 1000  # more ids than any form holds: the rest of a request is ignored


def _ids(value) -> list[int]:
    """Positive int ids from a field's data (an id, None or 0, or a collection of ids)."""
    if value is None or isinstance(value, str | int):
        value = [value]
    ids = []
    for item in list(value)[:_PICKER_IDS_MAX]:
        try:
            number = int(item)
        except (TypeError, ValueError):
            continue
        if number > 0:
            ids.append(number)
    return list(dict.fromkeys(ids))


class MemberPicker:
    """What one picker shows: the chosen members, then those offered (all the others in a
    small community, the search results in a large one), and a status line. The form field
    and the search endpoint both build one, so the options' markup lives once."""

    def __init__(self, community: Community, name: str, *, multiple: bool, ids=(),
                 query: str = "", exclude=(), none_label=None, dom_id: str | None = None,
                 search: bool = False):
        self.community = community
        self.name = name
        self.dom_id = dom_id or name
        self.multiple = multiple
        self.ids = _ids(ids)
        if not multiple:
            self.ids = self.ids[:1]
        self.query = " ".join(query.split())[:100]
        self.exclude = frozenset(_ids(exclude))
        self.none_label = none_label
        if search:  # the search endpoint: results, whatever the community's size
            self.lists_all = False

    @classmethod
    def from_args(cls, community: Community, args: Mapping) -> MemberPicker | None:
        """The search endpoint's picker, from the query string the search box sends; None
        when the field's name or id is not one a form could have."""
        name, dom_id = args.get("field", ""), args.get("id", "")
        if not _PICKER_NAME.match(name) or not _PICKER_NAME.match(dom_id):
            return None
        return cls(community, name, multiple=args.get("multiple") == "1",
                   ids=args.getlist(name), query=args.get(f"{name}-q", ""),
                   exclude=args.get("exclude", "").split(","), dom_id=dom_id, search=True)

    @cached_property
    def lists_all(self) -> bool:
        from app.communities.services import lists_all_members

        return lists_all_members(self.community)

    @cached_property
    def chosen(self) -> list[MemberChoice]:
        from app.communities.services import chosen_members

        return chosen_members(self.community, self.ids)

    @cached_property
    def _offered(self) -> tuple[list[MemberChoice], bool]:
        from app.communities.services import MemberChoice, find_members, member_choices

        skip = set(self.ids) | self.exclude
        if self.lists_all:
            return [MemberChoice(uid, name) for uid, name in member_choices(self.community)
                    if uid not in skip], False
        if self.query:
            return find_members(self.community, self.query, exclude=skip)
        return [], False

    @property
    def offered(self) -> list[MemberChoice]:
        return self._offered[0]

    @property
    def more(self) -> bool:
        """The search found more than it shows."""
        return self._offered[1]

    @property
    def status(self) -> str:
        """What the search found, for the line that screen readers announce."""
        from app.communities.services import PICK_LIMIT

        if self.lists_all or not self.query:
            return ""
        if not self.offered:
            return str(_l("Никого не нашлось: проверьте написание или введите начало "
                          "другого слова."))
        if self.more:
            return str(_l("Показаны первые %(n)s — уточните запрос: добавьте имя или "
                          "отчество.", n=PICK_LIMIT))
        return str(_l("Найдено: %(n)s.", n=len(self.offered)))

    @property
    def search_vals(self) -> str:
        """What the search box sends besides the query and the ticked ids (hx-vals JSON)."""
        return json.dumps({"field": self.name, "id": self.dom_id,
                           "multiple": "1" if self.multiple else "",
                           "exclude": ",".join(map(str, sorted(self.exclude)))})


class MemberPickerField(Field):
    """Members of the form's community (MembersForm), chosen by ticking. `multiple`: a list
    of ids, else one id or None; `none_label`: the label of «nobody» for an optional single
    choice. The field checks the shape of what was sent; whether a person may be chosen
    (an active member, or one already chosen who has since left) is the service's rule, as
    it always was, so the refusal names the role («Соавторами могут быть…»)."""

    def __init__(self, label=None, validators=None, *, multiple: bool = False,
                 none_label=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.multiple = multiple
        self.none_label = none_label
        self.community: Community | None = None
        self.exclude: Iterable[int] = ()  # never offered (say, those already in the group)
        self.query = ""
        self.malformed = False

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.query = formdata.get(f"{self.name}-q", "") if formdata else ""

    def process_data(self, value) -> None:
        ids = _ids(value)
        self.data = ids if self.multiple else (ids[0] if ids else None)

    def process_formdata(self, valuelist) -> None:
        values = [v for v in valuelist if v not in ("", "0", None)]  # 0: an old form's «none»
        ids = _ids(values)
        self.malformed = len(ids) != len(set(values)) or (not self.multiple and len(ids) > 1)
        self.data = ids if self.multiple else (ids[0] if ids else None)

    def pre_validate(self, form) -> None:
        if self.malformed:
            raise ValidationError(_l("Выберите участников сообщества из списка.")
                                  if self.multiple else
                                  _l("Выберите участника сообщества из списка."))

    @property
    def ids(self) -> list[int]:
        return _ids(self.data)

    def picker(self, dom_id: str | None = None) -> MemberPicker:
        if self.community is None:
            raise RuntimeError(f"{self.name}: a member picker needs a MembersForm")
        return MemberPicker(self.community, self.name, multiple=self.multiple, ids=self.ids,
                            query=self.query, exclude=self.exclude,
                            none_label=self.none_label, dom_id=dom_id or self.id)


class MembersForm(Form):
    """A form with member pickers: they offer the members of `community`. A picker's «Найти»
    (sent when JavaScript is off) is not a submission: validate_on_submit() says no without
    checking anything, and the view shows the same form again, with the entered data and the
    search results, saving nothing."""

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, MemberPickerField):
                field.community = community

    @property
    def searching(self) -> bool:
        return self.is_submitted() and bool(request.form.get(PICKER_FIND))

    def validate_on_submit(self, extra_validators=None) -> bool:
        if self.searching:
            return False
        return super().validate_on_submit(extra_validators)
