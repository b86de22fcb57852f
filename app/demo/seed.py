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
# Members come from other schools than the leaders (so a contest jury has no conflict of
# interest with them).
OTHER_SCHOOLS = {
    "member": "МБОУ «Гимназия № 3»",
    "member2": "МАОУ «Лицей № 4»",
    "applicant": "МБОУ «СОШ № 21»",
}

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
            school = OTHER_SCHOOLS.get(key)
            people[key] = _user(email, names[index], position,
                                f"{school} ({municipality})" if school else organisation,
                                municipality)
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
        _forum_and_chat(community, people)
        _governance(community, people)
        if index == 0:
            first_people = people
    db.session.flush()
    from app.demo import mail

    mail.seed(first_people)
    from app.demo import privacy

    privacy.seed(first_people)
    return accounts


GOVERNANCE_PARTS = ("plans", "meetings", "reports", "elections", "groups", "consultations")


def _governance(community: Community, people: dict[str, User]) -> None:
    """The work plan, meetings with minutes, reports, elections, working groups,
    consultations and mentoring: each part seeds itself (app/demo/governance_<part>.py) and
    skips a community it has already seeded."""
    from importlib import import_module

    for part in GOVERNANCE_PARTS:
        import_module(f"app.demo.governance_{part}").seed(community, people)
    db.session.flush()


def _forum_and_chat(community: Community, people: dict[str, User]) -> None:
    """A few sections, topics, replies and chat messages, once per community."""
    from app.chat import services as chat
    from app.forum import services as forum
    from app.forum.models import Section

    if db.session.scalar(select(Section.id).where(Section.community_id == community.id)):
        return
    coordinator, chair, member = people["coordinator"], people["chair"], people["member"]
    news = forum.create_section(
        community, coordinator, title="Объявления",
        description="Оперативная информация для участников сообщества",
        is_announcements=True,
    )
    management = forum.create_section(
        community, coordinator, title="Управление образовательной организацией",
        description="Профессиональные вопросы руководителей", is_announcements=False,
    )
    lounge = forum.create_section(
        community, coordinator, title="Неформальное общение",
        description="Обмен впечатлениями, поздравления, вопросы коллегам",
        is_announcements=False,
    )
    forum.create_topic(
        news, chair, title="План работы на учебный год: обсуждение проекта",
        body="Коллеги, проект плана работы сообщества на учебный год размещён для обсуждения. "
        "Предложения принимаются до **15 сентября**.\n\nПросим учесть темы, которые вы "
        "хотели бы вынести на заседания.",
    )
    topic = forum.create_topic(
        management, member, title="Как организовать наставничество для молодых учителей?",
        body="В этом году к нам пришли пять молодых специалистов. Поделитесь, пожалуйста, "
        "опытом:\n\n1. как вы подбираете наставников;\n2. как часто проводите встречи;\n"
        "3. как фиксируете результаты.",
    )
    forum.reply(
        topic, coordinator,
        f"@[{member.full_name}], у нас хорошо работают пары «наставник — молодой учитель» "
        "на год с ежемесячной встречей и коротким отчётом в конце четверти.",
    )
    forum.reply(
        topic, chair,
        "> как фиксируете результаты\n\nВедём общий дневник наставничества: цели, "
        "посещённые уроки, выводы. В конце года — открытый урок молодого учителя.",
    )
    forum.create_topic(
        lounge, people["council1"], title="Поздравляем коллег с Днём учителя!",
        body="Дорогие коллеги, с профессиональным праздником! Спасибо за ваш труд.",
    )
    for author, text in (
        (member, "Добрый день! Кто будет на вебинаре по функциональной грамотности?"),
        (people["member2"], "Я буду, ссылку прислали на почту."),
        (coordinator, "Запись вебинара выложим в методический банк."),
    ):
        chat.send(community, author, text)
    _moderation(community, people, lounge)
    _materials(community, people)
    _events(community, people)


def _moderation(community: Community, people: dict[str, User], section) -> None:
    """A complaint waiting in the queue and a watched word, so the coordinator has work."""
    from app.forum import services as forum
    from app.moderation import services as moderation

    moderation.add_word(community, people["coordinator"], "казино", "block")
    moderation.add_word(community, people["coordinator"], "реклама", "flag")
    topic = forum.create_topic(
        section, people["member2"], title="Курсы повышения квалификации за один день",
        body="Предлагаю курсы с удостоверением за один день, недорого. Пишите в личку!",
    )
    first = topic_first_post(topic)
    moderation.report(first, community, people["member"], "spam", "Похоже на рекламу")
    moderation.report(first, community, people["council1"], "spam", "")


def topic_first_post(topic):
    from app.forum.models import Post

    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


DEMO_MATERIALS = [
    {
        "title": "Методические рекомендации по формированию функциональной грамотности",
        "type": "methodical", "level": "basic",
        "topics": "функциональная грамотность, ФГОС",
        "description": "Рекомендации для заместителей директоров: как спланировать работу "
        "педагогического коллектива по формированию **функциональной грамотности**.",
        "file": ("Рекомендации по функциональной грамотности.txt",
                 "Методические рекомендации.\n\n1. Анализ результатов диагностики.\n"
                 "2. План методической работы.\n3. Открытые уроки и их обсуждение.\n"),
        "best": True,
    },
    {
        "title": "Конспект урока литературы «Образ учителя в русской прозе»",
        "type": "lesson_plan", "level": "secondary", "topics": "литература, уроки",
        "description": "Конспект урока для 10 класса с вопросами для обсуждения.",
        "file": ("Конспект урока литературы.txt",
                 "Тема урока: образ учителя в русской прозе.\nЦели урока.\nХод урока.\n"),
        "best": False,
    },
    {
        "title": "Вебинар: наставничество в школе",
        "type": "video", "level": "all", "topics": "наставничество",
        "description": "Запись вебинара о программе наставничества молодых педагогов.",
        "link": "https://example.org/webinar/nastavnichestvo",
        "best": False,
    },
]


def _materials(community: Community, people: dict[str, User]) -> None:
    """A few materials in the bank, one marked as a best practice, once per community."""
    import io

    from werkzeug.datastructures import FileStorage

    from app.materials import services as bank
    from app.materials.models import Material

    if db.session.scalar(select(Material.id).where(Material.community_id == community.id)):
        return
    authors = [people["chair"], people["member"], people["expert"]]
    for spec, author in zip(DEMO_MATERIALS, authors, strict=True):
        files = []
        if "file" in spec:
            name, text = spec["file"]
            files.append(FileStorage(io.BytesIO(text.encode("utf-8")), filename=name))
        material = bank.create_material(
            community, author, title=spec["title"], description=spec["description"],
            type=spec["type"], level=spec["level"], link_url=spec.get("link", ""),
            topics=spec["topics"], files=files,
            coauthor_ids=[people["member2"].id] if spec.get("best") else [],
        )
        if spec["best"]:
            bank.set_best_practice(material, people["coordinator"], True)


def _events(community: Community, people: dict[str, User]) -> None:
    """Upcoming, full (with a waiting list), past (attendance marked, so a certificate is
    ready), draft and cancelled events, and a contest, once per community."""
    from datetime import timedelta

    from app.events import services as events
    from app.events.models import Event
    from app.mixins import utcnow

    if db.session.scalar(select(Event.id).where(Event.community_id == community.id)):
        return
    coordinator, chair = people["coordinator"], people["chair"]
    day = utcnow().replace(hour=7, minute=0, second=0, microsecond=0)  # 10:00 in Moscow

    def make(actor, publish=True, **fields):
        event = events.create_event(community, actor, events.EventFields(**fields))
        if publish:
            events.publish(event, actor)
        return event

    seminar = make(
        coordinator, title="Семинар «Функциональная грамотность на уроках»", type="seminar",
        format="offline", place="Актовый зал, 2 этаж", starts_at=day + timedelta(days=5),
        ends_at=day + timedelta(days=5, hours=3), capacity=3, hours=3,
        description="Разбираем задания PISA и **банк заданий** ФИПИ.\n\n"
                    "- открытый урок\n- мастерская\n- рефлексия",
        organiser_ids=(coordinator.id, people["council1"].id),
    )
    for key in ("member", "member2", "council1", "council2"):
        events.sign_up(seminar, community, people[key])  # the fourth waits
    make(coordinator, title="Вебинар «Наставничество молодых педагогов»", type="webinar",
         format="online", online_url="https://vk.com/video_demo_webinar",
         starts_at=day + timedelta(days=12), ends_at=day + timedelta(days=12, hours=1, minutes=30),
         hours=2, description="Как выстроить работу пары «наставник — молодой специалист».")
    past = make(chair, title="Мастер-класс «Проектная деятельность в 5–9 классах»",
                type="master_class", format="mixed", place="Кабинет 204",
                online_url="https://vk.com/video_demo_masterclass",
                starts_at=day - timedelta(days=14), ends_at=day - timedelta(days=14, hours=-4),
                hours=4, description="Проекты от замысла до защиты.")
    for key, came in (("member", True), ("member2", True), ("council2", False)):
        registration = events.sign_up(past, community, people[key], added_by=chair)
        events.mark_attendance(registration, past, chair, came)
    events.finish_event(past, chair)
    make(coordinator, publish=False, title="Круглый стол «Оценка качества образования»",
         type="round_table", format="offline", place="Конференц-зал",
         starts_at=day + timedelta(days=30), ends_at=day + timedelta(days=30, hours=2))
    cancelled = make(coordinator, title="Конференция «Цифровая школа»", type="conference",
                     format="offline", place="Большой зал", starts_at=day + timedelta(days=20),
                     ends_at=day + timedelta(days=20, hours=6))
    events.cancel_event(cancelled, community, coordinator,
                        "Перенос на весну по решению Совета.")
    _contests(community, people, day, make)


def _contests(community: Community, people: dict[str, User], day, make) -> None:
    """A contest taking entries (the expert has scored one) and a past one with published
    results, so that the winner's diploma and the prize-winner's are ready to download."""
    import io
    from datetime import timedelta

    from werkzeug.datastructures import FileStorage

    from app.events import contests

    coordinator, expert = people["coordinator"], people["expert"]
    criteria = (("Актуальность и новизна", 10), ("Методическая ценность", 10),
                ("Оформление", 5))

    def entry(contest, key, title, now=None):
        text = f"{title}\n\nЦель, задачи, ход урока, рефлексия.\n"
        return contests.submit_entry(
            contest, community, people[key], title=title, now=now,
            description="Разработка урока с **заданиями на функциональную грамотность**.",
            files=[FileStorage(io.BytesIO(text.encode("utf-8")), filename=f"{title}.txt")])

    def prepare(contest):
        made = [contests.add_criterion(contest, community, coordinator, name, top)
                for name, top in criteria]
        contests.appoint_juror(contest, community, coordinator, expert.id)
        return made

    open_contest = make(
        coordinator, title="Конкурс методических разработок «Урок года»", type="contest",
        format="online", online_url="https://vk.com/demo_urok_goda",
        starts_at=day - timedelta(days=3), ends_at=day + timedelta(days=25),
        entries_deadline=day + timedelta(days=10), hours=6,
        description="Принимаются разработки уроков с заданиями на функциональную "
                    "грамотность. Жюри — эксперты сообщества.")
    made = prepare(open_contest)
    first = entry(open_contest, "member", "Урок-исследование «Вода вокруг нас»")
    entry(open_contest, "member2", "Бинарный урок математики и физики")
    contests.score_entry(first, open_contest, expert, {c.id: c.max_score - 2 for c in made})

    past = make(
        coordinator, title="Конкурс проектов «Школа — территория роста»", type="contest",
        format="offline", place="Дом учителя", starts_at=day - timedelta(days=45),
        ends_at=day - timedelta(days=10), entries_deadline=day - timedelta(days=20), hours=8,
        description="Итоги подведены, дипломы доступны победителям и призёрам.")
    made = prepare(past)
    when = day - timedelta(days=30)
    winner = entry(past, "member", "Проект «Школьный технопарк»", now=when)
    prize = entry(past, "member2", "Проект «Театр в школе»", now=when)
    contests.score_entry(winner, past, expert, {c.id: c.max_score for c in made}, now=when)
    contests.score_entry(prize, past, expert, {c.id: c.max_score - 3 for c in made}, now=when)
    contests.set_place(winner, past, community, coordinator, "winner")
    contests.set_place(prize, past, community, coordinator, "prize")
    contests.publish_results(past, community, coordinator)
