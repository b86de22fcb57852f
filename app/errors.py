"""Domain errors and htmx-aware error pages, in Russian."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app import htmx
from app.extensions import db


class DomainError(Exception):
    """A rule of the domain refused an action; the message is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


_TITLES = {
    400: "Некорректный запрос",
    401: "Нужно войти",
    403: "Доступ запрещён",
    404: "Страница не найдена",
    405: "Метод не поддерживается",
    413: "Слишком большой запрос",
    422: "Действие не выполнено",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка",
}
_MESSAGES = {
    400: "Запрос не удалось обработать.",
    401: "Войдите, чтобы продолжить.",
    403: "У вас нет прав на это действие.",
    404: "Такой страницы нет, или она была удалена.",
    405: "Этот адрес не принимает такой запрос.",
    413: "Размер запроса превышает допустимый.",
    429: "Слишком много запросов. Подождите немного и повторите.",
    500: "Что-то пошло не так. Мы уже знаем об этом; попробуйте позже.",
}


def error_response(status: int, message: str | None = None):
    title = _(_TITLES.get(status, "Ошибка"))
    text = message or _(_MESSAGES.get(status, "Запрос не удалось обработать."))
    if status == 413 and message is None:
        text = _(
            "Файлы слишком большие: не больше %(mb)s МБ на файл. Уменьшите их или отправьте "
            "по частям.", mb=current_app.config.get("MAX_UPLOAD_MB", 50)
        )
    template = "errors/_message.html" if htmx.is_htmx() else "errors/error.html"
    return render_template(template, status=status, title=title, message=text), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400, _("Срок действия формы истёк или она повреждена. Обновите страницу и повторите.")
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return error_response(422, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return error_response(error.code)

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        return error_response(500)
