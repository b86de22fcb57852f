"""Наставничество (002 §3.1, 004): the community's mentoring pairs, current and past; the
coordinator and the chair create, edit and end them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import User
from app.communities.permissions import can_view_inside
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.mentoring import services
from app.governance.mentoring.forms import PairForm
from app.governance.mentoring.models import MentoringPair
from app.governance.mentoring.permissions import can_manage_mentoring
from app.permissions import require

bp = Blueprint("mentoring", __name__)


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


def _pair_or_404(pair_id: int) -> MentoringPair:
    pair = db.session.get(MentoringPair, pair_id)
    if pair is None or pair.community_id != g.community.id:
        abort(404)
    return pair


@bp.get("/")
def index():
    today = services.today_in(g.community)
    pairs = services.pairs_of_community(g.community)
    current = [p for p in pairs if not p.is_over(today)]
    past = [p for p in pairs if p.is_over(today)]
    return render_template("governance/mentoring/index.html", community=g.community,
                           current=current, past=past, today=today,
                           manager=can_manage_mentoring(current_user, g.community),
                           end_form=EmptyForm())


def _person(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _save(form: PairForm, pair: MentoringPair | None):
    fields = dict(mentor=_person(form.mentor_id.data), mentee=_person(form.mentee_id.data),
                  goal=form.goal.data, starts_on=form.starts_on.data,
                  ends_on=form.ends_on.data)
    if pair is None:
        return services.create_pair(g.community, current_user, **fields)
    return services.update_pair(pair, g.community, current_user, **fields)


def _form_page(form: PairForm, pair: MentoringPair | None):
    if form.validate_on_submit():
        try:
            _save(form, pair)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Пара наставничества сохранена. Наставник и наставляемый получили "
                    "уведомление.") if pair is None else _("Изменения сохранены."), "success")
            return redirect(url_for(".index"), 303)
    return render_template("governance/mentoring/form.html", community=g.community,
                           form=form, pair=pair), 422 if form.is_submitted() else 200


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_manage_mentoring(current_user, g.community))
    form = PairForm(community=g.community)
    return _form_page(form, None)


@bp.route("/<int:pair_id>/edit", methods=["GET", "POST"])
def edit(pair_id: int):
    pair = _pair_or_404(pair_id)
    require(can_manage_mentoring(current_user, g.community))
    form = PairForm(obj=pair, community=g.community)
    if pair.ended_at is not None and not form.is_submitted():
        flash(_("Наставничество завершено досрочно: изменить его нельзя."), "error")
        return redirect(url_for(".index"), 303)
    return _form_page(form, pair)


@bp.post("/<int:pair_id>/end")
def end(pair_id: int):
    pair = _pair_or_404(pair_id)
    require(can_manage_mentoring(current_user, g.community))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.end_pair(pair, g.community, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Наставничество завершено."), "success")
    return redirect(url_for(".index"), 303)
