"""Expert review of materials («экспертиза», 003 §3.1.5).

The coordinator sets the community's criteria (each scored from 0 to its maximum) and assigns
members marked as experts to a material; an assigned expert scores every active criterion and
writes a conclusion. The author, the co-authors and the coordinators see every submitted
review; other members see that the material passed the review, with the average total.

Services first (the actor passed explicitly, DomainError in Russian, flush, never commit),
then the forms, then the views, which join the materials blueprint."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange
from wtforms.widgets import CheckboxInput

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.communities.services import ensure_can_write
from app.errors import DomainError
from app.extensions import db
from app.forms import Form, apply_domain_error, choices
from app.materials.models import ExpertReview, Material, ReviewCriterion, ReviewScore
from app.materials.routes import _material_or_404, bp, render_material
from app.materials.services import is_bank_manager
from app.mixins import utcnow
from app.notifications.services import notify, notify_many
from app.permissions import require
from app.sanitize import render_markdown
from app.validators import NotBlank, length, required_input, strip

NAME_MAX = 200
MAX_SCORE_LIMIT = 100
CONCLUSION_MAX = 10_000
OWN_MATERIAL = "Эксперт не может оценивать собственный материал"


# --- who is who ------------------------------------------------------------------------


def author_ids(material: Material) -> set[int]:
    """The author and the co-authors: the people whose material it is."""
    ids = {c.user_id for c in material.coauthors}
    if material.author_id is not None:
        ids.add(material.author_id)
    return ids


def _community_of(material: Material) -> Community:
    return db.session.get(Community, material.community_id)


def _material_url(material: Material, community: Community) -> str:
    return url_for("materials.material", material_id=material.id,
                   community_slug=community.slug, _anchor="expertise")


def _review_url(review: ExpertReview, community: Community) -> str:
    return url_for("materials.edit_review", material_id=review.material_id,
                   review_id=review.id, community_slug=community.slug)


# --- criteria --------------------------------------------------------------------------


def criteria_of(community: Community, *, retired: bool = False) -> list[ReviewCriterion]:
    """The active criteria in their order; with retired=True the retired ones too (submitted
    reviews keep their scores on them)."""
    query = select(ReviewCriterion).where(ReviewCriterion.community_id == community.id)
    if not retired:
        query = query.where(ReviewCriterion.is_active)
    return list(db.session.scalars(
        query.order_by(ReviewCriterion.position, ReviewCriterion.id)))


def _require_manager(actor: User, community: Community, message: str) -> None:
    if not is_bank_manager(actor, community):
        raise DomainError(message)


def add_criterion(community: Community, actor: User, name: str,
                  max_score: int | None) -> ReviewCriterion:
    _require_manager(actor, community, "Критерии экспертизы задаёт координатор.")
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Назовите критерий.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"Не больше {NAME_MAX} символов.", field="name")
    if not isinstance(max_score, int) or not 1 <= max_score <= MAX_SCORE_LIMIT:
        raise DomainError(f"Максимальный балл — целое число от 1 до {MAX_SCORE_LIMIT}.",
                          field="max_score")
    active = criteria_of(community)
    if name.casefold() in {c.name.casefold() for c in active}:
        raise DomainError("Такой критерий уже есть.", field="name")
    position = db.session.scalar(
        select(func.max(ReviewCriterion.position))
        .where(ReviewCriterion.community_id == community.id)
    )
    criterion = ReviewCriterion(community_id=community.id, name=name, max_score=max_score,
                                position=(position or 0) + 1)
    db.session.add(criterion)
    db.session.flush()
    return criterion


def retire_criterion(criterion: ReviewCriterion, actor: User) -> ReviewCriterion:
    """Take a criterion out of new reviews; scores already given on it stay."""
    community = db.session.get(Community, criterion.community_id)
    _require_manager(actor, community, "Критерии экспертизы задаёт координатор.")
    criterion.is_active = False
    db.session.flush()
    return criterion


# --- assignment ------------------------------------------------------------------------


def experts_of(community: Community) -> list[User]:
    """Active members marked as experts, by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None),
               Membership.is_expert)
        .order_by(User.full_name, User.id)
    ))


def reviews_of(material: Material) -> list[ExpertReview]:
    return list(db.session.scalars(
        select(ExpertReview).where(ExpertReview.material_id == material.id)
        .order_by(ExpertReview.assigned_at, ExpertReview.id)
    ).unique())


def assign_experts(material: Material, actor: User,
                   expert_ids: Iterable[int]) -> list[ExpertReview]:
    """The coordinator entrusts the material to experts; returns the new assignments (one
    already assigned is skipped, so assigning twice changes nothing). All or nothing: one
    person who may not review it refuses the whole choice."""
    community = _community_of(material)
    _require_manager(actor, community, "Назначает экспертов координатор.")
    if not material.is_published or not material.is_public:
        raise DomainError("Экспертиза возможна только для опубликованного материала.")
    if not criteria_of(community):
        raise DomainError("Сначала задайте критерии экспертизы.")
    ids = list(dict.fromkeys(expert_ids))
    if not ids:
        raise DomainError("Выберите хотя бы одного эксперта.", field="expert_ids")
    experts = {u.id: u for u in experts_of(community) if u.id in ids}
    if set(ids) - set(experts):
        raise DomainError("Назначить можно только участников сообщества, отмеченных как "
                          "эксперты.", field="expert_ids")
    own = [experts[i].full_name for i in ids if i in author_ids(material)]
    if own:
        raise DomainError(f"{OWN_MATERIAL}: {', '.join(own)} — автор или соавтор.",
                          field="expert_ids")
    assigned = set(db.session.scalars(
        select(ExpertReview.expert_id).where(ExpertReview.material_id == material.id)))
    new = [ExpertReview(material_id=material.id, expert_id=i, assigned_by_id=actor.id)
           for i in ids if i not in assigned]
    db.session.add_all(new)
    db.session.flush()
    for review in new:
        notify(experts[review.expert_id], "moderation",
               f"Вам поручена экспертиза материала «{material.title}».",
               _review_url(review, community))
    return new


# --- scoring ---------------------------------------------------------------------------


def submit_review(review: ExpertReview, expert: User, scores: Mapping[int, int | None],
                  conclusion: str) -> ExpertReview:
    """The assigned expert scores every active criterion (0..its maximum) and writes the
    conclusion; submitting again replaces the scores. The author, the co-authors and the
    coordinator who assigned the review are told."""
    if review.expert_id != expert.id:
        raise DomainError("Заполнить экспертизу может только назначенный эксперт.")
    material = db.session.get(Material, review.material_id)
    community = _community_of(material)
    ensure_can_write(expert, community)
    if expert.id in author_ids(material):
        raise DomainError(f"{OWN_MATERIAL}.")
    criteria = criteria_of(community)
    if not criteria:
        raise DomainError("В сообществе нет критериев экспертизы.")
    for criterion in criteria:
        value = scores.get(criterion.id)
        name = f"score_{criterion.id}"
        if value is None:
            raise DomainError("Поставьте балл.", field=name)
        if not 0 <= value <= criterion.max_score:
            raise DomainError(f"Балл — от 0 до {criterion.max_score}.", field=name)
    conclusion = (conclusion or "").replace("\r\n", "\n").strip()
    if not conclusion:
        raise DomainError("Напишите заключение.", field="conclusion")
    if len(conclusion) > CONCLUSION_MAX:
        raise DomainError(f"Не больше {CONCLUSION_MAX} символов.", field="conclusion")

    existing = {s.criterion_id: s for s in review.scores}
    for criterion in criteria:
        row = existing.pop(criterion.id, None)
        if row is None:
            db.session.add(ReviewScore(review_id=review.id, criterion_id=criterion.id,
                                       score=scores[criterion.id]))
        else:
            row.score = scores[criterion.id]
    for stale in existing.values():  # a criterion retired since the last submission
        db.session.delete(stale)
    first = review.submitted_at is None
    review.conclusion = conclusion
    review.conclusion_html = render_markdown(conclusion)
    review.submitted_at = utcnow()
    db.session.flush()
    db.session.expire(review, ["scores"])

    recipients = author_ids(material)
    if review.assigned_by_id is not None:
        recipients.add(review.assigned_by_id)
    else:
        recipients.update(db.session.scalars(select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.role == Role.COORDINATOR)))
    recipients.discard(expert.id)
    text = (f"Готово заключение эксперта по материалу «{material.title}»." if first
            else f"Эксперт обновил заключение по материалу «{material.title}».")
    notify_many(sorted(recipients), "moderation", text, _material_url(material, community))
    return review


# --- what the material page shows ------------------------------------------------------


def _number(value: float) -> str:
    """12 → «12», 12.5 → «12,5»."""
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


@dataclass
class Summary:
    """The result for everyone: how many conclusions and the average total."""

    count: int
    average: str  # «12,5»
    out_of: str | None  # «15» when every review had the same maximum
    percent: int


@dataclass
class Expertise:
    """Everything _reviews.html needs, as the viewer may see it."""

    can_manage: bool = False
    is_author: bool = False
    criteria: list[ReviewCriterion] = field(default_factory=list)  # active
    by_id: dict[int, ReviewCriterion] = field(default_factory=dict)  # retired ones too
    submitted: list[ExpertReview] = field(default_factory=list)  # shown in full
    pending: list[ExpertReview] = field(default_factory=list)  # for the coordinator
    pending_count: int = 0
    own: ExpertReview | None = None  # the viewer's own assignment
    summary: Summary | None = None
    assign_form: AssignForm | None = None

    @property
    def visible(self) -> bool:
        return bool(self.can_manage or self.is_author or self.own or self.summary)

    def max_of(self, review: ExpertReview) -> int:
        return sum(self.by_id[s.criterion_id].max_score for s in review.scores
                   if s.criterion_id in self.by_id)

    def scores_of(self, review: ExpertReview) -> list[tuple[ReviewCriterion, int]]:
        rows = [(self.by_id[s.criterion_id], s.score) for s in review.scores
                if s.criterion_id in self.by_id]
        return sorted(rows, key=lambda row: (row[0].position, row[0].id))


def _summary(expertise: Expertise, done: list[ExpertReview]) -> Summary | None:
    if not done:
        return None
    totals = [r.total for r in done]
    maxima = [expertise.max_of(r) for r in done]
    percent = round(100 * sum(t / m for t, m in zip(totals, maxima, strict=True) if m)
                    / len(done))
    same = len(set(maxima)) == 1
    return Summary(count=len(done), average=_number(sum(totals) / len(done)),
                   out_of=str(maxima[0]) if same else None, percent=percent)


def context(material: Material, viewer: User, *,
            assign_form: AssignForm | None = None) -> dict:
    """The «Экспертиза» section of the material page, as `viewer` may see it."""
    community = _community_of(material)
    can_manage = is_bank_manager(viewer, community)
    expertise = Expertise(can_manage=can_manage, is_author=viewer.id in author_ids(material))
    reviews = reviews_of(material)
    if not reviews and not can_manage:
        return {"expertise": expertise}  # nothing to show: one query for most pages
    all_criteria = criteria_of(community, retired=True)
    expertise.by_id = {c.id: c for c in all_criteria}
    expertise.criteria = [c for c in all_criteria if c.is_active]
    done = [r for r in reviews if r.is_done]
    expertise.own = next((r for r in reviews if r.expert_id == viewer.id), None)
    expertise.pending_count = len(reviews) - len(done)
    expertise.summary = _summary(expertise, done)
    if can_manage or expertise.is_author:
        expertise.submitted = done
    if can_manage:
        expertise.pending = [r for r in reviews if not r.is_done]
        expertise.assign_form = assign_form or AssignForm(formdata=None)
        taken = author_ids(material) | {r.expert_id for r in reviews}
        expertise.assign_form.expert_ids.choices = choices(
            (str(u.id), u.full_name) for u in experts_of(community) if u.id not in taken
        )
    return {"expertise": expertise}


# --- forms -----------------------------------------------------------------------------


class CriterionForm(Form):
    name = StringField(_l("Критерий"), filters=[strip],
                       validators=[NotBlank(_l("Назовите критерий.")), length(max=NAME_MAX)])
    max_score = IntegerField(
        _l("Максимальный балл"), default=5,
        validators=[required_input(_l("Укажите максимальный балл.")),
                    NumberRange(min=1, max=MAX_SCORE_LIMIT,
                                message=_l("От 1 до %(n)d.", n=MAX_SCORE_LIMIT))],
    )


class RetireCriterionForm(Form):
    criterion_id = HiddenField()


class AssignForm(Form):
    # Values are checked by the service, with its Russian messages (not by coercion).
    expert_ids = SelectMultipleField(_l("Эксперты"), validate_choice=False,
                                     option_widget=CheckboxInput())


class ReviewForm(Form):
    """The conclusion; a score field per active criterion is added by review_form()."""

    conclusion = TextAreaField(
        _l("Заключение"), filters=[strip],
        validators=[NotBlank(_l("Напишите заключение.")), length(max=CONCLUSION_MAX)],
        description=_l("Сильные стороны, замечания и рекомендации автору. Можно использовать "
                       "Markdown: списки, ссылки, выделение."),
    )


def review_form(criteria: list[ReviewCriterion], review: ExpertReview) -> ReviewForm:
    """A ReviewForm with `score_<id>` fields for these criteria: what was sent on POST, the
    review's current scores and conclusion on GET."""
    fields = {
        f"score_{c.id}": IntegerField(
            c.name, description=_l("От 0 до %(n)d баллов.", n=c.max_score),
            validators=[required_input(_l("Поставьте балл.")),
                        NumberRange(min=0, max=c.max_score,
                                    message=_l("Балл — от 0 до %(n)d.", n=c.max_score))],
        )
        for c in criteria
    }
    form_class = type("CriteriaReviewForm", (ReviewForm,), fields)
    if request.method == "POST":  # a field left out stays empty, not the saved value
        return form_class()
    given = {s.criterion_id: s.score for s in review.scores}
    data = {f"score_{c.id}": given.get(c.id) for c in criteria}
    return form_class(data={**data, "conclusion": review.conclusion})


# --- views -----------------------------------------------------------------------------


@bp.route("/criteria", methods=["GET", "POST"])
def criteria():
    """The community's review criteria: the coordinator adds and retires them."""
    community = g.community
    require(is_bank_manager(current_user, community))
    form = CriterionForm(prefix="criterion")
    status = 200
    if request.method == "POST" and "retire-criterion_id" in request.form:
        retire = RetireCriterionForm(prefix="retire")
        if not retire.validate_on_submit():
            abort(400)
        value = retire.criterion_id.data or ""
        criterion = db.session.get(ReviewCriterion, int(value)) if value.isdigit() else None
        if criterion is None or criterion.community_id != community.id:
            abort(404)
        retire_criterion(criterion, current_user)
        db.session.commit()
        flash(_("Критерий «%(name)s» убран. Баллы по нему в прежних заключениях сохраняются.",
                name=criterion.name), "success")
        return redirect(url_for(".criteria"), 303)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                add_criterion(community, current_user, form.name.data, form.max_score.data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("Критерий добавлен."), "success")
                return redirect(url_for(".criteria"), 303)
        status = 422
    return render_template(
        "materials/criteria.html", community=community, form=form,
        criteria=criteria_of(community),
    ), status


@bp.post("/<int:material_id>/reviews/assign")
def assign(material_id: int):
    material = _material_or_404(material_id)
    require(is_bank_manager(current_user, g.community))
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raw = form.expert_ids.data or []
        if not all(v.isdigit() for v in raw):
            raise DomainError("Выберите экспертов из списка.", field="expert_ids")
        new = assign_experts(material, current_user, [int(v) for v in raw])
    except DomainError as error:
        apply_domain_error(form, error)
        return render_material(material, 422, assign_form=form)
    db.session.commit()
    if new:
        flash(_("Эксперты назначены: %(names)s. Им отправлено уведомление.",
                names=", ".join(r.expert.full_name for r in new)), "success")
    else:
        flash(_("Эти эксперты уже назначены."), "info")
    return redirect(url_for(".material", material_id=material.id, _anchor="expertise"), 303)


@bp.route("/<int:material_id>/reviews/<int:review_id>", methods=["GET", "POST"])
def edit_review(material_id: int, review_id: int):
    """The assigned expert's scores and conclusion; editable after submitting too."""
    material = _material_or_404(material_id)
    review = db.session.get(ExpertReview, review_id)
    if review is None or review.material_id != material.id:
        abort(404)
    require(review.expert_id == current_user.id)
    active = criteria_of(g.community)
    form = review_form(active, review)
    if form.validate_on_submit():
        scores = {c.id: form[f"score_{c.id}"].data for c in active}
        try:
            submit_review(review, current_user, scores, form.conclusion.data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Заключение отправлено. Автор и координатор получили уведомление."),
                  "success")
            return redirect(url_for(".material", material_id=material.id,
                                    _anchor="expertise"), 303)
    return render_template(
        "materials/review_form.html", community=g.community, material=material,
        review=review, form=form, rows=[(c, form[f"score_{c.id}"]) for c in active],
    ), 422 if form.is_submitted() else 200
