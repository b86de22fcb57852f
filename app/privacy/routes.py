"""Personal data (152-ФЗ): the public policy and consent texts, a person's own data (export
as a ZIP) and the deletion of their account."""

from __future__ import annotations

import logging
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from app.communities.models import Community, ConsentDocument, ConsentKind
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error
from app.mixins import utcnow
from app.privacy import export as exporter
from app.privacy import services
from app.privacy.forms import DeleteAccountForm
from app.privacy.texts import policy_sections
from app.ratelimit import limit_password

log = logging.getLogger(__name__)

bp = Blueprint("privacy", __name__)


@bp.app_template_filter("data_request_kind")
def data_request_kind(value: str) -> str:
    return services.KIND_LABELS.get(value, value)


@bp.app_template_filter("data_request_status")
def data_request_status(value: str) -> str:
    return services.STATUS_LABELS.get(value, value)


@bp.get("/privacy")
def policy():
    versions = list(db.session.scalars(
        select(ConsentDocument).where(ConsentDocument.kind == ConsentKind.PERSONAL_DATA,
                                      ConsentDocument.community_id.is_(None))
        .order_by(ConsentDocument.version.desc())
    ))
    communities = list(db.session.scalars(select(Community).order_by(Community.name)))
    return render_template(
        "privacy/policy.html", sections=policy_sections(),
        consent=versions[0] if versions else None, earlier=versions[1:],
        communities=communities,
    )


def _my_data_page(error: str | None = None):
    return render_template("privacy/my_data.html", form=EmptyForm(), error=error,
                           requests=services.requests_of(current_user))


@bp.get("/profile/data")
@login_required
def my_data():
    return _my_data_page()


@bp.post("/profile/data/export")
@login_required
def export():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        claim = services.start_export(current_user)
    except services.ExportInProgress as error:
        db.session.rollback()
        return _my_data_page(error.message), 409
    # Committed before the archive is built: a second export started meanwhile is refused.
    db.session.commit()
    request_id, user_id = claim.id, current_user.id
    out = tempfile.TemporaryFile()  # gone from disk once closed, whatever happens
    try:
        summary = exporter.build_archive(current_user, out)
        services.finish_export(claim, files=summary.files, records=summary.records)
        db.session.commit()
    except Exception:
        out.close()
        log.exception("Export of the data of user %s failed", user_id)
        db.session.rollback()
        services.fail_export(request_id, "Ошибка при подготовке архива; подробности в журнале "
                                         "сервера.")
        db.session.commit()
        return _my_data_page(_("Не удалось подготовить архив. Попробуйте ещё раз позже; если "
                               "ошибка повторится, сообщите администратору площадки.")), 500
    out.seek(0)
    response = send_file(
        out, mimetype="application/zip", as_attachment=True,
        download_name=f"moi-dannye-{user_id}-{utcnow():%Y-%m-%d}.zip",
    )
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/profile/delete", methods=["GET", "POST"])
@limit_password
@login_required
def delete_account():
    form = DeleteAccountForm()
    refusal = services.deletion_refusal(current_user)
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("Пароль введён неверно."))
        elif refusal:
            form.form_errors.append(refusal)
        else:
            try:
                services.delete_account(current_user)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                db.session.commit()
                logout_user()
                flash(_("Ваша учётная запись удалена, персональные данные стёрты. Спасибо, что "
                        "были с нами."), "success")
                return redirect(url_for("communities.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("privacy/delete_account.html", form=form, refusal=refusal), status
