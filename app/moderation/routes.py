"""Moderation of a community: the rules, reports, the coordinators' queue and actions, watched
words, the moderation log."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import content, htmx
from app.auth.models import User
from app.communities.permissions import can_moderate, can_view_inside
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error, choices
from app.i18n import datetime_filter
from app.moderation import services
from app.moderation.forms import (
    ActionForm,
    GroundForm,
    LogFilterForm,
    ReportForm,
    SettingsForm,
    WordForm,
)
from app.moderation.models import CommunityGround, ModerationCase, WatchedWordEntry
from app.moderation.permissions import can_view_moderation_log
from app.pagination import keyset
from app.permissions import require
from app.ratelimit import limit_reports

bp = Blueprint("moderation", __name__)


@bp.get("/rules")
def rules():
    """The rules of conduct (000 §5.2) with the community's own: public, linked from every
    writing form."""
    return render_template(
        "moderation/rules.html", community=g.community,
        grounds=services.grounds_for(g.community),
    )


# --- reports ---------------------------------------------------------------------------


def _item_or_404(kind: str, item_id: int, *, for_moderator: bool = False):
    item = content.load(kind, item_id)
    if item is None or getattr(item, "community_id", None) != g.community.id:
        abort(404)
    if not for_moderator and (
        item.is_hidden or (item.held_at is not None and item.author_id != current_user.id)
        or (not getattr(item, "is_published", True) and item.author_id != current_user.id)
    ):
        abort(404)  # removed, held or not yet published: not there for others
    visible_to = content.content_type(kind).visible_to
    if not for_moderator and visible_to is not None and not visible_to(current_user, item):
        abort(404)  # e.g. a post in a working group's section, for someone outside the group
    return item


@bp.route("/report/<kind>/<int:item_id>", methods=["GET", "POST"])
@limit_reports
@login_required
def report(kind: str, item_id: int):
    require(can_view_inside(current_user, g.community))
    item = _item_or_404(kind, item_id)
    ct = content.content_type(kind)
    if item.author_id == current_user.id:
        flash(_("Нельзя пожаловаться на собственное сообщение."), "info")
        return redirect(ct.url(item), 303)
    form = ReportForm(grounds=services.grounds_for(g.community))
    if form.validate_on_submit():
        try:
            services.report(item, g.community, current_user, form.ground.data,
                            form.comment.data or "")
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Жалоба отправлена координатору. Спасибо!"), "success")
            return redirect(ct.url(item), 303)
    return htmx.render(
        "moderation/_report_form.html", "moderation/report.html",
        community=g.community, form=form, item=item, kind=kind, ct=ct,
    ), 422 if form.is_submitted() else 200


# --- the queue -------------------------------------------------------------------------


def _moderator_only() -> None:
    require(can_moderate(current_user, g.community))


@bp.get("/")
@login_required
def index():
    _moderator_only()
    cases = list(db.session.scalars(services.queue(g.community).limit(200)))
    return render_template(
        "moderation/index.html", community=g.community, rows=services.queue_rows(cases),
        action_form=ActionForm(grounds=services.grounds_for(g.community), formdata=None),
    )


def _case_or_404(case_id: int) -> ModerationCase:
    case = db.session.get(ModerationCase, case_id)
    if case is None or case.community_id != g.community.id:
        abort(404)
    return case


def _row_response(case: ModerationCase, item, form: ActionForm | None = None, status=200):
    if htmx.is_htmx():
        row = services.queue_rows([case])[0]
        row.item = item
        return htmx.render(
            "moderation/_case_row.html", community=g.community, row=row,
            action_form=form or ActionForm(grounds=services.grounds_for(g.community),
                                           formdata=None),
        ), status
    if status == 422 and form is not None:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for(".index"), 303)


ACTIONS = ("approve", "remove", "warn", "mute", "exclude", "restore")


@bp.post("/cases/<int:case_id>/<any(approve,remove,warn,mute,exclude,restore):action>")
@login_required
def act(case_id: int, action: str):
    """One coordinator's decision on one queued item; the row updates in place."""
    _moderator_only()
    case = _case_or_404(case_id)
    item = content.load(case.kind, case.object_id)
    if item is None:
        abort(404)
    form = ActionForm(grounds=services.grounds_for(g.community))
    if action in ("approve", "restore"):
        valid = EmptyForm().validate_on_submit()
    else:
        valid = form.validate_on_submit()
        if action == "mute" and form.days.data is None:
            form.days.errors = [_("Укажите срок в днях.")]
            valid = False
    if not valid:
        return _row_response(case, item, form, 422)
    try:
        _apply(action, case, item, form)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        case, item = db.session.get(ModerationCase, case_id), content.load(case.kind,
                                                                          case.object_id)
        return _row_response(case, item, status=200)
    db.session.commit()
    flash(_DONE[action], "success")
    return _row_response(case, item)


_DONE = {
    "approve": "Решение принято: материал оставлен.",
    "remove": "Материал удалён и скрыт; автор уведомлён.",
    "warn": "Автор получил предупреждение.",
    "mute": "Автору запрещено писать; он уведомлён.",
    "exclude": "Автор исключён из сообщества.",
    "restore": "Материал восстановлен; автор уведомлён.",
}


def _apply(action: str, case: ModerationCase, item, form: ActionForm) -> None:
    ground, comment = form.ground.data or "", form.comment.data or ""
    if action == "approve":
        services.approve(case, item, current_user)
    elif action == "remove":
        services.remove(item, current_user, ground, comment)
    elif action == "warn":
        services.warn(item, current_user, ground, comment)
    elif action == "mute":
        services.mute(item, current_user, form.days.data, ground, comment)
    elif action == "exclude":
        services.exclude(item, current_user, ground, comment)
    elif action == "restore":
        services.restore(item, current_user)


@bp.route("/items/<kind>/<int:item_id>/remove", methods=["GET", "POST"])
@login_required
def remove_item(kind: str, item_id: int):
    """Remove any item directly (from the forum or the chat), with a ground."""
    _moderator_only()
    item = _item_or_404(kind, item_id, for_moderator=True)
    ct = content.content_type(kind)
    form = ActionForm(grounds=services.grounds_for(g.community))
    if form.validate_on_submit():
        try:
            services.remove(item, current_user, form.ground.data, form.comment.data or "")
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_DONE["remove"], "success")
            return redirect(ct.url(item), 303)
    return render_template(
        "moderation/remove.html", community=g.community, form=form, item=item, kind=kind, ct=ct
    ), 422 if form.is_submitted() else 200


@bp.post("/items/<kind>/<int:item_id>/restore")
@login_required
def restore_item(kind: str, item_id: int):
    _moderator_only()
    item = _item_or_404(kind, item_id, for_moderator=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.restore(item, current_user)
    db.session.commit()
    flash(_DONE["restore"], "success")
    return redirect(content.content_type(kind).url(item), 303)


# --- settings: own rules, thresholds, watched words --------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    _moderator_only()
    community = g.community
    form = SettingsForm(obj=community, prefix="settings")
    ground_form = GroundForm(prefix="ground")
    status = 200
    if request.method == "POST" and "settings-auto_hide_threshold" in request.form:
        if form.validate_on_submit():
            community.auto_hide_threshold = form.auto_hide_threshold.data
            community.premoderate_first_posts = form.premoderate_first_posts.data
            community.materials_need_approval = form.materials_need_approval.data
            db.session.commit()
            flash(_("Настройки модерации сохранены."), "success")
            return redirect(url_for(".settings"), 303)
        status = 422
    elif request.method == "POST":
        if ground_form.validate_on_submit():
            try:
                services.add_ground(community, current_user, ground_form.label.data)
            except DomainError as error:
                apply_domain_error(ground_form, error)
                status = 422
            else:
                db.session.commit()
                flash(_("Правило добавлено."), "success")
                return redirect(url_for(".settings"), 303)
        else:
            status = 422
    own = db.session.scalars(
        select(CommunityGround).where(CommunityGround.community_id == community.id,
                                      CommunityGround.is_active)
    ).all()
    return render_template(
        "moderation/settings.html", community=community, form=form, ground_form=ground_form,
        own_grounds=own,
    ), status


@bp.post("/settings/grounds/<int:ground_id>/retire")
@login_required
def retire_ground(ground_id: int):
    _moderator_only()
    ground = db.session.get(CommunityGround, ground_id)
    if ground is None or ground.community_id != g.community.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.retire_ground(ground, current_user)
    db.session.commit()
    flash(_("Правило убрано из списка. Прежние решения по нему сохраняются."), "success")
    return redirect(url_for(".settings"), 303)


@bp.route("/words", methods=["GET", "POST"])
@login_required
def words():
    _moderator_only()
    form = WordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_word(g.community, current_user, form.phrase.data, form.action.data)
        except DomainError as error:
            apply_domain_error(form, error)
            status = 422
        else:
            db.session.commit()
            flash(_("Стоп-слово добавлено."), "success")
            return redirect(url_for(".words"), 303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "moderation/words.html", community=g.community, form=form,
        words=services.words_of(g.community), platform_words=services.words_of(None),
        actions=services.WORD_ACTIONS,
    ), status


@bp.post("/words/<int:word_id>/remove")
@login_required
def remove_word(word_id: int):
    _moderator_only()
    entry = db.session.get(WatchedWordEntry, word_id)
    if entry is None or entry.community_id != g.community.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_word(entry, current_user)
    db.session.commit()
    flash(_("Стоп-слово удалено."), "success")
    return redirect(url_for(".words"), 303)


# --- the log ---------------------------------------------------------------------------


def _log_filters(community) -> tuple[LogFilterForm, dict]:
    form = LogFilterForm(request.args)
    form.action.choices = choices([("", _("Все действия")), *services.ACTION_LABELS.items()])
    moderators = db.session.execute(
        select(User.id, User.full_name).where(
            User.id.in_(select(services.ModerationLog.moderator_id).where(
                services.ModerationLog.community_id == community.id))
        ).order_by(User.full_name)
    ).all()
    form.moderator.choices = choices([("", _("Все")), *((str(i), n) for i, n in moderators)])
    form.validate()
    moderator = form.moderator.data or ""
    filters = {
        "action": form.action.data if form.action.data in services.ACTION_LABELS else "",
        "moderator_id": int(moderator) if moderator.isdigit() else None,
        "since": datetime.combine(form.since.data, datetime.min.time())
        if form.since.data else None,
        "until": datetime.combine(form.until.data + timedelta(days=1), datetime.min.time())
        if form.until.data else None,
    }
    return form, filters


@bp.get("/log")
@login_required
def log():
    require(can_view_moderation_log(current_user, g.community))
    form, filters = _log_filters(g.community)
    query = services.log_query(g.community, **filters)
    if request.args.get("format") == "csv":
        return _csv(db.session.scalars(query).all())
    page = keyset(query, services.LOG_ORDER, per_page=50)
    return htmx.render(
        "moderation/_log_rows.html", "moderation/log.html",
        community=g.community, form=form, page=page, labels=services.ACTION_LABELS,
        query_args={k: v for k, v in request.args.items() if k != "page"},
    )


def _csv(entries) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Дата и время", "Кто", "Действие", "Что", "Автор / участник",
                     "Основание", "Комментарий", "Текст"])
    for e in entries:
        ct = content.content_type(e.kind) if e.kind else None
        writer.writerow([
            datetime_filter(e.created_at),
            e.moderator.full_name if e.moderator else "Площадка",
            services.ACTION_LABELS.get(e.action, e.action),
            f"{ct.label} № {e.object_id}" if ct else "",
            e.target_user.full_name if e.target_user else "",
            services.label_of_ground(e.ground, g.community) if e.ground else "",
            e.comment, e.excerpt,
        ])
    response = make_response("\ufeff" + out.getvalue())  # BOM: Excel opens UTF-8 as such
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=moderation-{g.community.slug}.csv"
    )
    return response
