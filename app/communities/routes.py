from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import htmx
from app.communities import services
from app.communities.forms import DeclineForm, JoinForm
from app.communities.models import Community, ConsentKind, JoinRequest
from app.communities.permissions import (
    can_admit,
    can_join,
    can_leave,
    can_view_inside,
    can_view_members,
)
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, MemberPicker, apply_domain_error
from app.pagination import keyset
from app.permissions import membership_in, require
from app.ratelimit import limit_join

bp = Blueprint("communities", __name__)


def _get_request_or_404(request_id: int) -> JoinRequest:
    """A join request of the current community; an id from another community is a 404."""
    join_request = db.session.get(JoinRequest, request_id)
    if join_request is None or join_request.community_id != g.community.id:
        abort(404)
    return join_request


@bp.get("/")
def index():
    communities = db.session.scalars(select(Community).order_by(Community.level, Community.name))
    return render_template("communities/index.html", communities=list(communities))


@bp.get("/c/<community_slug>/")
def show():
    community = g.community
    pending = (
        services.pending_request(current_user, community)
        if current_user.is_authenticated and membership_in(current_user, community) is None
        else None
    )
    announcements, best = [], []
    # A member shares the community with its leaders: their profiles open without asking.
    inside = can_view_inside(current_user, community)
    if inside:
        from app.forum.services import latest_announcements
        from app.materials.services import best_practices

        announcements = latest_announcements(community)
        best = best_practices(community)
    return render_template(
        "communities/show.html",
        community=community,
        inside=inside,
        announcements=announcements,
        best_practices=best,
        leaders=services.leaders_of(community),
        pending=pending,
        pending_count=services.pending_count(community) if can_admit(current_user, community)
        else 0,
    )


@bp.get("/c/<community_slug>/charter")
def charter():
    return render_template("communities/charter.html", community=g.community)


@bp.route("/c/<community_slug>/join", methods=["GET", "POST"])
@limit_join
@login_required
def join():
    community = g.community
    if membership_in(current_user, community) is not None:
        flash(_("Вы уже участник этого сообщества."), "info")
        return redirect(url_for(".show"), 303)
    require(can_join(current_user, community))
    charter = services.current_document(ConsentKind.CHARTER, community)
    pd = services.current_document(ConsentKind.PERSONAL_DATA)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            join_request = services.request_to_join(
                community,
                current_user,
                message=form.message.data or "",
                charter_version=form.charter_version.data,
                pd_version=form.pd_version.data,
                charter_consent=form.charter_consent.data,
                pd_consent=form.pd_consent.data,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            if join_request.status == "admitted":
                flash(_("Вы вступили в сообщество «%(name)s».", name=community.name), "success")
            else:
                flash(
                    _("Заявка отправлена. Координатор рассмотрит её, и вы получите уведомление."),
                    "success",
                )
            return redirect(url_for(".show"), 303)
    form.charter_version.data = charter.version
    form.pd_version.data = pd.version
    status = 422 if form.is_submitted() else 200
    return render_template(
        "communities/join.html", community=community, form=form, charter=charter, pd=pd
    ), status


@bp.post("/c/<community_slug>/join/cancel")
@login_required
def cancel_request():
    join_request = services.pending_request(current_user, g.community)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if join_request is None:
        flash(_("У вас нет заявки, ожидающей решения."), "info")
    else:
        services.cancel_request(join_request, current_user)
        db.session.commit()
        flash(_("Заявка отозвана."), "success")
    return redirect(url_for(".show"), 303)


@bp.route("/c/<community_slug>/leave", methods=["GET", "POST"])
@login_required
def leave():
    community = g.community
    if not can_leave(current_user, community):
        flash(_("Вы не состоите в этом сообществе."), "info")
        return redirect(url_for(".show"), 303)
    form = EmptyForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.leave(community, current_user)
        except DomainError as error:
            form.form_errors.append(error.message)
            status = 422
        else:
            db.session.commit()
            flash(
                _("Вы вышли из сообщества «%(name)s». Ваши сообщения и материалы остаются "
                  "в сообществе.", name=community.name),
                "success",
            )
            return redirect(url_for(".show"), 303)
    return render_template("communities/leave.html", community=community, form=form), status


@bp.get("/c/<community_slug>/members")
@login_required
def members():
    community = g.community
    require(can_view_members(current_user, community))
    page = keyset(services.members_query(community), services.MEMBER_ORDER, per_page=50)
    return htmx.render(
        "communities/_member_rows.html", "communities/members.html",
        community=community, page=page,
    )


@bp.get("/c/<community_slug>/members/pick")
@login_required
def pick_members():
    """A member picker's search (app.forms.MemberPicker): the ticked boxes it sent, then the
    active members matching the query, as boxes of the same name; its status line out of
    band. Only a fragment: the picker's search box asks for it (htmx) and nothing links here.
    Those who may see the community's members may search them; a constant number of
    queries."""
    require(can_view_members(current_user, g.community))
    picker = MemberPicker.from_args(g.community, request.args)
    if picker is None:
        abort(400)
    return render_template("_partials/member_picker_results.html", picker=picker)


@bp.get("/c/<community_slug>/admissions")
@login_required
def admissions():
    community = g.community
    require(can_admit(current_user, community))
    return render_template(
        "communities/admissions.html",
        community=community,
        queue=list(db.session.scalars(services.admission_queue(community))),
        decided=list(db.session.scalars(services.recent_decisions(community))),
        decline_form=DeclineForm(),
    )


def _row_response(join_request: JoinRequest, decline_form: DeclineForm | None = None, status=200):
    if htmx.is_htmx():
        return htmx.render(
            "communities/_request_row.html",
            r=join_request,
            decline_form=decline_form or DeclineForm(formdata=None),
        ), status
    return redirect(url_for(".admissions"), 303)


@bp.post("/c/<community_slug>/admissions/<int:request_id>/admit")
@login_required
def admit(request_id: int):
    require(can_admit(current_user, g.community))
    join_request = _get_request_or_404(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.admit(join_request, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "info")
        return _row_response(db.session.get(JoinRequest, request_id))
    db.session.commit()
    flash(_("%(name)s принят(а) в сообщество.", name=join_request.user.full_name), "success")
    return _row_response(join_request)


@bp.post("/c/<community_slug>/admissions/<int:request_id>/decline")
@login_required
def decline(request_id: int):
    require(can_admit(current_user, g.community))
    join_request = _get_request_or_404(request_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        if htmx.is_htmx():
            return _row_response(join_request, form, 422)
        flash(form.reason.errors[0] if form.reason.errors else _("Укажите причину отказа."),
              "error")
        return redirect(url_for(".admissions"), 303)
    try:
        services.decline(join_request, current_user, form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "info")
        return _row_response(db.session.get(JoinRequest, request_id))
    db.session.commit()
    flash(_("Заявка отклонена, заявитель уведомлён."), "success")
    return _row_response(join_request)
