"""Outgoing mail: the queue, the letters, and the two ways out (SMTP or the outbox folder).

A letter is queued (`OutgoingMail`) in the same transaction as what caused it, so a rolled
back action sends nothing. After the request that queued it, the app delivers fresh letters
at once (MAIL_SEND_IN_REQUEST); `flask send-mail`, and the two jobs `send-digests` and
`send-reminders`, deliver whatever is still due, including letters whose attempt failed:
a failed attempt keeps the letter with its error and a later time for the next try.

With MAIL_SERVER unset (the default) letters are written as .eml files to MAIL_OUTBOX in
instance/, which administrators read on the site (/admin/outbox): nothing is lost in a
set-up without a mail server.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, render_template, request
from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.extensions import db
from app.mixins import utcnow
from app.notifications.models import Notification, OutgoingMail

# How long a sender holds a letter it claimed; a crashed sender's claim runs out.
CLAIM_FOR = timedelta(minutes=10)
# Waits between attempts: 5 min, 10, 20, ... at most 6 hours, and never given up.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)


# --- addresses -----------------------------------------------------------------------------


def public_url(path: str = "/") -> str:
    """An absolute address for a letter: PUBLIC_URL, else the address of this request."""
    base = current_app.config.get("PUBLIC_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    base = (base or "http://localhost:5000").rstrip("/")
    if path.startswith(("http://", "https://")):
        return path
    return base + (path if path.startswith("/") else "/" + path)


def unsubscribe_link(user_id: int, kinds: list[str]) -> str:
    from flask import url_for

    from app.notifications.tokens import make_unsubscribe_token

    return public_url(url_for("notifications.unsubscribe",
                              token=make_unsubscribe_token(user_id, kinds)))


def job_context():
    """A request context for work outside a request (cron jobs, the shell): url_for works,
    and links in letters lead to PUBLIC_URL (http://localhost:5000 when it is unset)."""
    if has_request_context():
        return nullcontext()
    base = current_app.config["PUBLIC_URL"] or "http://localhost:5000"
    return current_app.test_request_context("/", base_url=base)


# --- queueing ------------------------------------------------------------------------------


def _mark_queued() -> None:
    if has_request_context():
        g.mail_queued = True


def queue(user: User, subject: str, text_body: str, html_body: str,
          unsubscribe_url: str = "") -> OutgoingMail | None:
    """Queue one letter to a person; none to a deleted account."""
    if user.is_deleted or not user.email:
        return None
    letter = OutgoingMail(user_id=user.id, to_addr=user.email, subject=subject[:300],
                          text_body=text_body, html_body=html_body,
                          unsubscribe_url=unsubscribe_url[:1000])
    db.session.add(letter)
    db.session.flush()
    _mark_queued()
    return letter


def render_letter(template: str, **context) -> tuple[str, str]:
    """The plain-text and HTML parts of `templates/mail/<template>.{txt,html}`."""
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    context.setdefault("public_url", public_url)
    return (render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context))


def _subject(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 110 else line[:109].rstrip() + "…"


def queue_notifications(notifications: list[Notification]) -> int:
    """One letter per notification that goes out at once (users loaded in one query)."""
    from app.notifications.services import KINDS

    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({n.user_id for n in notifications})))}
    with job_context():
        return _queue_each(notifications, users, KINDS)


def _queue_each(notifications, users, kinds) -> int:
    """Render each letter, then queue them all in one INSERT."""
    settings_url = _settings_url()
    rows = []
    for notification in notifications:
        user = users.get(notification.user_id)
        if user is None or user.is_deleted or not user.email:
            continue
        unsubscribe = unsubscribe_link(user.id, [notification.kind])
        text_body, html_body = render_letter(
            "notification", user=user, notification=notification,
            kind_label=kinds[notification.kind],
            link=public_url(notification.url) if notification.url else "",
            unsubscribe_url=unsubscribe, settings_url=settings_url,
        )
        rows.append({"user_id": user.id, "to_addr": user.email,
                     "subject": _subject(notification.text), "text_body": text_body,
                     "html_body": html_body, "unsubscribe_url": unsubscribe[:1000]})
    if rows:
        db.session.execute(insert(OutgoingMail), rows)
        _mark_queued()
    return len(rows)


def _settings_url() -> str:
    from flask import url_for

    return public_url(url_for("notifications.settings"))


# --- delivery ------------------------------------------------------------------------------


class OutboxTransport:
    """Letters as .eml files in a folder, one file per queued letter (its id): a letter
    written twice after a crash overwrites itself rather than appearing twice."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def __enter__(self) -> OutboxTransport:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, letter: OutgoingMail, message: EmailMessage) -> None:
        target = self.folder / f"{letter.id:08d}.eml"
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(message.as_bytes())
        os.replace(temp, target)


class SmtpTransport:
    """One SMTP connection for a batch of letters."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        cfg = self.config
        timeout = cfg["MAIL_TIMEOUT"]
        if cfg["MAIL_USE_SSL"]:
            self.smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout,
                                         context=ssl.create_default_context())
        else:
            self.smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
            if cfg["MAIL_USE_TLS"]:
                self.smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            self.smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                self.smtp.close()
            except OSError:
                self.smtp.close()

    def send(self, letter: OutgoingMail, message: EmailMessage) -> None:
        assert self.smtp is not None
        self.smtp.send_message(message)


def remove_outbox_copies(letter_ids: list[int]) -> None:
    """Delete the outbox files of these letters (an erased account's)."""
    folder = Path(current_app.config["MAIL_OUTBOX"])
    for letter_id in letter_ids:
        (folder / f"{letter_id:08d}.eml").unlink(missing_ok=True)


def transport():
    config = current_app.config
    if config["MAIL_SERVER"]:
        return SmtpTransport(config)
    return OutboxTransport(config["MAIL_OUTBOX"])


def build_message(letter: OutgoingMail) -> EmailMessage:
    config = current_app.config
    # Long header lines are folded, not encoded: List-Unsubscribe must stay a plain <URL>.
    message = EmailMessage(policy=email_policy.SMTP.clone(max_line_length=998))
    message["From"] = config["MAIL_SENDER"]
    message["To"] = letter.to_addr
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(letter.created_at.replace(tzinfo=UTC))
    domain = parseaddr(config["MAIL_SENDER"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"mail{letter.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if letter.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
    # Quoted-printable: 7-bit safe for any server, and still readable in the raw .eml.
    message.set_content(letter.text_body, cte="quoted-printable")
    message.add_alternative(letter.html_body, subtype="html", cte="quoted-printable")
    return message


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0


def _retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def deliver_pending(*, limit: int | None = None, fresh_only: bool = False,
                    now: datetime | None = None) -> DeliveryResult:
    """Send the letters that are due, in a session of its own (the caller's transaction is
    not touched). Each letter is claimed first, so two senders at once never send one
    letter twice; each is marked sent right after it went out."""
    now = now or utcnow()
    result = DeliveryResult()
    with Session(db.engine) as session:
        due = (
            select(OutgoingMail.id)
            .where(OutgoingMail.sent_at.is_(None), OutgoingMail.next_attempt_at <= now,
                   or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
            .order_by(OutgoingMail.id)
        )
        if fresh_only:
            due = due.where(OutgoingMail.attempts == 0)
        if limit is not None:
            due = due.limit(limit)
        ids = list(session.scalars(due))
        if not ids:
            return result
        claimed = list(session.scalars(
            update(OutgoingMail)
            .where(OutgoingMail.id.in_(ids), OutgoingMail.sent_at.is_(None),
                   or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
            .values(claimed_until=now + CLAIM_FOR)
            .returning(OutgoingMail.id)
        ))
        session.commit()
        if not claimed:
            return result
        letters = list(session.scalars(
            select(OutgoingMail).where(OutgoingMail.id.in_(claimed)).order_by(OutgoingMail.id)))
        try:
            with transport() as out:
                for letter in letters:
                    try:
                        out.send(letter, build_message(letter))
                    except (smtplib.SMTPException, OSError) as error:
                        _failed(letter, error, now)
                        result.failed += 1
                        # A refused recipient spoils one letter; a lost connection, the rest.
                        if (isinstance(error, smtplib.SMTPServerDisconnected)
                                or not isinstance(error, smtplib.SMTPException)):
                            raise
                    else:
                        letter.sent_at = utcnow()
                        letter.attempts += 1
                        letter.claimed_until = None
                        letter.last_error = ""
                        result.sent += 1
                    session.commit()
        except (smtplib.SMTPException, OSError) as error:
            # The server could not be reached (or went away): every letter not yet sent
            # waits for the next attempt.
            for letter in letters:
                if letter.sent_at is None and letter.claimed_until is not None:
                    _failed(letter, error, now)
                    result.failed += 1
            session.commit()
            current_app.logger.warning("mail delivery failed: %s", error)
    return result


def _failed(letter: OutgoingMail, error: Exception, now: datetime) -> None:
    letter.attempts += 1
    letter.claimed_until = None
    letter.last_error = f"{type(error).__name__}: {error}"[:2000]
    letter.next_attempt_at = now + _retry_delay(letter.attempts)


def init_app(app: Flask) -> None:
    @app.after_request
    def deliver_fresh_mail(response):
        """Letters this request queued (and committed) go out now rather than at the next
        `flask send-mail`; a failure leaves them queued for it."""
        if g.pop("mail_queued", False) and app.config["MAIL_SEND_IN_REQUEST"]:
            try:
                # Files in the outbox folder are quick to write: no limit without SMTP.
                limit = (app.config["MAIL_SEND_IN_REQUEST_LIMIT"] if app.config["MAIL_SERVER"]
                         else None)
                deliver_pending(fresh_only=True, limit=limit)
            except Exception:  # never fail the person's request for the mail's sake
                app.logger.exception("mail delivery after the request failed")
        return response

