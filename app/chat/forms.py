from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from app.chat.services import MESSAGE_MAX
from app.forms import Form
from app.validators import NotBlank, length, strip


class ChatForm(Form):
    body = TextAreaField(
        _l("Сообщение"),
        filters=[strip],
        validators=[NotBlank(_l("Сообщение не может быть пустым.")), length(max=MESSAGE_MAX)],
    )
