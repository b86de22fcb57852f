"""The platform administrator: communities and the people who lead them (000 §3.1, §3.8)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.admin.forms import AppointForm, CommunityForm
from app.auth.models import User
from app.communities import services
from app.communities.models import Community, Membership, Role
from app.errors import DomainError
from app.extensions import db
from app.forms import apply_domain_error
from app.permissions import is_admin, require

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def only_admins():
    require(is_admin(current_user))


def _parent_choices(exclude: Community | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(select(Community.id, Community.name).order_by(Community.name))
    return [(cid, name) for cid, name in rows if exclude is None or cid != exclude.id]


@bp.get("/")
def index():
    communities = db.session.scalars(select(Community).order_by(Community.name))
    return render_template("admin/index.html", communities=list(communities))


@bp.route("/communities/new", methods=["GET", "POST"])
def new_community():
    form = CommunityForm(parents=_parent_choices())
    if form.validate_on_submit():
        try:
            community = services.create_community(current_user, **form.values())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Сообщество «%(name)s» создано. Назначьте координатора.",
                    name=community.name), "success")
            return redirect(url_for(".roles", community_id=community.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/community_form.html", form=form, community=None), status


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
def edit_community(community_id: int):
    community = db.get_or_404(Community, community_id)
    form = CommunityForm(obj=community, parents=_parent_choices(exclude=community))
    if not form.is_submitted():
        form.parent_id.data = community.parent_id or 0
    if form.validate_on_submit():
        try:
            services.update_community(community, current_user, **form.values())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Изменения сохранены."), "success")
            return redirect(url_for(".index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/community_form.html", form=form, community=community), status


@bp.route("/communities/<int:community_id>/roles", methods=["GET", "POST"])
def roles(community_id: int):
    community = db.get_or_404(Community, community_id)
    form = AppointForm()
    status = 200
    if form.validate_on_submit():
        user = db.session.scalar(User.by_email(form.email.data))
        if user is None:
            form.email.errors = [_("Пользователь с таким адресом не зарегистрирован.")]
        else:
            try:
                services.appoint(
                    community, user, current_user,
                    role=form.role.data,
                    is_council=form.is_council.data,
                    is_expert=form.is_expert.data,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("Роли %(name)s сохранены.", name=user.full_name), "success")
                return redirect(url_for(".roles", community_id=community.id), 303)
    if form.is_submitted():
        status = 422
    office_holders = db.session.scalars(
        services.members_query(community).where(
            (Membership.role != Role.MEMBER) | Membership.is_council | Membership.is_expert
        )
    )
    return render_template(
        "admin/roles.html", community=community, form=form, holders=list(office_holders)
    ), status
