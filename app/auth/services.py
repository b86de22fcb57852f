"""Account actions. They flush and never commit: the view commits once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.auth.models import User, normalize_email
from app.errors import DomainError
from app.extensions import db
from app.mixins import utcnow


def register(
    *, email: str, password: str, full_name: str, position: str, organisation: str,
    municipality: str,
) -> User:
    email = normalize_email(email)
    if db.session.scalar(User.by_email(email)) is not None:
        raise DomainError("Пользователь с таким адресом уже зарегистрирован.", field="email")
    user = User(
        email=email,
        full_name=full_name.strip(),
        position=position.strip(),
        organisation=organisation.strip(),
        municipality=municipality.strip(),
    )
    user.set_password(password)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a concurrent registration with the same address
        raise DomainError(
            "Пользователь с таким адресом уже зарегистрирован.", field="email"
        ) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(User.by_email(email))
    if user is None:
        # Spend the same time as a real check, so timing does not reveal who is registered.
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def update_profile(user: User, **fields: str | bool) -> User:
    if "email" in fields:
        email = normalize_email(str(fields.pop("email")))
        other = db.session.scalar(User.by_email(email))
        if other is not None and other.id != user.id:
            raise DomainError("Пользователь с таким адресом уже зарегистрирован.", field="email")
        user.email = email
    for name, value in fields.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> User:
    if not user.check_password(current):
        raise DomainError("Текущий пароль введён неверно.", field="current")
    if current == new:
        raise DomainError("Новый пароль совпадает с текущим.", field="password")
    user.set_password(new)
    db.session.flush()
    return user


def _make_dummy_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash("dummy-password-for-timing")


_DUMMY_HASH = _make_dummy_hash()
