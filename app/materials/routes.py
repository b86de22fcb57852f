"""The methodological bank: /c/<slug>/materials/… per community, /bank/… across the
member's communities («Мои материалы» too)."""

from __future__ import annotations

from dataclasses import dataclass

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
from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from app import htmx, search
from app.auth.models import User
from app.communities.models import Community
from app.communities.permissions import can_view_inside
from app.communities.services import MEMBER_LIST_MAX, member_choices
from app.errors import DomainError
from app.extensions import db
from app.forms import EmptyForm, apply_domain_error, choices
from app.materials import rows as material_rows
from app.materials import services
from app.materials.forms import FilterForm, MaterialForm, VersionForm
from app.materials.models import (
    Material,
    MaterialFile,
    MaterialFileVersion,
    MaterialStatus,
    MaterialTopic,
)
from app.pagination import KeysetPage, Page, current_page_number, keyset
from app.permissions import is_admin, memberships_of, require
from app.ratelimit import limit_uploads
from app.uploads import send_stored

bp = Blueprint("materials", __name__)
bank_bp = Blueprint("bank", __name__)
PER_PAGE = 20
# The orderings of the bank when not searching, by `sort` (labels.SORTS); each has its
# index on Material (community_id first for one community's bank, and without it for the
# bank of all the member's communities).
LIST_ORDERS = {
    "new": (Material.created_at.desc(), Material.id.desc()),
    "downloads": (Material.download_count.desc(), Material.id.desc()),
    "best": (Material.is_best_practice.desc(), Material.created_at.desc(), Material.id.desc()),
}


@bp.before_request
@login_required
def members_only():
    require(can_view_inside(current_user, g.community))


# --- listing ---------------------------------------------------------------------------


def _managed_ids() -> set[int]:
    if is_admin(current_user):
        return set(db.session.scalars(select(Community.id)))
    return {cid for cid, m in memberships_of(current_user).items() if "coordinator" in m.roles}


@dataclass
class SearchPage(Page):
    """A page of search results. `window`: see `search.Hits.window` (the page then says that
    only the newest matches were ranked)."""

    window: int | None = None


def _list(community_ids: list[int], form: FilterForm) -> Page | KeysetPage:
    """One page of materials as rows (app/materials/rows.py): filters, sort, and search by
    relevance, in a fixed number of queries whatever the number of results."""
    visible = services.visible(select(Material.id), current_user, _managed_ids())
    criteria = [Material.community_id.in_(community_ids), visible.whereclause]
    if form.type.data:
        criteria.append(Material.type == form.type.data)
    if form.level.data:
        criteria.append(Material.level == form.level.data)
    if form.topic.data:
        criteria.append(Material.id.in_(
            select(MaterialTopic.material_id).where(MaterialTopic.tag == form.topic.data.casefold())
        ))
    author = form.author.data or ""
    if author.isdigit():
        criteria.append(Material.author_id == int(author))
    number = current_page_number()
    q = (form.q.data or "").strip()
    if q:
        # The search itself keeps to the materials this reader may see and the filters let
        # through, so they alone fill a common word's ranking window and the page; it
        # returns the page's twenty, and one more for «Показать ещё», then read as rows.
        start = (number - 1) * PER_PAGE
        hits = search.search(q, community_ids=community_ids, kinds=["material"],
                             limit=PER_PAGE + 1, offset=start,
                             only=select(Material.id).where(*criteria))
        order = {h.object_id: i for i, h in enumerate(hits[:PER_PAGE])}
        # By id alone: the search has applied the criteria, and with them SQLite would
        # read the whole community's materials by its index instead of the twenty.
        found = db.session.execute(
            material_rows.select_rows(Material.id.in_(order))).all() if order else []
        rows = sorted(material_rows.rows_of(found), key=lambda m: order[m.id])
        return SearchPage(items=rows, number=number, has_next=len(hits) > PER_PAGE,
                          window=hits.window)
    # Not searching: «Показать ещё» pages by cursor (?after=…), on the index of each sort.
    page = keyset(material_rows.select_rows(*criteria),
                  LIST_ORDERS.get(form.sort.data, LIST_ORDERS["new"]), PER_PAGE, rows=True)
    page.items = material_rows.rows_of(page.items)
    return page


# A community larger than this gets no author list (a regional one has tens of thousands of
# members): the search box finds authors by name, and an author's link still filters.
AUTHOR_LIST_MAX = MEMBER_LIST_MAX  # the member pickers' threshold, one number


def _author_choices(chosen: str | None) -> list[tuple[str, str]]:
    if g.community.member_count <= AUTHOR_LIST_MAX:
        return [(str(i), n) for i, n in member_choices(g.community)]
    if chosen and chosen.isdigit():
        name = db.session.scalar(select(User.full_name).where(User.id == int(chosen)))
        return [(chosen, name)] if name else []
    return []


@bp.get("/")
def index():
    form = FilterForm(request.args)
    form.author.choices = choices([("", _("Все авторы")), *_author_choices(form.author.data)])
    form.validate()
    page = _list([g.community.id], form)
    pending = []
    if services.is_bank_manager(current_user, g.community):
        pending = db.session.scalars(
            select(Material).where(Material.community_id == g.community.id,
                                   Material.status == MaterialStatus.PENDING,
                                   Material.hidden_at.is_(None))
            .order_by(Material.created_at)
        ).all()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return htmx.render(
        "materials/_rows.html", "materials/index.html",
        community=g.community, form=form, page=page, args=args, endpoint="materials.index",
        rows_html=material_rows.render_rows(page.items, None, g.community.slug),
        filters_html=material_rows.filters_html(form, "materials.index"),
        pending=pending, best=services.best_practices(g.community),
    )


# --- one material ----------------------------------------------------------------------


def _material_or_404(material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.community_id != g.community.id:
        abort(404)
    manager = services.is_bank_manager(current_user, g.community)
    own = material.author_id == current_user.id or any(
        c.user_id == current_user.id for c in material.coauthors
    )
    if not manager and not own and (
        not material.is_published or material.hidden_at is not None
        or material.held_at is not None
    ):
        abort(404)  # removed or not yet published: not there for members
    return material


def render_material(material: Material, status: int = 200, **review_overrides):
    """The material page; the expert review section may pass a form with its errors."""
    from app.materials import reviews

    return render_template(
        "materials/material.html", community=g.community, material=material,
        can_edit=services.can_edit(current_user, material, g.community),
        manager=services.is_bank_manager(current_user, g.community),
        **reviews.context(material, current_user, **review_overrides),
    ), status


@bp.get("/<int:material_id>")
def material(material_id: int):
    return render_material(_material_or_404(material_id))


def _form_response(form: MaterialForm, material: Material | None, status: int):
    return htmx.render(
        "materials/_form.html", "materials/form.html",
        community=g.community, form=form, material=material,
        manager=services.is_bank_manager(current_user, g.community),
    ), status


def _saved(material: Material, message: str):
    flash(message, "success")
    target = url_for(".material", material_id=material.id)
    if htmx.is_htmx():  # the upload form posts with XHR (for its progress bar)
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


@bp.route("/new", methods=["GET", "POST"])
@limit_uploads
def new():
    form = MaterialForm(community=g.community)
    if form.validate_on_submit():
        on_behalf = db.session.get(User, form.on_behalf_of.data) if form.on_behalf_of.data \
            else None
        try:
            material = services.create_material(
                g.community, current_user, title=form.title.data,
                description=form.description.data or "", type=form.type.data,
                level=form.level.data, link_url=form.link_url.data or "",
                topics=form.topics.data or "", coauthor_ids=form.coauthor_ids.data or [],
                files=request.files.getlist("files"), on_behalf_of=on_behalf,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            return _saved(material, _("Материал отправлен координатору на публикацию.")
                          if not material.is_published else _("Материал опубликован."))
    return _form_response(form, None, 422 if form.is_submitted() else 200)


@bp.route("/<int:material_id>/edit", methods=["GET", "POST"])
@limit_uploads
def edit(material_id: int):
    material = _material_or_404(material_id)
    require(services.can_edit(current_user, material, g.community))
    form = MaterialForm(obj=material, community=g.community)
    if not form.is_submitted():
        form.topics.data = ", ".join(t.label for t in material.topics)
        form.coauthor_ids.data = [c.user_id for c in material.coauthors]
    if form.validate_on_submit():
        try:
            services.update_material(
                material, current_user, title=form.title.data,
                description=form.description.data or "", type=form.type.data,
                level=form.level.data, link_url=form.link_url.data or "",
                topics=form.topics.data or "", coauthor_ids=form.coauthor_ids.data or [],
                files=request.files.getlist("files"),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            return _saved(material, _("Изменения сохранены."))
    return _form_response(form, material, 422 if form.is_submitted() else 200)


def _file_or_404(file_id: int) -> MaterialFile:
    mfile = db.session.get(MaterialFile, file_id)
    if mfile is None:
        abort(404)
    _material_or_404(mfile.material_id)
    return mfile


@bp.route("/files/<int:file_id>/version", methods=["GET", "POST"])
@limit_uploads
def new_version(file_id: int):
    mfile = _file_or_404(file_id)
    material = mfile.material
    require(services.can_edit(current_user, material, g.community))
    form = VersionForm()
    if form.validate_on_submit():
        try:
            services.upload_version(mfile, current_user, request.files.get("file"))
        except DomainError as error:
            apply_domain_error(form, error)
            if error.field == "file" or not error.field:
                form.file.errors = [*form.file.errors, *form.form_errors]
                form.form_errors.clear()
        else:
            db.session.commit()
            return _saved(material, _("Новая версия загружена; прежние остаются в списке."))
    return render_template(
        "materials/version.html", community=g.community, material=material, mfile=mfile,
        form=form,
    ), 422 if form.is_submitted() else 200


@bp.get("/files/<int:file_id>/v/<int:version_id>")
def download(file_id: int, version_id: int):
    mfile = _file_or_404(file_id)
    version = db.session.get(MaterialFileVersion, version_id)
    if version is None or version.file_id != mfile.id:
        abort(404)
    services.count_download(mfile.material)
    db.session.commit()
    return send_stored(version.stored)


@bp.post("/<int:material_id>/publish")
def publish(material_id: int):
    material = _material_or_404(material_id)
    require(services.is_bank_manager(current_user, g.community))
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.publish(material, current_user)
    db.session.commit()
    flash(_("Материал опубликован."), "success")
    return redirect(url_for(".material", material_id=material.id), 303)


@bp.post("/<int:material_id>/<any(best,unmark):action>")
def best(material_id: int, action: str):
    material = _material_or_404(material_id)
    require(services.is_bank_manager(current_user, g.community))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.set_best_practice(material, current_user, action == "best")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".material", material_id=material.id), 303)
    db.session.commit()
    flash(_("Материал отмечен как лучшая практика.") if material.is_best_practice
          else _("Отметка «лучшая практика» снята."), "success")
    return redirect(url_for(".material", material_id=material.id), 303)


# --- across communities ----------------------------------------------------------------


@bank_bp.before_request
@login_required
def logged_in():
    pass


def _my_communities() -> list[Community]:
    ids = list(memberships_of(current_user))
    if not ids:
        return []
    return list(db.session.scalars(
        select(Community).where(Community.id.in_(ids)).order_by(Community.name)))


@bank_bp.get("/")
def all_materials():
    """The bank of all the member's communities, with a community filter."""
    communities = _my_communities()
    form = FilterForm(request.args)
    form.community.choices = choices([("", _("Все мои сообщества")),
                                      *((str(c.id), c.name) for c in communities)])
    form.author.choices = choices([("", _("Все авторы"))])
    form.validate()
    ids = [c.id for c in communities]
    chosen = form.community.data or ""
    if chosen.isdigit() and int(chosen) in ids:
        ids = [int(chosen)]
    page = _list(ids, form) if ids else Page(items=[], number=1, has_next=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    by_id = {c.id: c for c in communities}
    return htmx.render(
        "materials/_rows.html", "materials/bank.html",
        form=form, page=page, args=args, endpoint="bank.all_materials",
        communities=by_id, rows_html=material_rows.render_rows(page.items, by_id),
        filters_html=material_rows.filters_html(form, "bank.all_materials"),
    )


@bank_bp.get("/mine")
def mine():
    """«Мои материалы»: what I wrote or co-wrote, in every community, with its status."""
    from app.materials.models import MaterialAuthor

    rows = db.session.scalars(
        select(Material)
        .options(lazyload(Material.files), selectinload(Material.topics))
        .where((Material.author_id == current_user.id) | Material.id.in_(
            select(MaterialAuthor.material_id).where(MaterialAuthor.user_id == current_user.id)))
        .order_by(Material.created_at.desc())
    ).unique().all()
    communities = {c.id: c for c in db.session.scalars(
        select(Community).where(Community.id.in_({m.community_id for m in rows})))}
    return render_template("materials/mine.html", materials=rows, communities=communities)

