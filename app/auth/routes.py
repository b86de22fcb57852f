from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import htmx
from app.auth import services
from app.auth.forms import LoginForm, PasswordForm, ProfileForm, RegisterForm
from app.auth.login import is_safe_next
from app.auth.models import User
from app.auth.permissions import can_see_memberships, can_view_profile
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.permissions import require
from app.ratelimit import limit_login, limit_password, limit_register

bp = Blueprint("auth", __name__)


def _next_url(default: str) -> str:
    target = request.values.get("next")
    return target if is_safe_next(target) else default


@bp.route("/auth/register", methods=["GET", "POST"])
@limit_register
def register():
    if current_user.is_authenticated:
        return redirect(url_for("communities.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                position=form.position.data,
                organisation=form.organisation.data,
                municipality=form.municipality.data,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Добро пожаловать! Теперь вы можете вступить в сообщество."), "success")
            return redirect(_next_url(url_for("communities.index")), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/auth/login", methods=["GET", "POST"])
@limit_login
def login():
    if current_user.is_authenticated:
        return redirect(_next_url(url_for("communities.index")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Вы вошли как %(name)s.", name=user.full_name), "success")
            return redirect(_next_url(url_for("communities.index")), 303)
        form.password.errors.append(_("Неверный адрес электронной почты или пароль."))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/auth/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
        flash(_("Вы вышли из системы."), "info")
    return redirect(url_for("communities.index"), 303)


@bp.get("/users/<int:user_id>")
@login_required
def profile(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.is_deleted:  # its personal data are erased: nothing to show but that
        return render_template("privacy/deleted_profile.html", user=user)
    require(can_view_profile(current_user, user))
    from app.communities.services import active_memberships_of
    from app.governance.mentoring.services import pairs_of_user

    memberships = active_memberships_of(user)
    # Mentoring pairs name their communities: hidden with the list of communities.
    pairs = pairs_of_user(user) if can_see_memberships(current_user, user) else []
    return render_template("auth/profile.html", user=user, memberships=memberships,
                           pairs=pairs)


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(user=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                position=form.position.data,
                organisation=form.organisation.data,
                municipality=form.municipality.data,
                show_memberships=form.show_memberships.data,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Профиль сохранён."), "success")
            return redirect(url_for(".profile", user_id=current_user.id), 303)
    status = 422 if form.is_submitted() else 200
    return htmx.render("auth/_profile_form.html", "auth/edit_profile.html", form=form), status


@bp.route("/profile/password", methods=["GET", "POST"])
@limit_password
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Пароль изменён."), "success")
            return redirect(url_for(".profile", user_id=current_user.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status
