"""Expert review of materials («экспертиза»): criteria, assigning experts, scoring, and who
sees the results."""

from __future__ import annotations

import shutil

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.materials import reviews, services
from app.materials.models import ExpertReview, Material, ReviewCriterion, ReviewScore
from app.notifications.models import Notification
from tests.factories import make_membership, make_user
from tests.helpers import text


def url(community, path=""):
    return f"/c/{community.slug}/materials{path}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def notes_for(user) -> list[str]:
    """What the reviews told the user (appointments to roles send notes of their own)."""
    return list(db.session.scalars(
        select(Notification.text)
        .where(Notification.user_id == user.id, Notification.kind == "moderation")
        .order_by(Notification.id)
    ))


@pytest.fixture
def make_material(people, community):
    def make(author=None, coauthors=()):
        with current_app.test_request_context("/"):
            material = services.create_material(
                community, author or people["member"], title="Урок функциональной грамотности",
                description="Разработка урока.", type="lesson_plan", level="basic",
                link_url="https://example.org/x", coauthor_ids=[u.id for u in coauthors],
            )
            db.session.commit()
        return material

    return make


@pytest.fixture
def material(make_material):
    return make_material()


@pytest.fixture
def criteria(people, community):
    with current_app.test_request_context("/"):
        rows = [
            reviews.add_criterion(community, people["coordinator"], "Актуальность", 5),
            reviews.add_criterion(community, people["coordinator"], "Практическая значимость",
                                  10),
        ]
        db.session.commit()
    return rows


@pytest.fixture
def assigned(people, material, criteria):
    """The material entrusted to the community's expert."""
    with current_app.test_request_context("/"):
        (review,) = reviews.assign_experts(material, people["coordinator"],
                                           [people["expert"].id])
        db.session.commit()
    return review


def another_expert(community, name="Второй Эксперт"):
    user = make_user(full_name=name)
    make_membership(user, community, is_expert=True)
    return user


def score_data(criteria, values, conclusion="Материал **полезен** для практики."):
    data = {f"score_{c.id}": str(v) for c, v in zip(criteria, values, strict=True)}
    data["conclusion"] = conclusion
    return data


def submit(client_as, community, review, criteria, values=(4, 8), **kw):
    return client_as("expert").post(
        url(community, f"/{review.material_id}/reviews/{review.id}"),
        data=score_data(criteria, values, **kw),
    )


# --- who may open what ---------------------------------------------------------------

ROLES = ("anonymous", "outsider", "member", "other_coordinator", "coordinator", "chair", "admin")


# fmt: off
@pytest.mark.parametrize(("method", "path", "expected"), [
    #                                              anon outs memb other coor chair admin
    ("GET",  "/criteria",                         (302, 403, 403, 403, 200, 403, 200)),
    ("POST", "/criteria",                         (302, 403, 403, 403, 422, 403, 422)),
    ("POST", "/{material}/reviews/assign",        (302, 403, 403, 403, 422, 403, 422)),
    ("GET",  "/{material}/reviews/{review}",      (302, 403, 403, 403, 403, 403, 403)),
    ("POST", "/{material}/reviews/{review}",      (302, 403, 403, 403, 403, 403, 403)),
])
# fmt: on
def test_access(client_as, community, assigned, method, path, expected):
    """Posted with empty data: the coordinator and the administrator get the form back."""
    path = url(community, path.format(material=assigned.material_id, review=assigned.id))
    actual = tuple(client_as(role).open(path, method=method, data={}).status_code
                   for role in ROLES)
    assert actual == expected


# --- criteria --------------------------------------------------------------------------


def test_coordinator_adds_and_retires_criteria(client_as, community):
    client = client_as("coordinator")
    page = client.get(url(community, "/criteria"))
    assert page.status_code == 200
    assert "Критерии ещё не заданы" in text(page)
    response = client.post(url(community, "/criteria"),
                           data={"criterion-name": "  Актуальность  ",
                                 "criterion-max_score": "5"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(community, "/criteria"))
    criterion = db.session.scalar(select(ReviewCriterion))
    assert (criterion.name, criterion.max_score, criterion.is_active) == ("Актуальность", 5,
                                                                           True)
    assert "Актуальность" in text(client.get(url(community, "/criteria")))

    response = client.post(url(community, "/criteria"),
                           data={"retire-criterion_id": str(criterion.id)})
    assert response.status_code == 303
    assert db.session.get(ReviewCriterion, criterion.id).is_active is False
    assert "Критерии ещё не заданы" in text(client.get(url(community, "/criteria")))


@pytest.mark.parametrize("role", ["member", "chair", "council", "expert", "outsider",
                                  "other_coordinator"])
def test_only_the_coordinator_manages_criteria(client_as, community, criteria, role):
    client = client_as(role)
    assert client.get(url(community, "/criteria")).status_code == 403
    response = client.post(url(community, "/criteria"),
                           data={"criterion-name": "Новизна", "criterion-max_score": "5"})
    assert response.status_code == 403
    response = client.post(url(community, "/criteria"),
                           data={"retire-criterion_id": str(criteria[0].id)})
    assert response.status_code == 403
    assert count(ReviewCriterion) == 2
    assert db.session.get(ReviewCriterion, criteria[0].id).is_active


@pytest.mark.parametrize(("name", "max_score", "message"), [
    ("", "5", "Назовите критерий."),
    ("   ", "5", "Назовите критерий."),
    ("К" * 201, "5", "Не больше 200 символов."),
    ("Новизна", "0", "От 1 до 100."),
    ("Новизна", "101", "От 1 до 100."),
    ("Новизна", "", "Укажите максимальный балл."),
    ("Новизна", "пять", "Введите целое число."),
    ("актуальность", "5", "Такой критерий уже есть."),
])
def test_bad_criteria_are_refused(client_as, community, criteria, name, max_score, message):
    response = client_as("coordinator").post(
        url(community, "/criteria"),
        data={"criterion-name": name, "criterion-max_score": max_score},
    )
    assert response.status_code == 422
    assert message in text(response)
    assert count(ReviewCriterion) == 2


def test_criteria_of_another_community_cannot_be_retired(client_as, people, community):
    other = people["other_community"]
    with current_app.test_request_context("/"):
        foreign = reviews.add_criterion(other, people["other_coordinator"], "Чужой", 5)
        db.session.commit()
    response = client_as("coordinator").post(url(community, "/criteria"),
                                              data={"retire-criterion_id": str(foreign.id)})
    assert response.status_code == 404
    assert db.session.get(ReviewCriterion, foreign.id).is_active


# --- assignment ------------------------------------------------------------------------


def test_coordinator_assigns_an_expert(client_as, people, community, material, criteria):
    response = client_as("coordinator").post(url(community, f"/{material.id}/reviews/assign"),
                                             data={"expert_ids": [str(people["expert"].id)]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(community, f"/{material.id}#expertise"))
    review = db.session.scalar(select(ExpertReview))
    assert (review.material_id, review.expert_id) == (material.id, people["expert"].id)
    assert review.assigned_by_id == people["coordinator"].id
    assert review.submitted_at is None
    assert notes_for(people["expert"]) == [
        "Вам поручена экспертиза материала «Урок функциональной грамотности»."
    ]
    page = text(client_as("coordinator").get(url(community, f"/{material.id}")))
    assert "Экспертиза" in page and "Ждут заключения" in page
    assert "Экспертова Оксана" in page.split("Ждут заключения")[1]


def test_assigning_twice_changes_nothing(client_as, people, community, material, criteria):
    client = client_as("coordinator")
    for _ in range(2):
        response = client.post(url(community, f"/{material.id}/reviews/assign"),
                               data={"expert_ids": [str(people["expert"].id)]})
        assert response.status_code == 303
    assert count(ExpertReview) == 1
    assert len(notes_for(people["expert"])) == 1


def test_several_experts_at_once(client_as, people, community, material, criteria):
    second = another_expert(community)
    response = client_as("coordinator").post(
        url(community, f"/{material.id}/reviews/assign"),
        data={"expert_ids": [str(people["expert"].id), str(second.id)]},
    )
    assert response.status_code == 303
    assert set(db.session.scalars(select(ExpertReview.expert_id))) == {people["expert"].id,
                                                                       second.id}


def test_the_author_cannot_review_own_material(client_as, people, community, make_material,
                                               criteria):
    material = make_material(author=people["expert"])
    response = client_as("coordinator").post(url(community, f"/{material.id}/reviews/assign"),
                                             data={"expert_ids": [str(people["expert"].id)]})
    assert response.status_code == 422
    assert "Эксперт не может оценивать собственный материал" in text(response)
    assert count(ExpertReview) == 0
    assert notes_for(people["expert"]) == []


def test_a_coauthor_cannot_review_the_material(client_as, people, community, make_material,
                                               criteria):
    coauthor = another_expert(community, "Соавторова Елена")
    material = make_material(coauthors=[coauthor])
    response = client_as("coordinator").post(
        url(community, f"/{material.id}/reviews/assign"),
        data={"expert_ids": [str(people["expert"].id), str(coauthor.id)]},
    )
    assert response.status_code == 422
    assert "Эксперт не может оценивать собственный материал" in text(response)
    assert "Соавторова Елена" in text(response)
    assert count(ExpertReview) == 0  # all or nothing


@pytest.mark.parametrize("who", ["council", "member", "outsider", "other_coordinator"])
def test_only_experts_of_the_community_can_be_assigned(client_as, people, community, material,
                                                        criteria, who):
    response = client_as("coordinator").post(url(community, f"/{material.id}/reviews/assign"),
                                             data={"expert_ids": [str(people[who].id)]})
    assert response.status_code == 422
    assert "только участников сообщества, отмеченных как эксперты" in text(response)
    assert count(ExpertReview) == 0


def test_an_expert_of_another_community_cannot_be_assigned(client_as, people, community,
                                                           material, criteria):
    stranger = make_user()
    make_membership(stranger, people["other_community"], is_expert=True)
    response = client_as("coordinator").post(url(community, f"/{material.id}/reviews/assign"),
                                             data={"expert_ids": [str(stranger.id)]})
    assert response.status_code == 422
    assert count(ExpertReview) == 0


@pytest.mark.parametrize("data", [{}, {"expert_ids": ["abc"]}])
def test_assignment_needs_a_choice(client_as, community, material, criteria, data):
    response = client_as("coordinator").post(url(community, f"/{material.id}/reviews/assign"),
                                             data=data)
    assert response.status_code == 422
    assert "Выберите" in text(response)
    assert count(ExpertReview) == 0


def test_no_assignment_without_criteria(client_as, people, community, material):
    response = client_as("coordinator").post(url(community, f"/{material.id}/reviews/assign"),
                                             data={"expert_ids": [str(people["expert"].id)]})
    assert response.status_code == 422
    assert "Сначала задайте критерии экспертизы" in text(response)
    assert count(ExpertReview) == 0


def test_no_assignment_when_every_criterion_is_retired(people, community, material, criteria):
    with current_app.test_request_context("/"):
        for criterion in criteria:
            reviews.retire_criterion(criterion, people["coordinator"])
        with pytest.raises(reviews.DomainError, match="Сначала задайте критерии"):
            reviews.assign_experts(material, people["coordinator"], [people["expert"].id])


@pytest.mark.parametrize("role", ["member", "chair", "expert"])
def test_only_the_coordinator_assigns(client_as, people, community, material, criteria, role):
    response = client_as(role).post(url(community, f"/{material.id}/reviews/assign"),
                                    data={"expert_ids": [str(people["expert"].id)]})
    assert response.status_code == 403
    assert count(ExpertReview) == 0


def test_assign_form_offers_only_eligible_experts(client_as, people, community, make_material,
                                                  criteria):
    coauthor = another_expert(community, "Соавторова Елена")
    free = another_expert(community, "Свободный Эксперт")
    material = make_material(coauthors=[coauthor])
    form = text(client_as("coordinator").get(url(community, f"/{material.id}")))
    form = form.split('class="expertise-assign"')[1].split("</form>")[0]
    assert "Свободный Эксперт" in form and "Экспертова Оксана" in form
    assert "Соавторова Елена" not in form
    assert str(free.id) in form


# --- scoring ---------------------------------------------------------------------------


def test_the_expert_sees_the_form(client_as, community, assigned):
    response = client_as("expert").get(
        url(community, f"/{assigned.material_id}/reviews/{assigned.id}"))
    assert response.status_code == 200
    page = text(response)
    assert "Актуальность" in page and "Практическая значимость" in page
    assert "Отправить заключение" in page


@pytest.mark.parametrize("role", ["member", "coordinator", "chair", "council", "admin",
                                  "outsider", "other_coordinator"])
def test_only_the_assigned_expert_scores(client_as, community, assigned, criteria, role):
    client = client_as(role)
    path = url(community, f"/{assigned.material_id}/reviews/{assigned.id}")
    assert client.get(path).status_code == 403
    assert client.post(path, data=score_data(criteria, (4, 8))).status_code == 403
    assert db.session.get(ExpertReview, assigned.id).submitted_at is None
    assert count(ReviewScore) == 0


def test_another_expert_cannot_score(app, community, assigned, criteria):
    client = app.test_client(user=another_expert(community))
    path = url(community, f"/{assigned.material_id}/reviews/{assigned.id}")
    assert client.get(path).status_code == 403
    assert client.post(path, data=score_data(criteria, (4, 8))).status_code == 403
    assert count(ReviewScore) == 0


def test_review_of_another_material_is_not_found(client_as, community, make_material,
                                                 assigned):
    other = make_material()
    response = client_as("expert").get(url(community, f"/{other.id}/reviews/{assigned.id}"))
    assert response.status_code == 404


@pytest.mark.parametrize(("values", "conclusion", "message"), [
    ((6, 8), "Хорошо.", "Балл — от 0 до 5."),
    ((-1, 8), "Хорошо.", "Балл — от 0 до 5."),
    ((4, 11), "Хорошо.", "Балл — от 0 до 10."),
    ((4, ""), "Хорошо.", "Поставьте балл."),
    ((4, "восемь"), "Хорошо.", "Введите целое число."),
    ((4, 8), "   ", "Напишите заключение."),
    ((4, 8), "с" * 10_001, "Не больше 10000 символов."),
])
def test_bad_scores_save_nothing(client_as, people, community, assigned, criteria, values,
                                 conclusion, message):
    response = submit(client_as, community, assigned, criteria, values, conclusion=conclusion)
    assert response.status_code == 422
    assert message in text(response)
    assert 'class="field-error"' in text(response)
    review = db.session.get(ExpertReview, assigned.id)
    assert review.submitted_at is None and review.conclusion == ""
    assert count(ReviewScore) == 0
    assert notes_for(people["member"]) == []


def test_a_missing_score_is_refused(client_as, community, assigned, criteria):
    data = score_data(criteria, (4, 8))
    del data[f"score_{criteria[1].id}"]
    response = client_as("expert").post(
        url(community, f"/{assigned.material_id}/reviews/{assigned.id}"), data=data)
    assert response.status_code == 422
    assert "Поставьте балл." in text(response)
    assert count(ReviewScore) == 0


def test_a_refused_edit_shows_what_was_sent(client_as, community, assigned, criteria):
    submit(client_as, community, assigned, criteria, (4, 8))
    response = client_as("expert").post(
        url(community, f"/{assigned.material_id}/reviews/{assigned.id}"),
        data={f"score_{criteria[0].id}": "3", "conclusion": "Новое мнение."},
    )
    assert response.status_code == 422
    page = text(response)
    assert 'value="3"' in page and "Новое мнение." in page
    assert 'value="8"' not in page  # the left-out score is empty, not the saved one
    review = db.session.get(ExpertReview, assigned.id)
    assert review.total == 12 and "полезен" in review.conclusion


def test_submitting_saves_scores_and_notifies(client_as, people, community, assigned,
                                              criteria):
    response = submit(client_as, community, assigned, criteria, (4, 8),
                      conclusion="Материал **полезен**.<script>alert(1)</script>")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        url(community, f"/{assigned.material_id}#expertise"))
    review = db.session.get(ExpertReview, assigned.id)
    assert review.submitted_at is not None
    assert {s.criterion_id: s.score for s in review.scores} == {criteria[0].id: 4,
                                                                criteria[1].id: 8}
    assert review.total == 12
    assert "<strong>полезен</strong>" in review.conclusion_html
    assert "<script" not in review.conclusion_html
    expected = "Готово заключение эксперта по материалу «Урок функциональной грамотности»."
    assert notes_for(people["member"]) == [expected]
    assert notes_for(people["coordinator"]) == [expected]
    assert len(notes_for(people["expert"])) == 1  # only the assignment


def test_coauthors_are_notified_too(client_as, people, community, make_material, criteria):
    material = make_material(coauthors=[people["council"]])
    with current_app.test_request_context("/"):
        (review,) = reviews.assign_experts(material, people["coordinator"],
                                           [people["expert"].id])
        db.session.commit()
    assert submit(client_as, community, review, criteria).status_code == 303
    assert len(notes_for(people["council"])) == 1


def test_the_expert_can_edit_the_conclusion(client_as, people, community, assigned, criteria):
    submit(client_as, community, assigned, criteria, (4, 8))
    first = db.session.get(ExpertReview, assigned.id).submitted_at
    page = client_as("expert").get(url(community, f"/{assigned.material_id}/reviews/"
                                                  f"{assigned.id}"))
    assert 'value="4"' in text(page) and "полезен" in text(page)
    response = submit(client_as, community, assigned, criteria, (5, 10), conclusion="Отлично.")
    assert response.status_code == 303
    review = db.session.get(ExpertReview, assigned.id)
    assert review.total == 15 and review.conclusion == "Отлично."
    assert review.submitted_at >= first
    assert count(ReviewScore) == 2
    assert notes_for(people["member"])[-1].startswith("Эксперт обновил заключение")


def test_resubmitting_drops_scores_of_retired_criteria(client_as, people, community, assigned,
                                                       criteria):
    submit(client_as, community, assigned, criteria, (4, 8))
    with current_app.test_request_context("/"):
        reviews.retire_criterion(criteria[0], people["coordinator"])
        db.session.commit()
    response = submit(client_as, community, assigned, criteria[1:], (9,))
    assert response.status_code == 303
    review = db.session.get(ExpertReview, assigned.id)
    assert {s.criterion_id: s.score for s in review.scores} == {criteria[1].id: 9}


def test_an_expert_who_became_coauthor_cannot_submit(people, community, assigned, criteria):
    from app.materials.models import MaterialAuthor

    db.session.add(MaterialAuthor(material_id=assigned.material_id,
                                  user_id=people["expert"].id))
    db.session.commit()
    db.session.expire(db.session.get(Material, assigned.material_id))
    with current_app.test_request_context("/"):
        with pytest.raises(reviews.DomainError, match="собственный материал"):
            reviews.submit_review(assigned, people["expert"],
                                  {c.id: 1 for c in criteria}, "Хорошо.")


# --- who sees what ---------------------------------------------------------------------


@pytest.fixture
def submitted(client_as, community, assigned, criteria):
    assert submit(client_as, community, assigned, criteria, (4, 8),
                  conclusion="Сильная сторона — *практичность*.").status_code == 303
    return assigned


@pytest.mark.parametrize("role", ["member", "coordinator", "admin"])
def test_author_and_coordinators_see_the_whole_review(client_as, community, submitted, role):
    page = text(client_as(role).get(url(community, f"/{submitted.material_id}")))
    section = page.split('id="expertise"')[1]
    assert "Экспертиза" in section
    assert "Заключение эксперта Экспертова Оксана" in section
    assert "Актуальность" in section and "4 из 5" in section
    assert "Практическая значимость" in section and "8 из 10" in section
    assert "12 из 15" in section
    assert "<em>практичность</em>" in section
    assert "Средний итог: 12 из 15 баллов" in section


def test_a_coauthor_sees_the_whole_review(client_as, people, community, make_material,
                                          criteria):
    material = make_material(coauthors=[people["council"]])
    with current_app.test_request_context("/"):
        (review,) = reviews.assign_experts(material, people["coordinator"],
                                           [people["expert"].id])
        db.session.commit()
    submit(client_as, community, review, criteria, conclusion="Для соавтора.")
    page = text(client_as("council").get(url(community, f"/{material.id}")))
    assert "Для соавтора." in page


def test_other_members_see_only_the_average(client_as, community, submitted):
    page = text(client_as("chair").get(url(community, f"/{submitted.material_id}")))
    section = page.split('id="expertise"')[1]
    assert "Материал прошёл экспертизу." in section
    assert "Средний итог: 12 из 15 баллов" in section
    assert "Экспертова Оксана" not in section
    assert "практичность" not in section


def test_average_over_several_reviews(client_as, app, people, community, material, criteria):
    second = another_expert(community)
    with current_app.test_request_context("/"):
        first, other = reviews.assign_experts(material, people["coordinator"],
                                              [people["expert"].id, second.id])
        db.session.commit()
    submit(client_as, community, first, criteria, (4, 8))
    app.test_client(user=second).post(url(community, f"/{material.id}/reviews/{other.id}"),
                                      data=score_data(criteria, (5, 8)))
    page = text(client_as("chair").get(url(community, f"/{material.id}")))
    assert "Средний итог: 12,5 из 15 баллов" in page
    assert "заключений экспертов: 2" in page


def test_before_submission(client_as, community, assigned):
    path = url(community, f"/{assigned.material_id}")
    assert 'id="expertise"' not in text(client_as("chair").get(path))
    assert "Материал на экспертизе" in text(client_as("member").get(path))
    expert_page = text(client_as("expert").get(path))
    assert "Вам поручена экспертиза этого материала." in expert_page
    assert f"/reviews/{assigned.id}" in expert_page


def test_a_second_expert_does_not_see_the_first_conclusion(app, people, community, material,
                                                           criteria, client_as):
    second = another_expert(community)
    with current_app.test_request_context("/"):
        first, _other = reviews.assign_experts(material, people["coordinator"],
                                               [people["expert"].id, second.id])
        db.session.commit()
    submit(client_as, community, first, criteria, conclusion="Секретное мнение.")
    page = text(app.test_client(user=second).get(url(community, f"/{material.id}")))
    assert "Секретное мнение." not in page
    assert "Заполнить экспертизу" in page


def test_retired_criteria_stay_in_submitted_reviews(client_as, people, community, submitted,
                                                    criteria):
    with current_app.test_request_context("/"):
        reviews.retire_criterion(criteria[0], people["coordinator"])
        db.session.commit()
    page = text(client_as("member").get(url(community, f"/{submitted.material_id}")))
    assert "Актуальность" in page and "критерий больше не применяется" in page
    assert "12 из 15" in page


# --- valid HTML ------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("java") is None, reason="Java not found: HTML not validated")
def test_review_pages_are_valid_html(app, client_as, people, community, submitted, criteria,
                                     tmp_path):
    from tests.test_html_valid import run_vnu

    material_id = submitted.material_id
    pending = another_expert(community)
    with current_app.test_request_context("/"):
        reviews.assign_experts(db.session.get(Material, material_id), people["coordinator"],
                               [pending.id])
        db.session.commit()
    review_path = url(community, f"/{material_id}/reviews/{submitted.id}")
    pages = {
        "coordinator-material": client_as("coordinator").get(url(community, f"/{material_id}")),
        "coordinator-refused": client_as("coordinator").post(
            url(community, f"/{material_id}/reviews/assign"),
            data={"expert_ids": [str(people["council"].id)]}),
        "author-material": client_as("member").get(url(community, f"/{material_id}")),
        "chair-material": client_as("chair").get(url(community, f"/{material_id}")),
        "expert-material": client_as("expert").get(url(community, f"/{material_id}")),
        "expert-form": client_as("expert").get(review_path),
        "expert-errors": client_as("expert").post(review_path, data={"conclusion": ""}),
        "criteria": client_as("coordinator").get(url(community, "/criteria")),
        "criteria-errors": client_as("coordinator").post(
            url(community, "/criteria"), data={"criterion-name": "", "criterion-max_score": "0"}),
    }
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 422), name
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.data)
        files.append(file)
    report = [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in run_vnu(files)]
    assert not report, "\n".join(report)
