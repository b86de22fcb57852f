"""Command-line tasks: `flask create-admin`, `flask seed-demo`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.extensions import db


@click.command("create-admin")
@click.option("--email", prompt="Электронная почта")
@click.option("--name", "full_name", prompt="Фамилия, имя, отчество")
@click.password_option("--password", prompt="Пароль", confirmation_prompt="Пароль ещё раз")
@with_appcontext
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create a platform administrator, or make an existing user one."""
    from app.auth import services
    from app.auth.forms import PASSWORD_MIN
    from app.auth.models import User

    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"Пароль должен быть не короче {PASSWORD_MIN} символов.")
    user = db.session.scalar(User.by_email(email))
    if user is None:
        user = services.register(
            email=email, password=password, full_name=full_name,
            position="Администратор площадки", organisation="", municipality="",
        )
    user.is_admin = True
    db.session.commit()
    click.echo(f"Администратор: {user.email}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Fill the database with the four communities of the founding documents."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.demo.seed import seed

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("В базе уже есть пользователи: демо-данные не добавлялись.")
        return
    with _job_context():
        accounts = seed()
        db.session.commit()
    if not current_app.config["MAIL_SERVER"]:  # the demo's letters go to the outbox only
        click.echo(_deliver())
    click.echo("Демо-данные готовы. Учётные записи (пароль у всех один):")
    for role, email, password in accounts:
        click.echo(f"  {role:<28} {email:<36} {password}")


def _job_context():
    from app.notifications.mail import job_context

    return job_context()


def _run_job(job) -> dict[str, int]:
    """Run a mail job in one transaction, committed at the end, as a view would."""
    with _job_context():
        counts = job()
        db.session.commit()
    return counts


def _deliver() -> str:
    from app.notifications.mail import deliver_pending

    result = deliver_pending()
    return f"писем отправлено: {result.sent}, не удалось (повторим позже): {result.failed}"


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Deliver queued letters, retrying those that failed. Cron: every 5 minutes."""
    click.echo(_deliver())


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Queue and send the daily digests (yesterday) and weekly digests (last week).
    Cron: every morning; running it twice sends nothing twice."""
    from app.notifications.digests import send_digests as make_digests

    counts = _run_job(make_digests)
    click.echo(f"Сводок: за день {counts['daily']}, за неделю {counts['weekly']}; "
               + _deliver())


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Reminders: events tomorrow, plan and report due dates, moderation items waiting.
    Cron: every hour; running it twice reminds nobody twice."""
    from app.notifications.reminders import send_reminders as remind

    counts = _run_job(remind)
    labels = {"events_tomorrow": "мероприятия завтра", "plan_due": "сроки планов",
              "report_due": "сроки отчётов", "moderation": "модерация"}
    parts = ", ".join(f"{labels.get(name, name)} {n}" for name, n in counts.items())
    click.echo(f"Напоминаний: {parts}; " + _deliver())


def init_app(app: Flask) -> None:
    from app.scale import seed_scale

    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_mail)
    app.cli.add_command(send_digests)
    app.cli.add_command(send_reminders)
    app.cli.add_command(seed_scale)
