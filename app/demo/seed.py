"""Demo data: the four communities of the founding documents (DOMAIN.md), with people in
every role. Idempotent: existing users and communities are reused, not duplicated."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import User
from app.communities import services
from app.communities.models import (
    Community,
    CommunityKind,
    CommunityLevel,
    ConsentKind,
    JoinPolicy,
    Role,
)
from app.extensions import db

DEMO_PASSWORD = "demo12345"
CHARTERS = Path(__file__).parent / "charters"

COMMUNITIES = [
    {
        "slug": "krasnodar-leaders",
        "name": "Региональное профессиональное сообщество руководящих работников "
        "Краснодарского края",
        "description": "Объединение руководителей общеобразовательных организаций одного уровня "
        "образования: обмен опытом управления, методическая поддержка, лучшие практики.",
        "charter_file": "krasnodar.txt",
        "kind": CommunityKind.REGIONAL_LEADERS,
        "level": CommunityLevel.REGIONAL,
        "join_policy": JoinPolicy.MODERATED,
        "municipality": "",
        "min_meetings_per_year": 2,
        "plan_due": (9, 15),
        "report_due": (6, 30),
        "short": "krasnodar",
        "place": ("Краснодар", "МБОУ СОШ № 12 г. Краснодара"),
    },
    {
        "slug": "tula-shnor",
        "name": "Межшкольное профессиональное объединение руководителей школ с низкими "
        "образовательными результатами (Тульская область)",
        "description": "Руководители и заместители руководителей ШНОР и школ — сетевых партнёров: "
        "управленческие компетенции, наставничество, обмен лучшими практиками.",
        "charter_file": "tula.txt",
        "kind": CommunityKind.INTERSCHOOL,
        "level": CommunityLevel.REGIONAL,
        "join_policy": JoinPolicy.MODERATED,
        "municipality": "",
        "min_meetings_per_year": 4,
        "plan_due": (9, 15),
        "report_due": (7, 15),
        "short": "tula",
        "place": ("Тула", "МБОУ «Центр образования № 7»"),
    },
    {
        "slug": "yaroslavl-tochka-rosta",
        "name": "Профессиональное сообщество педагогов и руководителей центров «Точка роста» "
        "Ярославской области",
        "description": "Педагоги и руководители центров образования естественно-научной и "
        "технологической направленностей «Точка роста»: мастер-классы, проекты, методики.",
        "charter_file": "yaroslavl.txt",
        "kind": CommunityKind.TOCHKA_ROSTA,
        "level": CommunityLevel.REGIONAL,
        "join_policy": JoinPolicy.OPEN,
        "municipality": "",
        "min_meetings_per_year": 2,
        "plan_due": (9, 15),
        "report_due": (6, 15),
        "short": "yaroslavl",
        "place": ("Ярославль", "МОУ «Средняя школа № 33»"),
    },
    {
        "slug": "rybnoe-pedagogi",
        "name": "Муниципальное профессиональное педагогическое сообщество Рыбновского района",
        "description": "Руководители образовательных организаций, методических объединений и "
        "педагоги Рыбновского района Рязанской области.",
        "charter_file": "rybnoe.txt",
        "kind": CommunityKind.MUNICIPAL,
        "level": CommunityLevel.MUNICIPAL,
        "join_policy": JoinPolicy.MODERATED,
        "municipality": "Рыбновский район",
        "min_meetings_per_year": 2,
        "plan_due": (9, 15),
        "report_due": (9, 1),
        "short": "rybnoe",
        "place": ("Рыбновский район", "МБОУ «Рыбновская СОШ № 1»"),
    },
]

# (role key, position, full names per community index)
PEOPLE = {
    "coordinator": (
        "Координатор", "Методист",
        ["Ковалёва Ирина Сергеевна", "Лаптева Ольга Николаевна",
         "Смирнова Елена Викторовна", "Данилова Марина Петровна"],
    ),
    "chair": (
        "Председатель", "Директор",
        ["Петренко Андрей Викторович", "Гусев Сергей Александрович",
         "Воронина Татьяна Ивановна", "Морозов Николай Дмитриевич"],
    ),
    "council1": (
        "Член Совета", "Заместитель директора",
        ["Шевченко Наталья Юрьевна", "Королёва Анна Михайловна",
         "Белова Светлана Олеговна", "Крылова Людмила Васильевна"],
    ),
    "council2": (
        "Член Совета", "Директор",
        ["Ткаченко Виктор Павлович", "Фролов Игорь Евгеньевич",
         "Орлов Павел Сергеевич", "Зайцева Галина Алексеевна"],
    ),
    "expert": (
        "Эксперт", "Учитель высшей категории",
        ["Лысенко Оксана Анатольевна", "Медведева Юлия Игоревна",
         "Никитина Ксения Андреевна", "Соколова Вера Геннадьевна"],
    ),
    "member": (
        "Участник", "Учитель",
        ["Бондаренко Алексей Иванович", "Егорова Дарья Сергеевна",
         "Кузнецов Максим Олегович", "Павлова Евгения Романовна"],
    ),
    "member2": (
        "Участник", "Заместитель директора по УВР",
        ["Мельник Оксана Владимировна", "Тихонов Роман Ильич",
         "Савельева Алёна Викторовна", "Власова Инна Борисовна"],
    ),
    "applicant": (
        "Заявитель (ждёт решения)", "Учитель",
        ["Руденко Кирилл Андреевич", "Сорокина Полина Дмитриевна",
         "Яковлев Артём Сергеевич", "Гришина Алла Николаевна"],
    ),
}


def _user(email: str, full_name: str, position: str, organisation: str, municipality: str) -> User:
    user = db.session.scalar(User.by_email(email))
    if user is None:
        user = auth_services.register(
            email=email, password=DEMO_PASSWORD, full_name=full_name, position=position,
            organisation=organisation, municipality=municipality,
        )
    return user


def _community(admin: User, spec: dict) -> Community:
    community = db.session.scalar(select(Community).where(Community.slug == spec["slug"]))
    if community is not None:
        return community
    return services.create_community(
        admin,
        slug=spec["slug"],
        name=spec["name"],
        description=spec["description"],
        charter=(CHARTERS / spec["charter_file"]).read_text(encoding="utf-8").strip(),
        kind=spec["kind"],
        level=spec["level"],
        join_policy=spec["join_policy"],
        municipality=spec["municipality"],
        timezone="Europe/Moscow",
        min_meetings_per_year=spec["min_meetings_per_year"],
        plan_due_month=spec["plan_due"][0],
        plan_due_day=spec["plan_due"][1],
        report_due_month=spec["report_due"][0],
        report_due_day=spec["report_due"][1],
    )


def _join(community: Community, user: User, message: str = ""):
    if services.active_membership(user, community) or services.pending_request(user, community):
        return None
    charter = services.current_document(ConsentKind.CHARTER, community)
    pd = services.current_document(ConsentKind.PERSONAL_DATA)
    return services.request_to_join(
        community, user, message=message, charter_version=charter.version,
        pd_version=pd.version, charter_consent=True, pd_consent=True,
    )


def seed() -> list[tuple[str, str, str]]:
    accounts: list[tuple[str, str, str]] = []
    admin = _user(
        "admin@demo.ru", "Администратор Площадки", "Администратор площадки",
        "Институт развития образования", "",
    )
    admin.is_admin = True
    accounts.append(("Администратор площадки", admin.email, DEMO_PASSWORD))

    for index, spec in enumerate(COMMUNITIES):
        community = _community(admin, spec)
        municipality, organisation = spec["place"]
        people: dict[str, User] = {}
        for key, (label, position, names) in PEOPLE.items():
            email = f"{key}.{spec['short']}@demo.ru"
            people[key] = _user(email, names[index], position, organisation, municipality)
            accounts.append((f"{label}: {spec['short']}", email, DEMO_PASSWORD))

        positions = {
            "coordinator": (Role.COORDINATOR, False, False),
            "chair": (Role.CHAIR, True, False),
            "council1": (Role.MEMBER, True, False),
            "council2": (Role.MEMBER, True, False),
            "expert": (Role.MEMBER, False, True),
        }
        for key, (role, council, expert) in positions.items():
            if services.active_membership(people[key], community) is None:
                services.appoint(
                    community, people[key], admin, role=role, is_council=council,
                    is_expert=expert,
                )
        for key in ("member", "member2"):
            join_request = _join(community, people[key], "Хочу участвовать в работе сообщества.")
            if join_request is not None and join_request.is_pending:
                services.admit(join_request, people["coordinator"])
        _join(
            community, people["applicant"],
            "Прошу принять меня в сообщество: хочу делиться опытом и учиться у коллег.",
        )
    db.session.flush()
    return accounts
