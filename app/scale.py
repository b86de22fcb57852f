"""`flask seed-scale`: a large database of realistic Russian-language data, for benchmarks.

    flask seed-scale --users 2000 --materials 100000 [--posts 50000] [--community SLUG]

Rows go in with SQLAlchemy Core bulk inserts (lists of dicts), BATCH rows at a time, one
transaction per batch, so that a stopped run leaves whole batches behind and every committed
batch is consistent (counters, search documents). What the services would compute for each
row is computed the same way here, only once per distinct value where it is costly:

- one password hash for every new user (the demo password, `app.demo.seed.DEMO_PASSWORD`);
- descriptions and post bodies come from a pool of generated texts, each rendered once with
  `render_markdown` / `markdown_to_text` (a render costs about a millisecond);
- search documents are written as `app.search.index_document` writes them: a
  `search_documents` row (kind, object id, community, clipped title and body) and, on SQLite,
  the FTS5 row with the same rowid and the `stem_text` of title and body. On PostgreSQL the GIN
  expression index covers the new rows by itself. A material's document is what
  `app.materials.services.reindex` builds (description as text, topics, author and co-authors);
  a post's and a topic's what `app.forum.services` builds.

Where the rows go: without --community, into the demo communities that exist (`flask
seed-demo`), else into a community it creates, «Масштабное сообщество»; with --community SLUG,
into that community, created with that name when it does not exist. New users become members
of the target communities, and materials and posts are written by members only.

Running it again adds more (new users get new addresses), so it is safe on a database that
already has demo data or an earlier run.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, bindparam, case, func, insert, select, update
from sqlalchemy import text as sql_text
from werkzeug.security import generate_password_hash

from app import search
from app.auth.models import User
from app.communities.models import (
    Community,
    CommunityKind,
    CommunityLevel,
    ConsentDocument,
    ConsentKind,
    JoinPolicy,
    Membership,
    Role,
)
from app.extensions import db
from app.forum.models import Post, Section, Topic, TopicWatch
from app.materials.models import (
    EducationLevel,
    Material,
    MaterialAuthor,
    MaterialStatus,
    MaterialTopic,
    MaterialType,
)
from app.mixins import utcnow
from app.sanitize import markdown_to_text, render_markdown

BATCH = 5000
SCALE_COMMUNITY_NAME = "Масштабное сообщество"
SCALE_COMMUNITY_SLUG = "masshtabnoe-soobshchestvo"
EMAIL_DOMAIN = "shkola.example"
# Distinct descriptions / post bodies rendered per run (each reused by many rows).
TEXT_POOL = 3000

# --- vocabulary ----------------------------------------------------------------------------

# (masculine, feminine)
SURNAMES = [
    ("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"), ("Васильев", "Васильева"), ("Петров", "Петрова"),
    ("Соколов", "Соколова"), ("Михайлов", "Михайлова"), ("Новиков", "Новикова"),
    ("Фёдоров", "Фёдорова"), ("Морозов", "Морозова"), ("Волков", "Волкова"),
    ("Алексеев", "Алексеева"), ("Лебедев", "Лебедева"), ("Семёнов", "Семёнова"),
    ("Егоров", "Егорова"), ("Павлов", "Павлова"), ("Козлов", "Козлова"),
    ("Степанов", "Степанова"), ("Николаев", "Николаева"), ("Орлов", "Орлова"),
    ("Андреев", "Андреева"), ("Макаров", "Макарова"), ("Никитин", "Никитина"),
    ("Захаров", "Захарова"), ("Зайцев", "Зайцева"), ("Соловьёв", "Соловьёва"),
    ("Борисов", "Борисова"), ("Яковлев", "Яковлева"), ("Григорьев", "Григорьева"),
    ("Романов", "Романова"), ("Воробьёв", "Воробьёва"), ("Сергеев", "Сергеева"),
    ("Кузьмин", "Кузьмина"), ("Фролов", "Фролова"), ("Александров", "Александрова"),
    ("Дмитриев", "Дмитриева"), ("Королёв", "Королёва"), ("Гусев", "Гусева"),
    ("Киселёв", "Киселёва"), ("Ильин", "Ильина"), ("Максимов", "Максимова"),
    ("Поляков", "Полякова"), ("Сорокин", "Сорокина"), ("Виноградов", "Виноградова"),
    ("Ковалёв", "Ковалёва"), ("Белов", "Белова"), ("Медведев", "Медведева"),
    ("Антонов", "Антонова"), ("Тарасов", "Тарасова"), ("Жуков", "Жукова"),
    ("Баранов", "Баранова"), ("Филиппов", "Филиппова"), ("Комаров", "Комарова"),
    ("Давыдов", "Давыдова"), ("Беляев", "Беляева"), ("Герасимов", "Герасимова"),
    ("Богданов", "Богданова"), ("Осипов", "Осипова"), ("Сидоров", "Сидорова"),
    ("Матвеев", "Матвеева"), ("Титов", "Титова"), ("Марков", "Маркова"),
    ("Миронов", "Миронова"), ("Крылов", "Крылова"), ("Куликов", "Куликова"),
    ("Карпов", "Карпова"), ("Власов", "Власова"), ("Мельников", "Мельникова"),
    ("Денисов", "Денисова"), ("Гаврилов", "Гаврилова"), ("Тихонов", "Тихонова"),
    ("Казаков", "Казакова"), ("Афанасьев", "Афанасьева"), ("Данилов", "Данилова"),
    ("Савельев", "Савельева"), ("Тимофеев", "Тимофеева"), ("Фомин", "Фомина"),
    ("Чернов", "Чернова"), ("Абрамов", "Абрамова"), ("Мартынов", "Мартынова"),
    ("Ефимов", "Ефимова"), ("Федотов", "Федотова"), ("Щербаков", "Щербакова"),
    ("Назаров", "Назарова"), ("Калинин", "Калинина"), ("Исаев", "Исаева"),
    ("Быков", "Быкова"), ("Маслов", "Маслова"), ("Родионов", "Родионова"),
    ("Коновалов", "Коновалова"), ("Лазарев", "Лазарева"), ("Воронин", "Воронина"),
    ("Климов", "Климова"), ("Филатов", "Филатова"), ("Пономарёв", "Пономарёва"),
    ("Голубев", "Голубева"), ("Кудрявцев", "Кудрявцева"), ("Прохоров", "Прохорова"),
    ("Наумов", "Наумова"), ("Журавлёв", "Журавлёва"), ("Трофимов", "Трофимова"),
    ("Соболев", "Соболева"), ("Колесников", "Колесникова"), ("Гончаров", "Гончарова"),
    ("Никифоров", "Никифорова"), ("Ефремов", "Ефремова"), ("Громов", "Громова"),
    ("Кириллов", "Кириллова"), ("Румянцев", "Румянцева"), ("Горбунов", "Горбунова"),
    ("Тихомиров", "Тихомирова"), ("Скворцов", "Скворцова"), ("Цветков", "Цветкова"),
    ("Островский", "Островская"), ("Вишневский", "Вишневская"), ("Шевченко", "Шевченко"),
    ("Бондаренко", "Бондаренко"), ("Ткаченко", "Ткаченко"), ("Кравченко", "Кравченко"),
    ("Лысенко", "Лысенко"), ("Мельник", "Мельник"), ("Полищук", "Полищук"),
    ("Черных", "Черных"), ("Седых", "Седых"),
]
MALE_NAMES = [
    "Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Валерий", "Василий",
    "Виктор", "Виталий", "Владимир", "Вячеслав", "Геннадий", "Георгий", "Дмитрий", "Евгений",
    "Егор", "Иван", "Игорь", "Илья", "Кирилл", "Константин", "Леонид", "Максим", "Михаил",
    "Никита", "Николай", "Олег", "Павел", "Пётр", "Роман", "Сергей", "Станислав", "Юрий",
]
FEMALE_NAMES = [
    "Александра", "Алёна", "Алла", "Анастасия", "Анна", "Валентина", "Валерия", "Вера",
    "Виктория", "Галина", "Дарья", "Евгения", "Екатерина", "Елена", "Елизавета", "Жанна",
    "Ирина", "Карина", "Ксения", "Лариса", "Лидия", "Любовь", "Людмила", "Маргарита", "Марина",
    "Мария", "Надежда", "Наталья", "Нина", "Оксана", "Ольга", "Полина", "Светлана", "Софья",
    "Тамара", "Татьяна", "Юлия", "Яна",
]
PATRONYMICS = [
    ("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"),
    ("Анатольевич", "Анатольевна"), ("Андреевич", "Андреевна"), ("Борисович", "Борисовна"),
    ("Васильевич", "Васильевна"), ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"), ("Геннадьевич", "Геннадьевна"),
    ("Дмитриевич", "Дмитриевна"), ("Евгеньевич", "Евгеньевна"), ("Иванович", "Ивановна"),
    ("Игоревич", "Игоревна"), ("Михайлович", "Михайловна"), ("Николаевич", "Николаевна"),
    ("Олегович", "Олеговна"), ("Павлович", "Павловна"), ("Петрович", "Петровна"),
    ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна"), ("Валерьевич", "Валерьевна"),
    ("Константинович", "Константиновна"), ("Леонидович", "Леонидовна"),
    ("Вячеславович", "Вячеславовна"), ("Фёдорович", "Фёдоровна"),
]
# (weight, position)
POSITIONS = [
    (14, "Учитель начальных классов"), (8, "Учитель математики"),
    (8, "Учитель русского языка и литературы"), (5, "Учитель английского языка"),
    (4, "Учитель истории и обществознания"), (3, "Учитель биологии"), (3, "Учитель химии"),
    (3, "Учитель физики"), (3, "Учитель информатики"), (3, "Учитель географии"),
    (2, "Учитель технологии"), (2, "Учитель физической культуры"), (2, "Учитель музыки"),
    (6, "Заместитель директора по УВР"), (4, "Заместитель директора по ВР"),
    (4, "Директор"), (4, "Методист"), (3, "Педагог-психолог"), (2, "Социальный педагог"),
    (2, "Учитель-логопед"), (3, "Педагог дополнительного образования"),
    (4, "Воспитатель"), (2, "Старший воспитатель"), (1, "Заведующий детским садом"),
    (2, "Советник директора по воспитанию"), (2, "Руководитель центра «Точка роста»"),
    (1, "Преподаватель колледжа"), (1, "Тьютор"),
]
# (city, genitive, Latin for addresses)
CITIES = [
    ("Краснодар", "Краснодара", "krd"), ("Сочи", "Сочи", "sochi"),
    ("Новороссийск", "Новороссийска", "nvrsk"), ("Армавир", "Армавира", "armavir"),
    ("Тула", "Тулы", "tula"), ("Новомосковск", "Новомосковска", "nmsk"),
    ("Ярославль", "Ярославля", "yar"), ("Рыбинск", "Рыбинска", "rybinsk"),
    ("Рязань", "Рязани", "ryazan"), ("Калуга", "Калуги", "kaluga"),
    ("Тверь", "Твери", "tver"), ("Кострома", "Костромы", "kostroma"),
    ("Воронеж", "Воронежа", "vrn"), ("Липецк", "Липецка", "lipetsk"),
    ("Курск", "Курска", "kursk"), ("Белгород", "Белгорода", "belgorod"),
    ("Смоленск", "Смоленска", "smolensk"), ("Владимир", "Владимира", "vladimir"),
]
DISTRICTS = [
    ("Рыбновский район", "Рыбновская"), ("Спасский район", "Спасская"),
    ("Щёкинский район", "Щёкинская"), ("Ефремовский район", "Ефремовская"),
    ("Угличский район", "Угличская"), ("Ростовский район", "Ростовская"),
    ("Динской район", "Динская"), ("Кореновский район", "Кореновская"),
]
ORGANISATIONS = [
    (30, "МБОУ СОШ № {n} г. {city}"), (8, "МАОУ «Гимназия № {n}» г. {city}"),
    (6, "МБОУ «Лицей № {n}» г. {city}"), (6, "МБОУ «Центр образования № {n}» г. {city}"),
    (8, "МБДОУ «Детский сад № {n}» г. {city}"),
    (4, "МБУ ДО «Дом детского творчества» г. {city}"),
    (2, "ГБПОУ «{Adj} педагогический колледж»"),
    (12, "МБОУ «{district} СОШ № {small}»"), (4, "МБОУ «{district} ООШ»"),
]

# (genitive, dative, grades, lesson topics)
SUBJECTS = [
    ("математики", "математике", (1, 6), [
        "Дроби и действия с ними", "Решение текстовых задач на движение",
        "Проценты вокруг нас", "Числа от 1 до 100", "Площадь прямоугольника"]),
    ("алгебры", "алгебре", (7, 9), [
        "Линейные уравнения", "Квадратные уравнения", "Функция и её график",
        "Арифметическая прогрессия"]),
    ("геометрии", "геометрии", (7, 11), [
        "Теорема Пифагора", "Признаки равенства треугольников", "Площадь многоугольника"]),
    ("русского языка", "русскому языку", (1, 11), [
        "Имя существительное как часть речи", "Правописание безударных гласных",
        "Сложноподчинённое предложение", "Звуки и буквы", "Причастный оборот"]),
    ("литературы", "литературе", (5, 11), [
        "Образ Родины в лирике С. А. Есенина", "Честь и долг в повести „Капитанская дочка“",
        "Маленький человек в рассказах А. П. Чехова"]),
    ("литературного чтения", "литературному чтению", (1, 4), [
        "Сказки народов России", "Басни И. А. Крылова"]),
    ("истории", "истории", (5, 11), [
        "Древний Египет", "Смутное время", "Великая Отечественная война 1941–1945 годов",
        "Реформы Петра I"]),
    ("обществознания", "обществознанию", (6, 11), [
        "Права и обязанности гражданина", "Семья и семейные ценности", "Рыночная экономика"]),
    ("географии", "географии", (5, 11), [
        "Природные зоны России", "Климат Земли", "Население России"]),
    ("биологии", "биологии", (5, 11), [
        "Строение клетки", "Фотосинтез", "Экосистемы и их компоненты"]),
    ("химии", "химии", (8, 11), [
        "Периодическая система химических элементов", "Реакции ионного обмена",
        "Кислоты и основания"]),
    ("физики", "физике", (7, 11), [
        "Законы Ньютона", "Электрический ток", "Давление твёрдых тел"]),
    ("информатики", "информатике", (7, 11), [
        "Алгоритмы и исполнители", "Основы программирования на Python",
        "Кодирование информации"]),
    ("английского языка", "английскому языку", (2, 11), [
        "Present Perfect Tense", "My Family", "Travelling"]),
    ("окружающего мира", "окружающему миру", (1, 4), [
        "Времена года", "Водоёмы родного края", "Человек и природа"]),
    ("технологии", "технологии", (5, 9), [
        "Проектирование изделия", "Народные промыслы России", "Основы робототехники"]),
    ("музыки", "музыке", (1, 8), ["Музыка П. И. Чайковского", "Народная песня"]),
    ("изобразительного искусства", "изобразительному искусству", (1, 7), [
        "Пейзаж в живописи", "Дымковская игрушка"]),
    ("физической культуры", "физической культуре", (1, 11), [
        "Бег на короткие дистанции", "Баскетбол: ведение мяча"]),
    ("ОБЖ", "ОБЖ", (8, 11), ["Правила дорожного движения", "Первая помощь при травмах"]),
]
THEMES = [
    "Функциональная грамотность на уроке", "Формирование читательской грамотности",
    "Развитие математической грамотности", "Естественно-научная грамотность",
    "Финансовая грамотность школьников", "Глобальные компетенции",
    "Креативное мышление", "Проектная деятельность учащихся",
    "Исследовательская деятельность школьников", "Смысловое чтение",
    "Работа с одарёнными детьми", "Инклюзивное образование", "Обучение детей с ОВЗ",
    "Подготовка к ОГЭ", "Подготовка к ЕГЭ", "Всероссийские проверочные работы",
    "Формирующее оценивание", "Цифровая образовательная среда",
    "Игровые технологии на уроке", "Технология развития критического мышления",
    "Кейс-метод в обучении", "Перевёрнутый класс", "Здоровьесберегающие технологии",
    "Патриотическое воспитание", "Профориентация школьников", "Адаптация пятиклассников",
    "Школьная служба медиации", "Работа с родителями", "Наставничество молодых педагогов",
    "Наставничество «учитель — учитель»", "Внеурочная деятельность", "Разговоры о важном",
    "Обновлённые ФГОС", "Реализация ФГОС третьего поколения", "Экологическое воспитание",
    "Школьное краеведение", "Семейные ценности", "Безопасность в интернете",
    "Школьный музей", "Цифровая лаборатория центра «Точка роста»", "Робототехника",
    "Театральная педагогика", "Читательский клуб", "Мотивация к обучению",
    "Внутренняя система оценки качества образования", "Школьный театр",
    "Сетевое взаимодействие школ", "Профилактика буллинга", "Тьюторское сопровождение",
    "Индивидуальный образовательный маршрут", "Программа развития школы",
    "Аттестация педагогических работников", "Методическое объединение учителей",
    "Воспитательная работа классного руководителя", "Управление школой с низкими результатами",
]
# Used in about one material in a thousand: what a «rare word» search finds.
RARE_THEMES = [
    "Квиллинг на уроках технологии", "Геокэшинг в школьном краеведении",
    "Гербарий пришкольного участка", "Дебаты в формате Карла Поппера",
    "Астролябия своими руками",
]
EVENTS = [
    "День знаний", "День учителя", "Неделя математики", "Масленица", "День Победы",
    "Праздник осени", "Последний звонок", "День матери", "Новогодний калейдоскоп",
    "Посвящение в пятиклассники", "День космонавтики", "Парад профессий",
]
PARENT_TOPICS = [
    "Как помочь ребёнку с домашним заданием", "Безопасные каникулы", "Режим дня школьника",
    "Подготовка к экзаменам без стресса", "Ребёнок и гаджеты", "Как выбрать профиль обучения",
]
NORMATIVE_OBJECTS = [
    "школьной службе медиации", "внутренней системе оценки качества образования",
    "наставничестве в образовательной организации", "рабочей программе педагога",
    "методическом объединении учителей", "текущем контроле успеваемости",
    "индивидуальном проекте обучающихся", "классном руководстве",
    "школьном спортивном клубе", "школьном музее", "внеурочной деятельности",
]
LITERACIES = ["читательской", "математической", "естественно-научной", "финансовой"]
GROUPS = ["младшей", "средней", "старшей", "подготовительной"]
# (weight, label): topics of materials (material_topics), the first ones the most common.
TOPIC_LABELS = [
    (20, "Функциональная грамотность"), (16, "ФГОС"), (12, "Воспитательная работа"),
    (10, "Наставничество"), (8, "Читательская грамотность"), (7, "Математическая грамотность"),
    (5, "Естественно-научная грамотность"), (5, "Финансовая грамотность"),
    (6, "Цифровая образовательная среда"), (6, "Проектная деятельность"),
    (4, "Инклюзивное образование"), (5, "Подготовка к ОГЭ"), (4, "Подготовка к ЕГЭ"),
    (4, "ВПР"), (4, "Профориентация"), (4, "Патриотическое воспитание"),
    (4, "Работа с родителями"), (5, "Внеурочная деятельность"), (3, "Точка роста"),
    (3, "Управление школой"), (2, "Школа Минпросвещения России"), (3, "Одарённые дети"),
    (3, "Оценивание"), (4, "Классное руководство"), (2, "Дошкольное образование"),
]
AUDIENCES = [
    "учителей начальных классов", "учителей-предметников", "классных руководителей",
    "заместителей директора по УВР", "молодых педагогов", "педагогов-наставников",
    "руководителей методических объединений", "педагогов дополнительного образования",
    "воспитателей дошкольных групп", "советников директора по воспитанию",
]
CONTENTS = [
    "технологическая карта урока", "презентация", "раздаточный материал для групповой работы",
    "критерии оценивания", "лист самооценки", "задания для рефлексии", "ключи и ответы",
    "рабочие листы", "кейсовые задания", "диагностическая работа",
    "методический комментарий для учителя", "план-конспект", "сценарий мероприятия",
    "анкета для родителей", "чек-лист наблюдения урока", "памятка для обучающихся",
]
OPENINGS = [
    "Материал подготовлен для {audience}. В составе: {a} и {b}.",
    "В разработке представлены {a}, {b} и {c}.",
    "Разработка помогает {verb} на уроке и во внеурочной деятельности.",
    "Предлагаю коллегам материалы по теме «{theme}», апробированные в {year} году.",
    "Материал составлен по итогам работы методического объединения и предназначен для "
    "{audience}.",
    "Здесь собраны {a} и {b} по теме «{theme}».",
]
VERBS = [
    "формировать функциональную грамотность", "организовать групповую работу",
    "выстроить индивидуальный образовательный маршрут", "подготовить обучающихся к ВПР",
    "развивать читательскую грамотность", "провести открытый урок по обновлённым ФГОС",
    "организовать наставничество в школе", "спланировать воспитательную работу",
]
CLOSINGS = [
    "Материал соответствует требованиям обновлённых ФГОС.",
    "Буду рада отзывам и предложениям коллег!",
    "Рекомендуется для использования на уроках и во внеурочной деятельности.",
    "Апробировано на базе центра «Точка роста».",
    "Подходит для сельской малокомплектной школы.",
    "Подробнее о проекте — на сайте школы.",
    "Задания можно использовать для формирующего оценивания.",
]
FORUM_TITLES = [
    "Вопрос по ВПР по {subj_dat} в {grade} классе",
    "Кто работает по обновлённым ФГОС в {grade} классе?",
    "Делимся опытом: {theme_l}",
    "Помогите подобрать задания по {literacy} грамотности",
    "Обсуждаем: {theme}",
    "Нужен совет: как организовать {activity}?",
    "Методическое объединение учителей {subj_gen}: план на год",
    "Открытый урок {subj_gen}: отзывы коллег",
]
ACTIVITIES = [
    "наставничество для молодых учителей", "проектную неделю", "школьный театр",
    "работу с родителями пятиклассников", "подготовку к ОГЭ", "дежурство по школе",
    "внеурочную деятельность в 5 классе", "школьную службу медиации",
]
REPLIES = [
    "Коллеги, добрый день!", "Поделитесь, пожалуйста, опытом.",
    "У нас в школе такая практика работает второй год.", "Спасибо, очень полезно!",
    "Согласна с коллегой, добавлю только одно.", "Мы делаем так:",
    "Попробуйте начать с диагностики: так видно, где пробелы.",
    "Материалы выложили в методический банк сообщества.",
    "Готова помочь, пишите.", "Отличная идея, возьмём на заметку.",
    "На заседании методического объединения обсуждали то же самое.",
    "Рекомендую задания из открытого банка ФИПИ.", "Это особенно важно для сельских школ.",
    "Молодым учителям это помогает быстрее освоиться.",
]


# --- helpers ----------------------------------------------------------------------------


_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))


def translit(value: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in value.lower())


def lower_first(value: str) -> str:
    """«Обновлённые ФГОС» → «обновлённые ФГОС», but «ФГОС …» and «ВПР …» stay."""
    first = value.split(" ", 1)[0]
    if first.isupper() or (len(first) > 1 and first[1:2].isupper()):
        return value
    return value[:1].lower() + value[1:]


def weighted(rng: random.Random, pairs: Sequence[tuple[int, str]]) -> Callable[[], str]:
    values = [v for _, v in pairs]
    cum = list(itertools.accumulate(w for w, _ in pairs))
    total = cum[-1]
    return lambda: values[bisect.bisect_left(cum, rng.random() * total)]


def batched(total: int, size: int = BATCH) -> Iterator[tuple[int, int]]:
    """(start, count) of each batch."""
    for start in range(0, total, size):
        yield start, min(size, total - start)


def insert_returning_ids(conn: Connection, table, rows: list[dict]) -> list[int]:
    """Bulk insert; the new ids in the order of `rows` (insertmanyvalues with a sort)."""
    if not rows:
        return []
    result = conn.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [row.id for row in result]


def index_documents(conn: Connection, docs: list[dict]) -> None:
    """What `search.index_document` writes, for many new documents at once. Each of `docs`
    has kind, object_id, community_id, title and body."""
    if not docs:
        return
    now = utcnow()
    rows = [{**d, "title": search._clip(d["title"]), "body": search._clip(d["body"]),
             "updated_at": now} for d in docs]
    ids = insert_returning_ids(conn, search.SearchDocument.__table__, rows)
    if conn.dialect.name == "sqlite":
        fts = search.FTS_TABLE
        # As index_document does: drop a stale row under a reused rowid first.
        conn.execute(sql_text(f"DELETE FROM {fts} WHERE rowid = :id"), [{"id": i} for i in ids])
        conn.execute(
            sql_text(f"INSERT INTO {fts} (rowid, title, body) VALUES (:id, :title, :body)"),
            [{"id": i, "title": search.stem_text(r["title"]), "body": search.stem_text(r["body"])}
             for i, r in zip(ids, rows, strict=True)],
        )


def _n(value: float) -> str:
    """12345 → «12 345»."""
    return f"{value:,.0f}".replace(",", "\u00a0")


class Progress:
    def __init__(self, label: str, total: int, echo: Callable[[str], None]) -> None:
        self.label, self.total, self.echo = label, total, echo
        self.started = time.perf_counter()
        self.done = 0

    def add(self, count: int) -> None:
        self.done += count
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed else 0
        self.echo(f"  {self.label}: {_n(self.done)} из {_n(self.total)} "
                  f"({elapsed:.1f} с, {_n(rate)} в секунду)")


@dataclass
class Member:
    user_id: int
    full_name: str


@dataclass
class Target:
    """A community that gets rows, with its active members (the authors)."""

    id: int
    slug: str
    members: list[Member] = field(default_factory=list)
    _cum: list[float] = field(default_factory=list)

    def prepare(self) -> None:
        # A few members write most: weight 1 / rank^0.8 over a shuffled member list.
        self._cum = list(itertools.accumulate(1 / (r + 1) ** 0.8 for r in range(len(self.members))))

    def pick(self, rng: random.Random) -> Member:
        return self.members[bisect.bisect_left(self._cum, rng.random() * self._cum[-1])]


# --- the seeder ---------------------------------------------------------------------------


class ScaleSeeder:
    def __init__(self, rng: random.Random, echo: Callable[[str], None] = click.echo) -> None:
        self.rng = rng
        self.echo = echo
        self.now = utcnow().replace(microsecond=0)
        self.position = weighted(rng, POSITIONS)
        self.organisation_template = weighted(rng, ORGANISATIONS)
        self.topic_label = weighted(rng, TOPIC_LABELS)

    # --- communities ---

    def targets(self, slug: str | None) -> list[Target]:
        """The communities to fill (creates the scale community when needed); committed."""
        from app.communities.services import ensure_personal_data_document
        from app.demo.seed import COMMUNITIES

        if slug:
            slugs = [slug]
        else:
            slugs = list(db.session.scalars(select(Community.slug).where(
                Community.slug.in_([c["slug"] for c in COMMUNITIES])).order_by(Community.id)))
            slugs = slugs or [SCALE_COMMUNITY_SLUG]
        found = {c.slug: c for c in db.session.scalars(
            select(Community).where(Community.slug.in_(slugs)))}
        for missing in (s for s in slugs if s not in found):
            community = Community(
                slug=missing, name=SCALE_COMMUNITY_NAME,
                description="Сообщество для нагрузочных испытаний: тысячи участников, "
                "материалов и сообщений.",
                charter="Положение о масштабном сообществе педагогов. Участники обмениваются "
                "опытом, методическими материалами и лучшими практиками.",
                kind=CommunityKind.OTHER, level=CommunityLevel.REGIONAL,
                join_policy=JoinPolicy.OPEN,
            )
            db.session.add(community)
            db.session.flush()
            db.session.add(ConsentDocument(kind=ConsentKind.CHARTER, community_id=community.id,
                                           version=1, text=community.charter))
            ensure_personal_data_document()
            found[missing] = community
            self.echo(f"Создано сообщество «{SCALE_COMMUNITY_NAME}» ({missing}).")
        db.session.commit()
        return [Target(id=found[s].id, slug=s) for s in slugs]

    def load_members(self, targets: list[Target]) -> None:
        by_id = {t.id: t for t in targets}
        for t in targets:
            t.members = []
        rows = db.session.execute(
            select(Membership.community_id, User.id, User.full_name)
            .join(User, User.id == Membership.user_id)
            .where(Membership.community_id.in_(by_id), Membership.left_at.is_(None))
            .order_by(Membership.id)
        )
        for community_id, user_id, full_name in rows:
            by_id[community_id].members.append(Member(user_id, full_name))
        db.session.commit()
        for t in targets:
            self.rng.shuffle(t.members)
            t.prepare()

    # --- users and memberships ---

    def _person(self) -> tuple[str, str, str]:
        """(full name, surname in Latin, initials in Latin)."""
        rng = self.rng
        female = rng.random() < 0.8
        surname = rng.choice(SURNAMES)[1 if female else 0]
        name = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        patronymic = rng.choice(PATRONYMICS)[1 if female else 0]
        return (f"{surname} {name} {patronymic}", translit(surname),
                translit(name[0] + patronymic[0]))

    def _organisation(self) -> tuple[str, str]:
        rng = self.rng
        template = self.organisation_template()
        if "{district}" in template:
            district, adjective = rng.choice(DISTRICTS)
            return template.format(district=adjective, small=rng.randint(1, 4)), district
        city, genitive, _ = rng.choice(CITIES)
        adjective = {"Краснодар": "Краснодарский", "Тула": "Тульский",
                     "Ярославль": "Ярославский", "Рязань": "Рязанский"}.get(city, "Областной")
        return template.format(n=rng.randint(1, 120), city=genitive, Adj=adjective), city

    def users(self, count: int, targets: list[Target], password_hash: str) -> None:
        if count <= 0:
            return
        rng = self.rng
        base = db.session.scalar(select(func.coalesce(func.max(User.id), 0)))
        db.session.commit()
        progress = Progress("пользователи", count, self.echo)
        users_table, members_table = User.__table__, Membership.__table__
        communities_table = Community.__table__
        for start, size in batched(count):
            rows = []
            for i in range(start, start + size):
                full_name, surname, initials = self._person()
                organisation, municipality = self._organisation()
                created = self.now - timedelta(days=rng.uniform(3 * 365, 4 * 365))
                rows.append({
                    # base + i is above every id there was, so no earlier address repeats.
                    "email": f"{surname}.{initials}.{base + i + 1}@{EMAIL_DOMAIN}",
                    "password_hash": password_hash, "full_name": full_name,
                    "position": self.position(), "organisation": organisation,
                    "municipality": municipality, "is_admin": False,
                    "show_memberships": rng.random() < 0.9,
                    "last_login_at": self.now - timedelta(days=rng.expovariate(1 / 20))
                    if rng.random() < 0.7 else None,
                    "created_at": created,
                })
            with db.engine.begin() as conn:
                ids = insert_returning_ids(conn, users_table, rows)
                memberships, joined = [], {t.id: 0 for t in targets}
                for user_id, row in zip(ids, rows, strict=True):
                    chosen = [rng.choice(targets)]
                    if len(targets) > 1 and rng.random() < 0.2:
                        other = rng.choice(targets)
                        if other is not chosen[0]:
                            chosen.append(other)
                    for t in chosen:
                        memberships.append({
                            "user_id": user_id, "community_id": t.id, "role": Role.MEMBER,
                            "is_council": False, "is_expert": rng.random() < 0.03,
                            "joined_at": row["created_at"] + timedelta(days=rng.uniform(0, 60)),
                            "left_at": None, "join_request_id": None, "muted_until": None,
                            "excluded": False,
                        })
                        joined[t.id] += 1
                conn.execute(insert(members_table), memberships)
                for community_id, added in joined.items():
                    if added:
                        conn.execute(
                            update(communities_table)
                            .where(communities_table.c.id == community_id)
                            .values(member_count=communities_table.c.member_count + added))
            progress.add(size)

    # --- materials ---

    @staticmethod
    def _level(grade: int) -> str:
        return (EducationLevel.PRIMARY if grade <= 4 else
                EducationLevel.BASIC if grade <= 9 else EducationLevel.SECONDARY)

    def _theme(self) -> str:
        if self.rng.random() < 0.001:
            return self.rng.choice(RARE_THEMES)
        return self.rng.choice(THEMES)

    def title(self) -> tuple[str, str, str]:
        """(title, type, level) of a material."""
        rng = self.rng
        subj_gen, subj_dat, (low, high), lessons = rng.choice(SUBJECTS)
        grade = rng.randint(low, high)
        level = self._level(grade)
        lesson, theme = rng.choice(lessons), self._theme()
        year = rng.randint(2021, 2025)
        t = MaterialType
        kind = rng.random()
        if kind < 0.30:
            title = rng.choice([
                f"Урок {subj_gen} в {grade} классе: «{lesson}»",
                f"Технологическая карта урока {subj_gen} «{lesson}» ({grade} класс)",
                f"Конспект урока {subj_gen} по теме «{lesson}»",
                f"Открытый урок по {subj_dat} «{lesson}», {grade} класс",
                f"Урок-практикум «{lesson}»: {lower_first(theme)}",
            ])
            return title, t.LESSON_PLAN, level
        if kind < 0.55:
            title = rng.choice([
                f"Методическая разработка «{theme}»",
                f"Методические рекомендации: {lower_first(theme)} на уроках {subj_gen}",
                f"Методическое пособие «{theme}» для учителей {subj_gen}",
                f"Рабочая программа курса внеурочной деятельности «{theme}»",
                f"Сборник заданий по {rng.choice(LITERACIES)} грамотности для {grade} класса",
                f"Рабочая программа по {subj_dat} для {grade} класса (обновлённый ФГОС)",
            ])
            return title, t.METHODICAL, (level if f"{grade} класс" in title else EducationLevel.ALL)
        if kind < 0.67:
            title = rng.choice([
                f"Презентация к уроку {subj_gen} «{lesson}»",
                f"Презентация «{theme}» к педагогическому совету",
            ])
            return title, t.PRESENTATION, (level if "уроку" in title else EducationLevel.ALL)
        if kind < 0.72:
            return (f"Положение о {rng.choice(NORMATIVE_OBJECTS)}", t.NORMATIVE,
                    EducationLevel.ALL)
        if kind < 0.80:
            title = rng.choice([
                f"Из опыта работы: {lower_first(theme)}",
                f"Лучшая практика: {lower_first(theme)} в сельской школе",
                f"Опыт реализации программы «{theme}»",
            ])
            return title, t.BEST_PRACTICE, EducationLevel.ALL
        if kind < 0.86:
            title = rng.choice([
                f"Видеозапись мастер-класса «{theme}»",
                f"Вебинар «{theme}: от теории к практике»",
                f"Видеоурок {subj_gen}: «{lesson}»",
            ])
            return title, t.VIDEO, (level if "Видеоурок" in title else EducationLevel.ALL)
        if kind < 0.90:
            title = rng.choice([
                f"Конспект занятия в {rng.choice(GROUPS)} группе «{rng.choice(EVENTS)}»",
                f"Проект в {rng.choice(GROUPS)} группе детского сада «{theme}»",
            ])
            return title, t.LESSON_PLAN, EducationLevel.PRESCHOOL
        if kind < 0.93:
            return (f"Дополнительная общеразвивающая программа «{theme}»", t.METHODICAL,
                    EducationLevel.ADDITIONAL)
        if kind < 0.95:
            return (f"Рабочая программа профессионального модуля «{theme}»", t.METHODICAL,
                    EducationLevel.VOCATIONAL)
        title = rng.choice([
            f"Сценарий внеклассного мероприятия «{rng.choice(EVENTS)}»",
            f"План воспитательной работы классного руководителя на {year}/{year + 1} "
            "учебный год",
            f"Памятка для родителей «{rng.choice(PARENT_TOPICS)}»",
            f"Классный час «{rng.choice(EVENTS)}» в {grade} классе",
        ])
        return title, t.OTHER, (level if f"{grade} класс" in title else EducationLevel.ALL)

    def description(self) -> str:
        rng = self.rng
        a, b, c = rng.sample(CONTENTS, 3)
        opening = rng.choice(OPENINGS).format(
            audience=rng.choice(AUDIENCES), a=a, b=b, c=c, verb=rng.choice(VERBS),
            year=rng.randint(2021, 2025), theme=self._theme(),
        )
        parts = [opening[:1].upper() + opening[1:]]
        if rng.random() < 0.5:
            items = rng.sample(CONTENTS, rng.randint(2, 4))
            parts.append("В комплект входят:\n\n" + "\n".join(f"- {i};" for i in items[:-1])
                         + f"\n- {items[-1]}.")
        if rng.random() < 0.3:
            parts.append(f"**Для кого:** {rng.choice(AUDIENCES)}.")
        parts.append(rng.choice(CLOSINGS))
        return "\n\n".join(parts)

    def text_pool(self, size: int, make: Callable[[], str]) -> list[tuple[str, str, str]]:
        """(markdown, html, plain text) of `size` distinct-ish texts, each rendered once."""
        texts = [make() for _ in range(size)]
        return [(t, render_markdown(t), markdown_to_text(t)) for t in texts]

    def materials(self, count: int, targets: list[Target]) -> None:
        if count <= 0:
            return
        rng = self.rng
        authored = [t for t in targets if t.members]
        if not authored:
            raise click.ClickException(
                "В сообществах нет участников, некому быть авторами: добавьте --users N.")
        pool = self.text_pool(min(count, TEXT_POOL), self.description)
        progress = Progress("материалы", count, self.echo)
        span = timedelta(days=3 * 365).total_seconds()
        first = self.now - timedelta(seconds=span)
        materials_table = Material.__table__
        for start, size in batched(count):
            rows, extras = [], []
            for i in range(start, start + size):
                target = rng.choice(authored)
                author = target.pick(rng)
                coauthor = target.pick(rng) if rng.random() < 0.08 else None
                if coauthor is not None and coauthor.user_id == author.user_id:
                    coauthor = None
                title, type_, level = self.title()
                description, description_html, description_text = rng.choice(pool)
                labels = list(dict.fromkeys(self.topic_label() for _ in range(rng.randint(1, 3))))
                created = first + timedelta(seconds=span * (i + rng.random()) / count)
                pending = rng.random() < 0.01
                best = rng.random() < (0.2 if type_ == MaterialType.BEST_PRACTICE else 0.005)
                if type_ == MaterialType.VIDEO:
                    link = f"https://video.example/watch/{rng.getrandbits(40):010x}"
                else:
                    city = rng.choice(CITIES)[2]
                    link = (f"https://sch{rng.randint(1, 120)}-{city}.edu.example/"
                            f"metodika/{rng.getrandbits(32):08x}")
                rows.append({
                    "community_id": target.id, "author_id": author.user_id,
                    "placed_by_id": None, "title": title, "description": description,
                    "description_html": description_html, "type": str(type_),
                    "level": str(level), "link_url": link,
                    "status": MaterialStatus.PENDING if pending else MaterialStatus.PUBLISHED,
                    "published_at": None if pending else created,
                    "is_best_practice": best and not pending,
                    "download_count": 0 if pending else int(rng.lognormvariate(1.8, 1.3)),
                    "updated_at": created, "topics_text": "; ".join(labels),
                    "created_at": created, "held_at": None, "hidden_at": None,
                    "hidden_reason": "", "hidden_by_id": None,
                })
                extras.append((labels, author, coauthor, description_text))
            with db.engine.begin() as conn:
                ids = insert_returning_ids(conn, materials_table, rows)
                topics, coauthors, docs = [], [], []
                for material_id, row, (labels, author, coauthor, text) in zip(
                        ids, rows, extras, strict=True):
                    topics += [{"material_id": material_id, "tag": label.casefold(),
                                "label": label} for label in labels]
                    names = [author.full_name]
                    if coauthor is not None:
                        coauthors.append({"material_id": material_id,
                                          "user_id": coauthor.user_id})
                        names.append(coauthor.full_name)
                    # As app.materials.services.reindex builds it (no files here).
                    body = " \n".join([text, row["topics_text"], " ".join(names)])
                    docs.append({"kind": "material", "object_id": material_id,
                                 "community_id": row["community_id"], "title": row["title"],
                                 "body": body})
                conn.execute(insert(MaterialTopic.__table__), topics)
                if coauthors:
                    conn.execute(insert(MaterialAuthor.__table__), coauthors)
                index_documents(conn, docs)
            progress.add(size)

    # --- forum ---

    def forum_title(self) -> str:
        rng = self.rng
        subj_gen, subj_dat, (low, high), _ = rng.choice(SUBJECTS)
        theme = self._theme()
        return rng.choice(FORUM_TITLES).format(
            subj_gen=subj_gen, subj_dat=subj_dat, grade=rng.randint(low, high), theme=theme,
            theme_l=lower_first(theme), literacy=rng.choice(LITERACIES),
            activity=rng.choice(ACTIVITIES),
        )

    def post_body(self) -> str:
        rng = self.rng
        sentences = rng.sample(REPLIES, rng.randint(1, 4))
        if rng.random() < 0.3:
            sentences.append(f"Тема: {lower_first(self._theme())}.")
        body = " ".join(sentences)
        if rng.random() < 0.2:
            items = rng.sample(CONTENTS, 3)
            body += "\n\n" + "\n".join(f"{n}. {i};" for n, i in enumerate(items, 1))
        if rng.random() < 0.1:
            body = f"> {rng.choice(REPLIES)}\n\n{body}"
        return body

    def _sections(self, targets: list[Target]) -> dict[int, list[int]]:
        """Discussion sections (not announcements) of each target; one made where none."""
        sections: dict[int, list[int]] = {t.id: [] for t in targets}
        for section_id, community_id in db.session.execute(
                select(Section.id, Section.community_id).where(
                    Section.community_id.in_(sections), Section.is_announcements.is_(False),
                    Section.group_id.is_(None))):
            sections[community_id].append(section_id)
        for community_id, ids in sections.items():
            if not ids:
                last = db.session.scalar(select(func.max(Section.position)).where(
                    Section.community_id == community_id)) or 0
                section = Section(
                    community_id=community_id, title="Обмен опытом",
                    description="Вопросы коллегам, обсуждение уроков и методик",
                    is_announcements=False, position=last + 1,
                )
                db.session.add(section)
                db.session.flush()
                ids.append(section.id)
        db.session.commit()
        return sections

    def posts(self, count: int, targets: list[Target]) -> None:
        """Topics of 1–40 posts (8 on average), numbered, with every counter of the topic
        and the section kept as the forum services keep them, and search documents."""
        if count <= 0:
            return
        rng = self.rng
        authored = [t for t in targets if t.members]
        if not authored:
            raise click.ClickException(
                "В сообществах нет участников, некому писать на форуме: добавьте --users N.")
        sections = self._sections(authored)
        pool = self.text_pool(min(count, TEXT_POOL), self.post_body)
        progress = Progress("сообщения форума", count, self.echo)
        span = timedelta(days=3 * 365).total_seconds()
        first = self.now - timedelta(seconds=span)
        topics_table, posts_table = Topic.__table__, Post.__table__
        sections_table = Section.__table__
        made = 0
        while made < count:
            # One batch: whole topics, about BATCH posts.
            topics, topic_posts = [], []
            batch_posts = 0
            while batch_posts < BATCH and made + batch_posts < count:
                target = rng.choice(authored)
                size = min(max(1, int(rng.expovariate(1 / 8))), 40, count - made - batch_posts)
                started = first + timedelta(
                    seconds=span * (made + batch_posts + rng.random()) / count)
                at = started
                thread = []
                for number in range(1, size + 1):
                    author = target.pick(rng)
                    body, html, text = rng.choice(pool)
                    thread.append((number, author, at, body, html, text))
                    at = min(at + timedelta(minutes=rng.expovariate(1 / 240)), self.now)
                last = thread[-1]
                topics.append({
                    "section_id": rng.choice(sections[target.id]), "community_id": target.id,
                    "title": self.forum_title(), "author_id": thread[0][1].user_id,
                    "is_pinned": False, "is_closed": False, "post_count": size,
                    "last_post_at": last[2], "last_post_id": None,
                    "last_author_id": last[1].user_id, "held_at": None, "hidden_at": None,
                    "created_at": started,
                })
                topic_posts.append(thread)
                batch_posts += size
            with db.engine.begin() as conn:
                topic_ids = insert_returning_ids(conn, topics_table, topics)
                post_rows, docs, watches = [], [], set()
                for topic_id, topic, thread in zip(topic_ids, topics, topic_posts, strict=True):
                    for number, author, at, body, html, _ in thread:
                        post_rows.append({
                            "topic_id": topic_id, "community_id": topic["community_id"],
                            "number": number, "author_id": author.user_id, "body": body,
                            "body_html": html, "edited_at": None, "edit_count": 0,
                            "created_at": at, "held_at": None, "hidden_at": None,
                            "hidden_reason": "", "hidden_by_id": None,
                        })
                        watches.add((author.user_id, topic_id))
                post_ids = insert_returning_ids(conn, posts_table, post_rows)
                i = 0
                last_ids = []
                section_counts: dict[int, list] = {}
                for topic_id, topic, thread in zip(topic_ids, topics, topic_posts, strict=True):
                    first_text = thread[0][5]
                    docs.append({"kind": "topic", "object_id": topic_id,
                                 "community_id": topic["community_id"],
                                 "title": topic["title"], "body": first_text})
                    for *_, text in thread:
                        docs.append({"kind": "post", "object_id": post_ids[i],
                                     "community_id": topic["community_id"],
                                     "title": topic["title"], "body": text})
                        i += 1
                    last_ids.append({"b_id": topic_id, "b_last": post_ids[i - 1]})
                    counts = section_counts.setdefault(
                        topic["section_id"], [0, 0, None, None])
                    counts[0] += 1
                    counts[1] += len(thread)
                    if counts[2] is None or topic["last_post_at"] >= counts[2]:
                        counts[2], counts[3] = topic["last_post_at"], topic_id
                conn.execute(
                    update(topics_table).where(topics_table.c.id == bindparam("b_id"))
                    .values(last_post_id=bindparam("b_last")), last_ids)
                conn.execute(insert(TopicWatch.__table__),
                             [{"user_id": u, "topic_id": t} for u, t in sorted(watches)])
                s = sections_table.c
                for section_id, (n_topics, n_posts, last_at, last_topic) in section_counts.items():
                    newer = s.last_post_at.is_(None) | (s.last_post_at < last_at)
                    conn.execute(
                        update(sections_table).where(s.id == section_id).values(
                            topic_count=s.topic_count + n_topics,
                            post_count=s.post_count + n_posts,
                            last_topic_id=case((newer, last_topic), else_=s.last_topic_id),
                            last_post_at=case((newer, last_at), else_=s.last_post_at),
                        ))
                index_documents(conn, docs)
            made += batch_posts
            progress.add(batch_posts)


def analyze() -> None:
    """PostgreSQL: fresh planner statistics after a bulk load (autovacuum would do it a
    minute later). SQLite keeps none unless asked, as in production: nothing to do."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sql_text("ANALYZE"))


@click.command("seed-scale")
@click.option("--users", default=0, type=click.IntRange(min=0), help="New users (members).")
@click.option("--materials", default=0, type=click.IntRange(min=0), help="New materials.")
@click.option("--posts", default=0, type=click.IntRange(min=0),
              help="New forum posts (in new topics).")
@click.option("--community", "community_slug", default=None,
              help="Fill this community (created when missing) instead of the demo ones.")
@click.option("--random-seed", default=None, type=int, help="For a repeatable run.")
@with_appcontext
def seed_scale(users: int, materials: int, posts: int, community_slug: str | None,
               random_seed: int | None) -> None:
    """Fill the database with many realistic rows quickly (bulk inserts), for benchmarks."""
    from flask import current_app

    from app.demo.seed import DEMO_PASSWORD

    started = time.perf_counter()
    seeder = ScaleSeeder(random.Random(random_seed))
    db.session.commit()  # nothing of the session's may hold a lock while batches run
    targets = seeder.targets(community_slug)
    click.echo("Сообщества: " + ", ".join(t.slug for t in targets))
    if users:
        password_hash = generate_password_hash(
            DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])
        seeder.users(users, targets, password_hash)
    if materials or posts:
        seeder.load_members(targets)
    seeder.materials(materials, targets)
    seeder.posts(posts, targets)
    analyze()
    db.session.remove()
    took = time.perf_counter() - started
    click.echo(f"Готово за {took:.1f} с: пользователей {users}, материалов {materials}, "
               f"сообщений форума {posts}. Пароль новых пользователей: {DEMO_PASSWORD}")
