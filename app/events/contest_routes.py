"""Contest pages on the `events` blueprint: entries (submit, view, withdraw, download), the
organisers' criteria and jury, the juror's scoring page, the ranking with places and the
publication of the results. The rules live in contests.py."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.errors import DomainError
from app.events import contests
from app.events.contest_forms import (
    CriterionForm,
    EntryForm,
    JurorForm,
    PlaceForm,
    score_form,
)
from app.events.labels import PLACE_LABELS
from app.events.models import (
    ContestCriterion,
    ContestEntry,
    ContestEntryFile,
    ContestJuror,
    Event,
)
from app.events.permissions import can_organise
from app.events.routes import bp, event_or_404
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error, choices
from app.permissions import is_member, require
from app.ratelimit import limit_uploads
from app.ui import dom_id
from app.uploads import send_stored


@bp.app_template_filter("contest_place")
def contest_place_label(value: str | None) -> str:
    return PLACE_LABELS.get(value or "", "")


def _contest_or_404(event_id: int) -> Event:
    event = event_or_404(event_id)
    if not event.is_contest:
        abort(404)
    return event


def _organiser_contest_or_403(event_id: int) -> Event:
    event = _contest_or_404(event_id)
    require(can_organise(current_user, event, g.community))
    return event


def _entry_or_404(event: Event, entry_id: int) -> ContestEntry:
    entry = db.session.get(ContestEntry, entry_id)
    if entry is None or entry.event_id != event.id:
        abort(404)
    if not contests.can_see_entry(entry, event, g.community, current_user):
        abort(404)
    return entry


def _event_page(event: Event, anchor: str = "contest"):
    return redirect(url_for(".event", event_id=event.id, _anchor=anchor), 303)


# --- entries ---------------------------------------------------------------------------------


def _entry_form_response(event: Event, form: EntryForm, status: int):
    refusal = contests.submit_refusal(event, g.community, current_user)
    return htmx.render(
        "events/_contest_entry_form.html", "events/contest_entry_form.html",
        community=g.community, event=event, form=form, refusal=refusal,
        deadline=contests.deadline_of(event),
    ), status


@bp.route("/<int:event_id>/entries/new", methods=["GET", "POST"])
@limit_uploads
def new_entry(event_id: int):
    event = _contest_or_404(event_id)
    require(is_member(current_user, g.community))
    form = EntryForm()
    if form.validate_on_submit():
        try:
            entry = contests.submit_entry(
                event, g.community, current_user, title=form.title.data,
                description=form.description.data or "",
                files=request.files.getlist("files"),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Работа отправлена на проверку координатору.") if entry.is_held
                  else _("Работа принята на конкурс."), "success")
            target = url_for(".entry", event_id=event.id, entry_id=entry.id)
            if htmx.is_htmx():  # the upload form posts with XHR (for its progress bar)
                response = make_response("", 200)
                response.headers["HX-Redirect"] = target
                return response
            return redirect(target, 303)
    return _entry_form_response(event, form, 422 if form.is_submitted() else 200)


@bp.get("/<int:event_id>/entries/<int:entry_id>")
def entry(event_id: int, entry_id: int):
    event = _contest_or_404(event_id)
    entry = _entry_or_404(event, entry_id)
    return render_template(
        "events/contest_entry.html", community=g.community, event=event, entry=entry,
        show_content=contests.can_see_content(entry, g.community, current_user),
        can_withdraw=contests.withdraw_refusal(entry, event, current_user) is None,
        moderator=contests.moderation.is_moderator(current_user, g.community),
        published=event.results_published_at is not None,
    )


@bp.post("/<int:event_id>/entries/<int:entry_id>/withdraw")
def withdraw_entry(event_id: int, entry_id: int):
    event = _contest_or_404(event_id)
    entry = _entry_or_404(event, entry_id)
    require(entry.author_id == current_user.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        contests.withdraw_entry(entry, event, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".entry", event_id=event.id, entry_id=entry.id), 303)
    db.session.commit()
    flash(_("Работа «%(t)s» отозвана. До окончания приёма можно подать другую.",
            t=entry.title), "success")
    return _event_page(event)


@bp.get("/<int:event_id>/entries/<int:entry_id>/files/<int:file_id>")
def entry_file(event_id: int, entry_id: int, file_id: int):
    event = _contest_or_404(event_id)
    entry = _entry_or_404(event, entry_id)
    if not contests.can_see_content(entry, g.community, current_user):
        abort(404)
    link = db.session.get(ContestEntryFile, (entry.id, file_id))
    if link is None:
        abort(404)
    return send_stored(link.stored)


# --- criteria and jury -----------------------------------------------------------------------


def _criteria_page(event: Event, form: CriterionForm, status: int = 200):
    criteria = contests.criteria_of(event)
    return render_template(
        "events/contest_criteria.html", community=g.community, event=event, form=form,
        criteria=criteria, max_total=sum(c.max_score for c in criteria),
        locked=event.results_published_at is not None or event.is_cancelled,
    ), status


@bp.route("/<int:event_id>/criteria", methods=["GET", "POST"])
def criteria(event_id: int):
    event = _organiser_contest_or_403(event_id)
    form = CriterionForm()
    if request.method == "GET":
        return _criteria_page(event, form)
    if form.validate_on_submit():
        try:
            contests.add_criterion(event, g.community, current_user, form.name.data,
                                   form.max_score.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Критерий добавлен."), "success")
            return redirect(url_for(".criteria", event_id=event.id), 303)
    return _criteria_page(event, form, 422)


@bp.post("/<int:event_id>/criteria/<int:criterion_id>/remove")
def remove_criterion(event_id: int, criterion_id: int):
    event = _organiser_contest_or_403(event_id)
    criterion = db.session.get(ContestCriterion, criterion_id)
    if criterion is None or criterion.event_id != event.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = criterion.name
    try:
        contests.remove_criterion(criterion, event, g.community, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Критерий «%(n)s» убран вместе с баллами по нему.", n=name), "success")
    return redirect(url_for(".criteria", event_id=event.id), 303)


def _jury_page(event: Event, form: JurorForm, status: int = 200):
    candidates = contests.candidate_experts(event, g.community)
    form.user_id.choices = choices((u.id, f"{u.full_name}"
                                    + (f" ({u.organisation})" if u.organisation else ""))
                                   for u in candidates)
    return render_template(
        "events/contest_jury.html", community=g.community, event=event, form=form,
        jurors=contests.jurors_of(event), candidates=candidates,
        locked=event.results_published_at is not None or event.is_cancelled,
    ), status


@bp.route("/<int:event_id>/jury", methods=["GET", "POST"])
def jury(event_id: int):
    event = _organiser_contest_or_403(event_id)
    form = JurorForm()
    if request.method == "GET":
        return _jury_page(event, form)
    if form.validate_on_submit():
        try:
            juror = contests.appoint_juror(event, g.community, current_user, form.user_id.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s в жюри; ему (ей) отправлено уведомление.",
                    name=juror.user.full_name), "success")
            return redirect(url_for(".jury", event_id=event.id), 303)
    return _jury_page(event, form, 422)


@bp.post("/<int:event_id>/jury/<int:juror_id>/remove")
def remove_juror(event_id: int, juror_id: int):
    event = _organiser_contest_or_403(event_id)
    juror = db.session.get(ContestJuror, (event.id, juror_id))
    if juror is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = juror.user.full_name
    try:
        contests.remove_juror(juror, event, g.community, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s больше не в жюри; его (её) оценки не учитываются.", name=name),
              "success")
    return redirect(url_for(".jury", event_id=event.id), 303)


# --- scoring ---------------------------------------------------------------------------------


def _juror_contest_or_403(event_id: int) -> Event:
    event = _contest_or_404(event_id)
    require(contests.is_juror(event, current_user))
    return event


def _score_row(event: Event, entry: ContestEntry, criteria: list[ContestCriterion],
               given: dict[int, int], form=None) -> dict:
    conflict = contests.conflict_of_interest(entry, current_user)
    return {
        "entry": entry,
        "conflict": conflict,
        "form": None if conflict else form or score_form(criteria, entry.id, given),
        "total": sum(given.values()) if criteria and len(given) == len(criteria) else None,
    }


def _scoring_context(event: Event, **extra) -> dict:
    return {
        "community": g.community, "event": event,
        "criteria": extra.pop("criteria", None) or contests.criteria_of(event),
        "frozen": event.results_published_at is not None or event.is_cancelled,
        **extra,
    }


@bp.get("/<int:event_id>/scoring")
def scoring(event_id: int):
    """The juror's page: one form per entry, with the juror's own scores only."""
    event = _juror_contest_or_403(event_id)
    criteria = contests.criteria_of(event)
    mine = contests.scores_by(event, current_user)
    rows = [_score_row(event, e, criteria, mine.get(e.id, {}))
            for e in contests.jury_entries(event)]
    return render_template("events/contest_scoring.html",
                           **_scoring_context(event, criteria=criteria, rows=rows))


@bp.post("/<int:event_id>/scoring/<int:entry_id>")
def score(event_id: int, entry_id: int):
    event = _juror_contest_or_403(event_id)
    entry = _entry_or_404(event, entry_id)
    criteria = contests.criteria_of(event)
    form = score_form(criteria, entry.id, posted=True)
    saved = False
    if form.validate_on_submit():
        values = {c.id: form[f"score_{c.id}"].data for c in criteria}
        try:
            contests.score_entry(entry, event, current_user, values)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            saved = True
    status = 200 if saved else 422
    if saved and not htmx.is_htmx():
        flash(_("Оценки работы «%(t)s» сохранены.", t=entry.title), "success")
        return redirect(url_for(".scoring", event_id=event.id, _anchor=dom_id(entry)), 303)
    mine = contests.scores_by(event, current_user)
    row = _score_row(event, entry, criteria, mine.get(entry.id, {}),
                     form=None if saved else form)
    if row["conflict"] and not saved:
        row["error"] = row["conflict"]
    if htmx.is_htmx():
        return htmx.render("events/_contest_score_form.html", None,
                           **_scoring_context(event, criteria=criteria, row=row,
                                              saved=saved)), status
    # A plain POST with errors: the whole page, this entry's form with its messages.
    rows = [row if e.id == entry.id else _score_row(event, e, criteria, mine.get(e.id, {}))
            for e in contests.jury_entries(event)]
    if all(r["entry"].id != entry.id for r in rows):
        rows.insert(0, row)
    return render_template("events/contest_scoring.html",
                           **_scoring_context(event, criteria=criteria, rows=rows)), status


# --- ranking, places, results ----------------------------------------------------------------


def _place_form(entry: ContestEntry) -> PlaceForm:
    return PlaceForm(formdata=None, data={"place": entry.place or ""},
                     prefix=f"place{entry.id}")


@bp.get("/<int:event_id>/ranking")
def ranking(event_id: int):
    event = _organiser_contest_or_403(event_id)
    board = contests.ranking(event)
    return render_template(
        "events/contest_ranking.html", community=g.community, event=event, board=board,
        forms={r.entry.id: _place_form(r.entry) for r in board.rows},
        published=event.results_published_at is not None,
        publish_refusal=contests.publish_refusal(event), place_labels=PLACE_LABELS,
    )


@bp.post("/<int:event_id>/entries/<int:entry_id>/place")
def set_place(event_id: int, entry_id: int):
    event = _organiser_contest_or_403(event_id)
    entry = _entry_or_404(event, entry_id)
    form = PlaceForm(prefix=f"place{entry.id}")
    error = None
    if form.validate_on_submit():
        try:
            contests.set_place(entry, event, g.community, current_user, form.place.data)
        except DomainError as exc:
            error = exc.message
        else:
            db.session.commit()
    else:
        error = " ".join(form.place.errors) or _("Форма устарела. Обновите страницу.")
    if htmx.is_htmx():
        board = contests.ranking(event)
        row = next((r for r in board.rows if r.entry.id == entry.id), None)
        if row is None:  # not ranked (withdrawn or hidden meanwhile): only the message
            response = make_response(render_template(
                "_partials/flash.html", flash_messages=[("error", error or "")], oob=True), 422)
            response.headers["HX-Reswap"] = "none"
            return response
        return htmx.render(
            "events/_contest_rank_row.html", None, community=g.community, event=event,
            board=board, row=row, position=board.rows.index(row) + 1,
            form=_place_form(entry), published=event.results_published_at is not None,
            place_labels=PLACE_LABELS, error=error, saved=error is None,
        ), 422 if error else 200
    if error:
        flash(error, "error")
    else:
        flash(_("Место сохранено: «%(t)s» — %(p)s.", t=entry.title,
                p=PLACE_LABELS[entry.place].lower() if entry.place else _("не присуждено")),
              "success")
    return redirect(url_for(".ranking", event_id=event.id, _anchor=dom_id(entry)), 303)


@bp.post("/<int:event_id>/results/publish")
def publish_results(event_id: int):
    event = _organiser_contest_or_403(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        told = contests.publish_results(event, g.community, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".ranking", event_id=event.id), 303)
    db.session.commit()
    flash(_("Итоги опубликованы. Уведомлено авторов работ: %(n)s.", n=told), "success")
    return _event_page(event)
