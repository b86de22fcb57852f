"""The administrators' view of outgoing mail: the queue (what waits, what failed and why)
and, with no SMTP server configured, the letters written to the outbox folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from app.extensions import db
from app.forms import EmptyForm
from app.mixins import utcnow
from app.notifications.mail import deliver_pending
from app.notifications.models import OutgoingMail
from app.pagination import current_page_number
from app.permissions import is_admin, require
from app.uploads import send_generated

bp = Blueprint("outbox", __name__)

_NAME = re.compile(r"^\d{8,}\.eml$")
PER_PAGE = 50


@bp.before_request
@login_required
def only_admins():
    require(is_admin(current_user))


@dataclass
class Letter:
    name: str
    to: str
    subject: str
    date: datetime | None


def _folder() -> Path:
    return Path(current_app.config["MAIL_OUTBOX"])


def _read(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        return BytesParser(policy=policy.default).parse(fh)


def _date(message: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(message["Date"])
    except (TypeError, ValueError):
        return None
    return value.astimezone(UTC).replace(tzinfo=None)


def _file(name: str) -> Path:
    if not _NAME.match(name):
        abort(404)
    path = _folder() / name
    if not path.is_file():
        abort(404)
    return path


@bp.get("/")
def index():
    folder = _folder()
    names = sorted((p.name for p in folder.glob("*.eml")), reverse=True) \
        if folder.is_dir() else []
    number = current_page_number()
    chunk = names[(number - 1) * PER_PAGE: number * PER_PAGE]
    letters = []
    for name in chunk:
        message = _read(folder / name)
        letters.append(Letter(name, str(message["To"] or ""), str(message["Subject"] or ""),
                              _date(message)))
    waiting = db.session.scalar(select(func.count(OutgoingMail.id)).where(
        OutgoingMail.sent_at.is_(None))) or 0
    failing = list(db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts > 0)
        .order_by(OutgoingMail.id).limit(50)))
    return render_template(
        "notifications/outbox.html", letters=letters, page=number,
        has_next=len(names) > number * PER_PAGE, total=len(names), waiting=waiting,
        failing=failing, smtp=bool(current_app.config["MAIL_SERVER"]), folder=str(folder),
        form=EmptyForm(),
    )


@bp.post("/queue/retry")
def retry():
    """Send every waiting letter now, not at its next scheduled attempt."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.execute(update(OutgoingMail).where(OutgoingMail.sent_at.is_(None))
                       .values(next_attempt_at=utcnow()))
    db.session.commit()
    result = deliver_pending()
    if result.failed:
        flash(_("Отправлено писем: %(sent)s. Не удалось отправить: %(failed)s — они остались "
                "в очереди, причина указана ниже.", sent=result.sent, failed=result.failed),
              "error")
    else:
        flash(_("Отправлено писем: %(sent)s.", sent=result.sent), "success")
    return redirect(url_for(".index"), 303)


@bp.get("/<name>")
def letter(name: str):
    message = _read(_file(name))
    text_part = message.get_body(preferencelist=("plain",))
    return render_template(
        "notifications/outbox_letter.html", name=name, message=message, date=_date(message),
        text=text_part.get_content() if text_part is not None else "",
        has_html=message.get_body(preferencelist=("html",)) is not None,
    )


@bp.get("/<name>/html")
def letter_html(name: str):
    """The HTML part, for the sandboxed frame on the letter's page: no scripts, no
    requests anywhere."""
    message = _read(_file(name))
    part = message.get_body(preferencelist=("html",))
    if part is None:
        abort(404)
    response = current_app.response_class(part.get_content(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<name>/eml")
def download(name: str):
    path = _file(name)
    return send_generated(path.read_bytes(), "message/rfc822", name)
