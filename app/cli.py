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
    with current_app.test_request_context("/"):
        accounts = seed()
        db.session.commit()
    click.echo("Демо-данные готовы. Учётные записи (пароль у всех один):")
    for role, email, password in accounts:
        click.echo(f"  {role:<28} {email:<36} {password}")


@click.command("moderation-reminders")
@with_appcontext
def moderation_reminders() -> None:
    """Remind coordinators (after 24 h) and administrators (after 48 h) of waiting items.
    Run it from cron every hour; running it twice reminds nobody twice."""
    from app.moderation.services import send_reminders

    with current_app.test_request_context("/"):
        sent = send_reminders()
        db.session.commit()
    click.echo(f"Напоминаний отправлено: {sent}")


def init_app(app: Flask) -> None:
    from app.scale import seed_scale

    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(moderation_reminders)
    app.cli.add_command(seed_scale)
