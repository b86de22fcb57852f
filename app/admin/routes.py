"""The platform administrator: communities and the people who lead them (000 §3.1, §3.8)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
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


# --- moderation across the platform ------------------------------------------------------


@bp.get("/moderation")
def moderation():
    """Every community's open moderation cases (administrators see all)."""
    from app.moderation import services as moderation_services

    cases = list(db.session.scalars(moderation_services.queue(None).limit(300)))
    communities = {
        c.id: c for c in db.session.scalars(
            select(Community).where(Community.id.in_({c.community_id for c in cases}))
        )
    }
    return render_template(
        "admin/moderation.html", rows=moderation_services.queue_rows(cases),
        communities=communities,
    )


@bp.route("/words", methods=["GET", "POST"])
def words():
    """Watched words of the whole platform."""
    from app.moderation import services as moderation_services
    from app.moderation.forms import WordForm

    form = WordForm()
    status = 200
    if form.validate_on_submit():
        try:
            moderation_services.add_word(None, current_user, form.phrase.data, form.action.data)
        except DomainError as error:
            apply_domain_error(form, error)
            status = 422
        else:
            db.session.commit()
            flash(_("Стоп-слово площадки добавлено."), "success")
            return redirect(url_for(".words"), 303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "admin/words.html", form=form, words=moderation_services.words_of(None),
        actions=moderation_services.WORD_ACTIONS,
    ), status


@bp.post("/words/<int:word_id>/remove")
def remove_word(word_id: int):
    from app.forms import EmptyForm
    from app.moderation import services as moderation_services
    from app.moderation.models import WatchedWordEntry

    entry = db.session.get(WatchedWordEntry, word_id)
    if entry is None or entry.community_id is not None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    moderation_services.remove_word(entry, current_user)
    db.session.commit()
    flash(_("Стоп-слово удалено."), "success")
    return redirect(url_for(".words"), 303)


# --- personal data ---------------------------------------------------------------------------


@bp.get("/data-requests")
def data_requests():
    """The log of exports and account deletions (152-ФЗ), newest first."""
    from app import htmx
    from app.pagination import keyset
    from app.privacy.services import LOG_ORDER, log_query

    page = keyset(log_query(), LOG_ORDER, per_page=50)
    return htmx.render("privacy/_data_request_rows.html", "admin/data_requests.html", page=page)
