"""Temporary working groups of a community (002 §4.3): /c/<slug>/groups/…

The list and each group's page are open to the community's members; creating, editing and
closing are the coordinator's and the chair's (and the administrator's); the group's leaders
manage its members. The group's forum section lives in the forum (app.forum), which shows it
to the group only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import htmx
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.groups import services
from app.governance.groups.forms import AddMemberForm, GroupForm
from app.governance.groups.models import WorkingGroup, WorkingGroupMember
from app.governance.groups.permissions import (
    can_edit_group,
    can_manage_groups,
    can_open_members,
    can_remove_group_member,
    can_see_group_forum,
    can_view_groups,
)
from app.permissions import require

bp = Blueprint("groups", __name__)


@bp.before_request
@login_required
def members_only():
    require(can_view_groups(current_user, g.community))


def _group_or_404(group_id: int) -> WorkingGroup:
    group = db.session.scalar(
        select(WorkingGroup)
        .options(selectinload(WorkingGroup.members).joinedload(WorkingGroupMember.user))
        .where(WorkingGroup.id == group_id)
    )
    if group is None or group.community_id != g.community.id:
        abort(404)
    return group


def _fields(form: GroupForm) -> services.GroupFields:
    return services.GroupFields(
        name=form.name.data or "", goal=form.goal.data or "", end_date=form.end_date.data,
        member_ids=tuple(form.member_ids.data or ()),
        leader_ids=tuple(form.leader_ids.data or ()),
    )


# --- the list and one group ------------------------------------------------------------


@bp.get("/")
def index():
    active, archived = services.groups_of(g.community)
    return render_template(
        "governance/groups/index.html", community=g.community, active=active,
        archived=archived,
    )


@bp.get("/<int:group_id>")
def group(group_id: int):
    group = _group_or_404(group_id)
    section = services.section_of(group)
    return render_template(
        "governance/groups/group.html", community=g.community, group=group,
        section=section if section is not None and can_see_group_forum(current_user, group)
        else None,
    )


# --- creating, editing, closing --------------------------------------------------------


def _form_page(form: GroupForm, group: WorkingGroup | None, status: int):
    return render_template("governance/groups/form.html", community=g.community, form=form,
                           group=group), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_manage_groups(current_user, g.community))
    form = GroupForm(community=g.community)
    if form.validate_on_submit():
        try:
            group = services.create_group(g.community, current_user, _fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Рабочая группа «%(name)s» создана, у неё есть свой раздел форума.",
                    name=group.name), "success")
            return redirect(url_for(".group", group_id=group.id), 303)
    return _form_page(form, None, 422 if form.is_submitted() else 200)


@bp.route("/<int:group_id>/edit", methods=["GET", "POST"])
def edit(group_id: int):
    group = _group_or_404(group_id)
    require(can_manage_groups(current_user, g.community))
    if not can_edit_group(current_user, group):
        flash(services.ARCHIVED, "error")
        return redirect(url_for(".group", group_id=group.id), 303)
    form = GroupForm(community=g.community, obj=group)
    if not form.is_submitted():
        form.member_ids.data = [m.user_id for m in group.roster]
        form.leader_ids.data = sorted(group.leader_ids)
    if form.validate_on_submit():
        try:
            services.update_group(group, current_user, _fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Рабочая группа сохранена."), "success")
            return redirect(url_for(".group", group_id=group.id), 303)
    return _form_page(form, group, 422 if form.is_submitted() else 200)


@bp.post("/<int:group_id>/close")
def close(group_id: int):
    group = _group_or_404(group_id)
    require(can_manage_groups(current_user, g.community))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.close_group(group, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".group", group_id=group.id), 303)
    db.session.commit()
    flash(_("Рабочая группа закрыта и перенесена в архив."), "success")
    return redirect(url_for(".group", group_id=group.id), 303)


# --- members -----------------------------------------------------------------------------


def _add_form(group: WorkingGroup, formdata=None) -> AddMemberForm:
    form = AddMemberForm(community=g.community) if formdata is not None else \
        AddMemberForm(community=g.community, formdata=None)
    form.user_id.exclude = group.member_ids  # those in the group are not offered
    return form


def _members_response(group: WorkingGroup, form: AddMemberForm | None = None,
                      status: int = 200):
    return htmx.render(
        "governance/groups/_members.html", "governance/groups/members.html",
        community=g.community, group=group, add_form=form or _add_form(group),
    ), status


@bp.get("/<int:group_id>/members")
def members(group_id: int):
    group = _group_or_404(group_id)
    require(can_open_members(current_user, group))
    return _members_response(group)


@bp.post("/<int:group_id>/members/add")
def add_member(group_id: int):
    group = _group_or_404(group_id)
    require(can_open_members(current_user, group))
    form = _add_form(group, formdata=True)
    if form.validate_on_submit():
        try:
            member = services.add_member(group, current_user, form.user_id.data,
                                         is_leader=bool(form.is_leader.data))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            if htmx.is_htmx():
                return _members_response(group)
            flash(_("%(name)s теперь в группе.", name=member.user.full_name), "success")
            return redirect(url_for(".members", group_id=group.id), 303)
    return _members_response(group, form, 422)


@bp.post("/<int:group_id>/members/<int:user_id>/remove")
def remove_member(group_id: int, user_id: int):
    group = _group_or_404(group_id)
    require(can_open_members(current_user, group))
    if not EmptyForm().validate_on_submit():
        abort(400)
    member = next((m for m in group.members if m.user_id == user_id), None)
    if member is None:
        abort(404)
    require(can_remove_group_member(current_user, group, member) or group.is_archived)
    name = member.user.full_name
    try:
        services.remove_member(group, current_user, user_id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".members", group_id=group.id), 303)
    db.session.commit()
    if htmx.is_htmx():
        return _members_response(group)
    flash(_("%(name)s больше не в группе; написанное остаётся в её разделе.", name=name),
          "success")
    return redirect(url_for(".members", group_id=group.id), 303)
