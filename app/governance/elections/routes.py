"""Выборы председателя: the community's elections, an election's page with the secret
ballot and, once voting is over, its results; the organisers' forms and buttons.

Closing is a button, «Подвести итоги», pressed by an organiser after the period: it changes
who the chair is and notifies the council, so it is a deliberate POST with an actor, not a
side effect of whoever first opens the page. The tally itself is visible to every member as
soon as the period is over."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import htmx
from app.errors import DomainError
from app.events.services import to_local, to_utc
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.governance.elections import services
from app.governance.elections.forms import BallotForm, ElectionForm
from app.governance.elections.labels import STATE_LABELS
from app.governance.elections.models import Election, ElectionState, ElectionStatus
from app.governance.elections.permissions import (
    can_organise_elections,
    can_view_election,
    can_view_elections,
)
from app.mixins import utcnow
from app.permissions import require

bp = Blueprint("elections", __name__)


@bp.before_request
@login_required
def members_only():
    require(can_view_elections(current_user, g.community))


def election_or_404(election_id: int) -> Election:
    election = db.session.get(Election, election_id)
    if election is None or election.community_id != g.community.id:
        abort(404)
    if not can_view_election(current_user, election, g.community):
        abort(404)
    return election


def _organiser_or_403(election_id: int) -> Election:
    election = election_or_404(election_id)
    require(can_organise_elections(current_user, g.community))
    return election


# --- the list ------------------------------------------------------------------------------


@bp.get("/")
def index():
    query = db.select(Election).where(Election.community_id == g.community.id)
    if not can_organise_elections(current_user, g.community):
        query = query.where(Election.status != ElectionStatus.DRAFT)
    elections = db.session.scalars(query.order_by(Election.starts_at.desc(),
                                                  Election.id.desc())).all()
    now = utcnow()
    return render_template(
        "governance/elections/index.html", community=g.community, elections=elections,
        now=now, state_labels=STATE_LABELS,
        active=next((e for e in elections if e.status == ElectionStatus.PUBLISHED), None),
    )


# --- one election --------------------------------------------------------------------------


def _page_context(election: Election, form: BallotForm | None = None,
                  error: str | None = None) -> dict:
    now = utcnow()
    state = election.state(now)
    voted = services.has_voted(election, current_user)
    result = None
    if state in (ElectionState.CLOSED, ElectionState.FINALIZED):
        result = services.results(election, now)
    candidates = [(c.user_id, c.user.full_name) for c in election.candidates]
    return {
        "community": g.community, "election": election, "state": state,
        "state_label": STATE_LABELS[state], "voted": voted,
        "refusal": services.vote_refusal(election, voted, now, g.community)
        if voted is not None else None,
        "form": form or BallotForm(candidates=candidates),
        "error": error, "result": result,
        "outcome": services.outcome_text(election, result) if result else "",
        "turnout": result.turnout if result else services.turnout(election),
        "organiser": can_organise_elections(current_user, g.community),
    }


@bp.get("/<int:election_id>")
def election(election_id: int):
    election = election_or_404(election_id)
    return render_template("governance/elections/election.html", **_page_context(election))


@bp.post("/<int:election_id>/vote")
def vote(election_id: int):
    """The secret ballot. The reply never names the chosen candidate: «Ваш голос учтён»."""
    election = election_or_404(election_id)
    require(services.has_voted(election, current_user) is not None)  # on the roll
    form = BallotForm(candidates=[(c.user_id, c.user.full_name) for c in election.candidates])
    error = None
    if not form.validate_on_submit():
        error = " ".join(map(str, form.candidate_id.errors)) or _("Отметьте одного кандидата.")
    else:
        try:
            services.cast_vote(election, g.community, current_user, form.candidate_id.data)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
    if htmx.is_htmx():
        ctx = _page_context(election, None if error is None else form, error)
        return htmx.render("governance/elections/_ballot.html", None, **ctx), \
            422 if error else 200
    if error:
        return render_template("governance/elections/election.html",
                               **_page_context(election, form, error)), 422
    flash(_("Ваш голос учтён."), "success")
    return redirect(url_for(".election", election_id=election.id), 303)


# --- the organisers ------------------------------------------------------------------------


def _fields(form: ElectionForm) -> services.ElectionFields:
    return services.ElectionFields(
        title=form.title.data or "",
        starts_at=to_utc(form.starts_at.data, g.community),
        ends_at=to_utc(form.ends_at.data, g.community),
        candidate_ids=tuple(form.candidate_ids.data or ()),
    )


def _form_page(form: ElectionForm, election: Election | None, status: int):
    return render_template("governance/elections/form.html", community=g.community,
                           form=form, election=election), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_organise_elections(current_user, g.community))
    form = ElectionForm(council=services.council_choices(g.community))
    if not form.is_submitted():
        start = to_local(utcnow(), g.community).replace(minute=0, second=0, microsecond=0,
                                                        tzinfo=None) + timedelta(hours=1)
        form.starts_at.data = start
        form.ends_at.data = start + timedelta(days=7)
    if form.validate_on_submit():
        try:
            election = services.create_election(g.community, current_user, _fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Черновик выборов сохранён. Проверьте его и опубликуйте."), "success")
            return redirect(url_for(".election", election_id=election.id), 303)
    return _form_page(form, None, 422 if form.is_submitted() else 200)


@bp.route("/<int:election_id>/edit", methods=["GET", "POST"])
def edit(election_id: int):
    election = _organiser_or_403(election_id)
    if not election.is_draft:
        flash(_("Выборы уже опубликованы: изменить их нельзя."), "error")
        return redirect(url_for(".election", election_id=election.id), 303)
    form = ElectionForm(obj=election, council=services.council_choices(g.community))
    if not form.is_submitted():
        form.starts_at.data = to_local(election.starts_at, g.community).replace(tzinfo=None)
        form.ends_at.data = to_local(election.ends_at, g.community).replace(tzinfo=None)
        form.candidate_ids.data = election.candidate_ids
    if form.validate_on_submit():
        try:
            services.update_election(election, g.community, current_user, _fields(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Изменения сохранены."), "success")
            return redirect(url_for(".election", election_id=election.id), 303)
    return _form_page(form, election, 422 if form.is_submitted() else 200)


def _button_action(election_id: int, action, success) -> object:
    election = _organiser_or_403(election_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        outcome = action(election)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success(election, outcome), "success")
    return redirect(url_for(".election", election_id=election.id), 303)


@bp.post("/<int:election_id>/publish")
def publish(election_id: int):
    return _button_action(
        election_id, lambda e: services.publish(e, g.community, current_user),
        lambda e, _r: _("Выборы опубликованы: список голосующих составлен (%(n)s), члены "
                        "совета получили уведомление.", n=e.roll_size))


@bp.post("/<int:election_id>/finalize")
def finalize(election_id: int):
    return _button_action(
        election_id, lambda e: services.finalize(e, g.community, current_user),
        lambda e, result: _("Итоги подведены: %(text)s",
                            text=services.outcome_text(e, result)))
