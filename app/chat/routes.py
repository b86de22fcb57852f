"""Live chat of a community: /c/<slug>/chat/… Polling asks only for messages after the last
one the page has, every 2 seconds, so others' messages appear within 3 seconds."""

from __future__ import annotations

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
from flask_login import current_user, login_required

from app import htmx
from app.chat import services
from app.chat.forms import ChatForm
from app.communities.permissions import can_moderate, can_view_inside
from app.errors import DomainError
from app.extensions import db
from app.forms import apply_domain_error
from app.permissions import require
from app.ratelimit import limit_posting

bp = Blueprint("chat", __name__)


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


def _reader():
    """Moderators see held messages too; others only their own."""
    return None if can_moderate(current_user, g.community) else current_user


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.get("/")
def index():
    messages, has_older = services.latest(g.community, _reader())
    return render_template(
        "chat/index.html", community=g.community, messages=messages, form=ChatForm(formdata=None),
        last_id=messages[-1].id if messages else 0, has_older=has_older,
    )


@bp.get("/messages")
def messages():
    """?after=<id>: new messages and a fresh poller (204 when there are none);
    ?before=<id>: older history for «Показать более ранние»."""
    if (first := _int_arg("before")) is not None:
        older, has_older = services.before(g.community, first, _reader())
        return render_template(
            "chat/_older.html", community=g.community, messages=older, has_older=has_older,
        )
    last = _int_arg("after")
    if last is None:
        abort(400)
    new = services.after(g.community, last, _reader())
    if not new:
        return Response(status=204)
    return render_template(
        "chat/_new.html", community=g.community, messages=new, last_id=new[-1].id
    )


@bp.post("/messages")
@limit_posting
def send():
    form = ChatForm()
    if form.validate_on_submit():
        try:
            services.send(g.community, current_user, form.body.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            if htmx.is_htmx():
                # The poller fetches the message at once: one place appends to the list.
                response = make_response(
                    render_template("chat/_form.html", community=g.community,
                                    form=ChatForm(formdata=None))
                )
                return htmx.hx_trigger(response, "chat-sent")
            return redirect(url_for(".index"), 303)
    if htmx.is_htmx():
        return render_template("chat/_form.html", community=g.community, form=form), 422
    for error in form.body.errors or form.form_errors:
        flash(error, "error")
    return redirect(url_for(".index"), 303)
