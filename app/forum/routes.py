"""Forum of a community: /c/<slug>/forum/…"""

from __future__ import annotations

from flask import (
    Blueprint,
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
from markupsafe import Markup
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app import htmx, search
from app.communities.permissions import can_view_inside
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error, choices
from app.forum import post_list, services
from app.forum.forms import (
    EditPostForm,
    MoveTopicForm,
    RenameTopicForm,
    ReplyForm,
    SearchForm,
    SectionForm,
    TopicForm,
)
from app.forum.models import Post, PostAttachment, Section, Topic, TopicRead
from app.forum.permissions import (
    can_create_topic,
    can_edit_post,
    can_moderate_forum,
    can_reply,
    can_see_post,
    can_see_section,
    group_refusal,
    visible_sections,
)
from app.pagination import keyset
from app.permissions import is_admin, require
from app.ratelimit import limit_posting, limit_uploads
from app.sanitize import render_markdown
from app.ui import dom_id
from app.uploads import send_stored

bp = Blueprint("forum", __name__)


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


# --- loading ---------------------------------------------------------------------------


# Every view reaches a section, topic or post through one of these: a working group's
# section and what is in it are a 404 for anyone outside the group (can_see_section).


def _section_or_404(section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.community_id != g.community.id:
        abort(404)
    if not can_see_section(current_user, section):
        abort(404)
    return section


def _topic_or_404(topic_id: int) -> Topic:
    return _seen_or_404(db.session.scalar(
        select(Topic).options(joinedload(Topic.section)).where(Topic.id == topic_id)
    ))


def _seen_or_404(topic: Topic | None) -> Topic:
    if topic is None or topic.community_id != g.community.id:
        abort(404)
    if not can_see_section(current_user, topic.section):
        abort(404)
    return topic


def _post_or_404(post_id: int) -> Post:
    post = db.session.scalar(
        select(Post).options(joinedload(Post.topic).joinedload(Topic.section))
        .where(Post.id == post_id)
    )
    if post is None or post.community_id != g.community.id:
        abort(404)
    if not can_see_section(current_user, post.topic.section):
        abort(404)
    if not can_see_post(current_user, post, g.community):
        abort(404)
    return post


def _files():
    return [f for f in request.files.getlist("files") if f and f.filename]


# --- sections --------------------------------------------------------------------------


@bp.get("/")
def index():
    sections = db.session.scalars(
        select(Section).options(joinedload(Section.group))
        .where(Section.community_id == g.community.id,
               visible_sections(current_user, g.community))
        .order_by(Section.position, Section.id)
    ).all()
    last_topics = {
        t.id: t for t in db.session.scalars(
            select(Topic).options(joinedload(Topic.last_author))
            .where(Topic.id.in_([s.last_topic_id for s in sections if s.last_topic_id]))
        )
    }
    return render_template(
        "forum/index.html", community=g.community, sections=sections,
        last_topics=last_topics, search_form=SearchForm(formdata=None),
    )


@bp.route("/sections/new", methods=["GET", "POST"])
def new_section():
    require(can_moderate_forum(current_user, g.community))
    form = SectionForm()
    if form.validate_on_submit():
        try:
            section = services.create_section(
                g.community, current_user, title=form.title.data,
                description=form.description.data or "",
                is_announcements=form.is_announcements.data,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Раздел «%(title)s» создан.", title=section.title), "success")
            return redirect(url_for(".index"), 303)
    return render_template(
        "forum/section_form.html", community=g.community, form=form, section=None
    ), 422 if form.is_submitted() else 200


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit_section(section_id: int):
    require(can_moderate_forum(current_user, g.community))
    section = _section_or_404(section_id)
    if section.group_id is not None:
        flash(services.GROUP_SECTION_EDIT, "info")
        return redirect(url_for("groups.group", group_id=section.group_id), 303)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            services.update_section(
                section, current_user, title=form.title.data,
                description=form.description.data or "",
                is_announcements=form.is_announcements.data,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Раздел сохранён."), "success")
            return redirect(url_for(".index"), 303)
    return render_template(
        "forum/section_form.html", community=g.community, form=form, section=section
    ), 422 if form.is_submitted() else 200


@bp.post("/sections/<int:section_id>/move/<any(up,down):direction>")
def move_section(section_id: int, direction: str):
    require(can_moderate_forum(current_user, g.community))
    section = _section_or_404(section_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.move_section(section, current_user, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for(".index"), 303)


def _topic_rows_query(section: Section):
    return (
        select(Topic, TopicRead.last_read_number)
        .options(joinedload(Topic.author), joinedload(Topic.last_author))
        .outerjoin(
            TopicRead, and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == current_user.id)
        )
        .where(Topic.section_id == section.id, *_visible_topics())
        .order_by(*TOPIC_ORDER)
    )


# Pinned first, then the latest activity; served by ix_forum_topics_list.
TOPIC_ORDER = (Topic.is_pinned.desc(), Topic.last_post_at.desc(), Topic.id.desc())


def _visible_topics() -> list:
    """A topic whose opening post is removed or waits for review stays out of the lists,
    but for the coordinators (and, while it waits, for its author)."""
    if can_moderate_forum(current_user, g.community):
        return []
    return [Topic.hidden_at.is_(None),
            Topic.held_at.is_(None) | (Topic.author_id == current_user.id)]


@bp.get("/sections/<int:section_id>")
def section(section_id: int):
    section = _section_or_404(section_id)
    page = keyset(_topic_rows_query(section), TOPIC_ORDER, rows=True)
    return htmx.render(
        "forum/_topic_rows.html", "forum/section.html",
        community=g.community, section=section, page=page,
    )


@bp.route("/sections/<int:section_id>/new-topic", methods=["GET", "POST"])
@limit_posting
@limit_uploads
def new_topic(section_id: int):
    section = _section_or_404(section_id)
    if section.is_announcements:
        require(can_create_topic(current_user, section) or is_admin(current_user))
    refusal = group_refusal(current_user, section)
    if refusal and request.method == "GET":  # on submit the service refuses with it (422)
        flash(refusal, "error")
        return redirect(url_for(".section", section_id=section.id), 303)
    # Other refusals (a mute, say) come from the service with their reason, on submit.
    form = TopicForm()
    if form.validate_on_submit():
        try:
            topic = services.create_topic(
                section, current_user, title=form.title.data, body=form.body.data,
                files=_files(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Тема создана."), "success")
            return redirect(url_for(".topic", topic_id=topic.id), 303)
    return render_template(
        "forum/new_topic.html", community=g.community, section=section, form=form
    ), 422 if form.is_submitted() else 200


# --- topics ----------------------------------------------------------------------------


def _page_rows(topic: Topic, page_number: int) -> list[post_list.PostRow]:
    first = (page_number - 1) * services.POSTS_PER_PAGE + 1
    return post_list.page_rows(topic, first, first + services.POSTS_PER_PAGE - 1)


def _post_html(post: Post) -> Markup:
    """One post as the topic page shows it (after a reply, an edit, or «Отмена»)."""
    topic = post.topic
    return post_list.render_posts(
        post_list.rows_where(Post.id == post.id),
        post_list.viewer_of(current_user, topic, g.community),
        post_list.urls_of(topic, 0),
    )


def _page_number(topic: Topic) -> int:
    pages = max(1, services.page_of(max(topic.post_count, 1)))
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), pages)


@bp.get("/topics/<int:topic_id>")
def topic(topic_id: int):
    found, known, watching = services.topic_with_reader_state(topic_id, current_user)
    topic = _seen_or_404(found)
    number = _page_number(topic)
    rows = _page_rows(topic, number)
    pages = services.page_of(max(topic.post_count, 1))
    live_after = rows[-1].number if rows and number == pages else 0
    viewer = post_list.viewer_of(current_user, topic, g.community)
    posts_html = post_list.render_posts(rows, viewer, post_list.urls_of(topic, live_after),
                                        known)
    body = htmx.render(
        "forum/_post_page.html", "forum/topic.html",
        community=g.community, topic=topic, posts_html=posts_html, page_number=number,
        pages=pages,
        reply_form_html=post_list.blank_reply_form(topic, live_after) if viewer.can_reply
        else "",
        live_after=live_after, can_reply_here=viewer.can_reply,
        moderator=viewer.moderator, watching=watching,
    )
    # The page view writes only the reader's own position, and only when it moved.
    if rows and services.mark_read(topic, current_user, rows[-1].number, known):
        db.session.commit()
    return body


@bp.get("/topics/<int:topic_id>/unread")
def first_unread(topic_id: int):
    topic = _topic_or_404(topic_id)
    number = services.first_unread_number(topic, current_user)
    post = db.session.scalar(
        select(Post).where(Post.topic_id == topic.id, Post.number >= number)
        .order_by(Post.number).limit(1)
    )
    anchor = dom_id(post) if post else None
    return redirect(
        url_for(".topic", topic_id=topic.id, page=services.page_of(number), _anchor=anchor)
    )


@bp.get("/posts/<int:post_id>")
def post(post_id: int):
    post = _post_or_404(post_id)
    return redirect(
        url_for(".topic", topic_id=post.topic_id, page=services.page_of(post.number),
                _anchor=dom_id(post))
    )


def _reply_form_response(topic: Topic, form: ReplyForm, status: int = 200):
    response = make_response(htmx.render(
        "forum/_reply_form.html", "forum/reply.html",
        community=g.community, topic=topic, reply_form=form,
    ), status)
    if status == 422 and htmx.is_htmx():
        # The form posts into #posts; its errors go back into the form itself.
        response.headers["HX-Retarget"] = "#reply-form"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.route("/topics/<int:topic_id>/reply", methods=["GET", "POST"])
@limit_posting
@limit_uploads
def reply(topic_id: int):
    topic = _topic_or_404(topic_id)
    # On submit a closed topic or a mute is refused by the service with its reason (422).
    if request.method == "GET":
        refusal = group_refusal(current_user, topic.section)
        if refusal and not htmx.is_htmx():
            flash(refusal, "error")
            return redirect(url_for(".topic", topic_id=topic.id), 303)
        require(can_reply(current_user, topic))
        after = request.args.get("after", "")
        form = ReplyForm(formdata=None, after=after if after.isdigit() else "0")
        quote_id = request.args.get("quote", "")
        if quote_id.isdigit():
            quoted = _post_or_404(int(quote_id))
            if quoted.topic_id != topic.id or quoted.is_hidden:
                abort(404)
            form.body.data = services.quote_markdown(quoted)
        return _reply_form_response(topic, form)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _reply_form_response(topic, form, 422)
    try:
        post = services.reply(topic, current_user, form.body.data, files=_files())
    except DomainError as error:
        apply_domain_error(form, error)
        return _reply_form_response(topic, form, 422)
    db.session.commit()
    shown = form.after.data or ""
    if htmx.is_htmx() and shown.isdigit() and post.number == int(shown) + 1:
        services.mark_read(topic, current_user, post.number)
        db.session.commit()
        fresh = ReplyForm(formdata=None, after=str(post.number))
        body = str(_post_html(post)) + render_template(
            "forum/_reply_form.html", community=g.community, topic=topic,
            reply_form=fresh, oob=True,
        )
        return htmx.hx_trigger(make_response(body), "post-created", {"id": post.id})
    if htmx.is_htmx():
        # Not directly after what the page shows: open the post where it stands.
        flash(_("Ответ опубликован."), "success")
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url_for(".post", post_id=post.id)
        return response
    flash(_("Ответ опубликован."), "success")
    return redirect(url_for(".post", post_id=post.id), 303)


@bp.post("/preview")
def preview():
    """Markdown preview of a text being written (nothing is stored)."""
    text = request.form.get("body", "")
    return render_template("forum/_preview.html", html=render_markdown(text[:20_000]))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@limit_posting
def edit_post(post_id: int):
    post = _post_or_404(post_id)
    require(can_edit_post(current_user, post, g.community))
    form = EditPostForm(obj=post) if request.method == "GET" else EditPostForm()
    if form.validate_on_submit():
        try:
            services.edit_post(post, current_user, form.body.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            if htmx.is_htmx():
                return _post_html(post)
            flash(_("Сообщение изменено."), "success")
            return redirect(url_for(".post", post_id=post.id), 303)
    status = 422 if form.is_submitted() else 200
    return htmx.render(
        "forum/_post_edit.html", "forum/edit_post.html",
        community=g.community, post=post, form=form,
    ), status


@bp.get("/posts/<int:post_id>/view")
def show_post(post_id: int):
    """One post's rendering (the «Отмена» of in-place editing swaps it back)."""
    post = _post_or_404(post_id)
    if not htmx.is_htmx():
        return redirect(url_for(".post", post_id=post.id))
    return _post_html(post)


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int):
    post = _post_or_404(post_id)
    require(can_moderate_forum(current_user, g.community) or post.author_id == current_user.id)
    return render_template(
        "forum/revisions.html", community=g.community, post=post,
        revisions=services.revisions(post),
    )


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    item = db.session.get(PostAttachment, attachment_id)
    if item is None:
        abort(404)
    post = _post_or_404(item.post_id)
    if post.is_hidden and not can_moderate_forum(current_user, g.community):
        abort(404)
    return send_stored(item.file)


# --- topic moderation ------------------------------------------------------------------


def _moderate(topic_id: int):
    require(can_moderate_forum(current_user, g.community))
    topic = _topic_or_404(topic_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return topic


@bp.post("/topics/<int:topic_id>/<any(pin,unpin):action>")
def pin(topic_id: int, action: str):
    topic = _moderate(topic_id)
    services.set_pinned(topic, current_user, action == "pin")
    db.session.commit()
    flash(_("Тема закреплена.") if topic.is_pinned else _("Тема откреплена."), "success")
    return redirect(url_for(".topic", topic_id=topic.id), 303)


@bp.post("/topics/<int:topic_id>/<any(close,open):action>")
def close(topic_id: int, action: str):
    topic = _moderate(topic_id)
    services.set_closed(topic, current_user, action == "close")
    db.session.commit()
    flash(_("Тема закрыта.") if topic.is_closed else _("Тема открыта."), "success")
    return redirect(url_for(".topic", topic_id=topic.id), 303)


@bp.route("/topics/<int:topic_id>/rename", methods=["GET", "POST"])
def rename(topic_id: int):
    require(can_moderate_forum(current_user, g.community))
    topic = _topic_or_404(topic_id)
    form = RenameTopicForm(obj=topic)
    if form.validate_on_submit():
        try:
            services.rename_topic(topic, current_user, form.title.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Тема переименована."), "success")
            return redirect(url_for(".topic", topic_id=topic.id), 303)
    return render_template(
        "forum/rename.html", community=g.community, topic=topic, form=form
    ), 422 if form.is_submitted() else 200


@bp.route("/topics/<int:topic_id>/move", methods=["GET", "POST"])
def move(topic_id: int):
    require(can_moderate_forum(current_user, g.community))
    topic = _topic_or_404(topic_id)
    form = MoveTopicForm(section_id=topic.section_id)
    # A working group's topics stay in its section; no other topic goes into one.
    same_kind = (Section.id == topic.section_id) if topic.section.group_id is not None else (
        Section.group_id.is_(None))
    sections = db.session.scalars(
        select(Section).where(Section.community_id == g.community.id, same_kind)
        .order_by(Section.position)
    ).all()
    form.section_id.choices = choices((s.id, s.title) for s in sections)
    if form.validate_on_submit():
        target = _section_or_404(form.section_id.data)
        try:
            services.move_topic(topic, current_user, target)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Тема перенесена в раздел «%(title)s».", title=target.title), "success")
            return redirect(url_for(".topic", topic_id=topic.id), 303)
    return render_template(
        "forum/move.html", community=g.community, topic=topic, form=form
    ), 422 if form.is_submitted() else 200


@bp.post("/topics/<int:topic_id>/<any(watch,unwatch):action>")
def watch(topic_id: int, action: str):
    topic = _topic_or_404(topic_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    watching = services.set_watching(topic, current_user, action == "watch")
    db.session.commit()
    if htmx.is_htmx():
        return render_template(
            "forum/_watch_button.html", community=g.community, topic=topic, watching=watching
        )
    flash(_("Вы следите за темой.") if watching else _("Вы больше не следите за темой."),
          "success")
    return redirect(url_for(".topic", topic_id=topic.id), 303)


# --- search ----------------------------------------------------------------------------


@bp.get("/search")
def search_page():
    form = SearchForm(request.args)
    query = (form.q.data or "").strip()[:200]
    results, window = [], None
    if query:
        # Posts of working groups the reader is not in are left out by the search itself,
        # so they neither show nor take places in the thirty.
        hidden = None if can_moderate_forum(current_user, g.community) else (
            select(Post.id).join(Topic, Topic.id == Post.topic_id)
            .join(Section, Section.id == Topic.section_id)
            .where(Section.community_id == g.community.id, Section.group_id.is_not(None),
                   ~visible_sections(current_user, g.community))
        )
        hits = search.search(query, community_ids=[g.community.id], kinds=["post"], limit=30,
                             exclude=hidden)
        posts = {
            p.id: p for p in db.session.scalars(
                select(Post)
                .options(joinedload(Post.topic).joinedload(Topic.section),
                         joinedload(Post.author))
                .where(Post.id.in_([h.object_id for h in hits]))
            )
        }
        window = hits.window  # a common word: only the newest matches were ranked
        can_see_all = can_moderate_forum(current_user, g.community)
        results = [
            posts[h.object_id] for h in hits
            if h.object_id in posts and (posts[h.object_id].is_public or can_see_all)
            and can_see_section(current_user, posts[h.object_id].topic.section)
        ]
    return htmx.render(
        "forum/_search_results.html", "forum/search.html",
        community=g.community, form=form, query=query, results=results, window=window,
    )
