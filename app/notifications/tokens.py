"""Signed unsubscribe links: they work without logging in, for one person and the kinds of
notification that the letter carried, and only for a limited time."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import DomainError

_SALT = "notifications-unsubscribe"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_unsubscribe_token(user_id: int, kinds: list[str]) -> str:
    return _serializer().dumps({"u": user_id, "k": sorted(set(kinds))})


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kinds: list[str]


class BadUnsubscribeToken(DomainError):
    pass


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The person and kinds of a link, or BadUnsubscribeToken with the Russian reason."""
    from app.notifications.services import KINDS

    max_age = int(current_app.config["UNSUBSCRIBE_LINK_DAYS"]) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise BadUnsubscribeToken(
            "Срок действия ссылки для отписки истёк. Войдите на сайт и выберите, какие "
            "письма получать, в настройках уведомлений.") from error
    except BadSignature as error:
        raise BadUnsubscribeToken(
            "Ссылка для отписки неверна: возможно, она скопирована не полностью. Войдите на "
            "сайт и выберите, какие письма получать, в настройках уведомлений.") from error
    if (not isinstance(data, dict) or not isinstance(data.get("u"), int)
            or not isinstance(data.get("k"), list) or not data["k"]
            or not all(kind in KINDS for kind in data["k"])):
        raise BadUnsubscribeToken("Ссылка для отписки неверна.")
    return Unsubscribe(user_id=data["u"], kinds=list(data["k"]))
