from __future__ import annotations

from wtforms import RadioField

from app.forms import Form, choices
from app.notifications.services import DELIVERY_LABELS, KINDS


def preferences_form(current: dict[str, str], formdata=None):
    """A radio group per kind of notification: site only, at once, daily or weekly."""

    class PreferencesForm(Form):
        pass

    options = [(value.value, label) for value, label in DELIVERY_LABELS.items()]
    for kind, label in KINDS.items():
        setattr(PreferencesForm, kind, RadioField(
            label, choices=choices(options), default=current[kind],
            validate_choice=True,
        ))
    form = PreferencesForm() if formdata is None else PreferencesForm(formdata=formdata)
    return form


def chosen(form) -> dict[str, str]:
    return {kind: form[kind].data for kind in KINDS}
