"""`flask seed-scale`: a large database of realistic Russian-language data, for benchmarks.

    flask seed-scale --users 100000 --materials 100000 --posts 1000000 --events 10000 \
        [--community SLUG] [--random-seed N]

Every part is written in batches, one transaction per batch, so that a stopped run leaves
whole batches behind and every committed batch is consistent (counters, search documents).
How rows go in (`Bulk`, `Loader`):

- ids are taken before the rows are written (PostgreSQL: from the table's sequence; SQLite:
  on from max(id) under the write lock the batch takes first), so children point at their
  parents and a topic at its last post without updates afterwards;
- PostgreSQL loads with COPY (psycopg 3), SQLite with the driver's executemany, values
  converted by the columns' SQLAlchemy types as the ORM would write them;
- for the run, SQLite writes with synchronous=OFF and a 256 MB page cache, PostgreSQL commits
  with synchronous_commit off, and neither checks foreign keys (see `Loader`); the settings
  are restored at the end, then statistics are refreshed (`Loader.analyze`).

What the services would compute for each row is computed the same way here, only once per
distinct value where it is costly:

- one password hash for every new user (the demo password, `app.demo.seed.DEMO_PASSWORD`);
- descriptions and post bodies come from pools of generated texts, each rendered once with
  `render_markdown` / `markdown_to_text` and stemmed once (`search.stem_text`);
- search documents are written as `app.search.index_document` writes them: a
  `search_documents` row (kind, object id, community, clipped title and body) and, on SQLite,
  the FTS5 row with the same rowid, the stems of title and body, and the scope tokens. On
  PostgreSQL the stored tsv column and its GIN index cover the new rows by themselves. A
  material's document is what `app.materials.services.reindex` builds (description as text,
  topics, author and co-authors); a post's and a topic's what `app.forum.services` builds.
  Events have none (the search does not index them).

What is made:

- users, each a member of one target community (a fifth of them of two), `member_count` kept;
- materials with topics, co-authors and download counts, over the last three years;
- forum topics over each community's discussion sections (those of SECTIONS it lacks are
  added, up to MIN_SECTIONS; a few sections much busier than others): most topics short, some
  of hundreds of posts, and a few very long ones of thousands (`_topic_sizes`); the topics'
  and sections' counters and last-post fields, the authors' topic watches;
- events over the past and the coming year (`_event_days`), published, finished (attendance
  marked), cancelled or drafts, with organisers and members' sign-ups replayed as
  `app.events.services` handles them: seats first come first served, then a waiting list, a
  freed seat going to the first in line; `confirmed_count` / `waitlist_count` kept.

Where the rows go: without --community, into the demo communities that exist (`flask
seed-demo`), else into a community it creates, «Масштабное сообщество»; with --community SLUG,
into that community, created with that name when it does not exist. Materials, posts and
events are written (and signed up for) by members only.

Running it again adds more (new users' addresses carry their ids), so it is safe on a
database that already has demo data or an earlier run. Timings: bench/seed.md.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, Integer, Table, case, func, select, update
from sqlalchemy.exc import DBAPIError
from werkzeug.security import generate_password_hash

from app import search
from app.auth.models import User, UserNameWord, fold_words
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
from app.events.models import Event, EventOrganiser, Registration
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

T = TypeVar("T")

BATCH = 10_000  # users, materials per transaction
POST_BATCH = 20_000  # forum posts per transaction (whole topics: a very long one may exceed it)
EVENT_BATCH = 1000  # events per transaction (with their sign-ups)
SCALE_COMMUNITY_NAME = "Масштабное сообщество"
SCALE_COMMUNITY_SLUG = "masshtabnoe-soobshchestvo"
EMAIL_DOMAIN = "shkola.example"
# Distinct descriptions / post bodies rendered per run (each reused by many rows).
TEXT_POOL = 3000
EVENT_POOL = 400
# How busy each month is with events (schools: September to May; little in July).
MONTH_WEIGHTS = {1: 0.8, 2: 1.0, 3: 1.0, 4: 1.1, 5: 0.8, 6: 0.5, 7: 0.12, 8: 0.45, 9: 1.0,
                 10: 1.1, 11: 1.1, 12: 0.9}

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

# Discussion sections every target community gets (those it lacks, up to MIN_SECTIONS).
SECTIONS = [
    ("Обмен опытом", "Вопросы коллегам, обсуждение уроков и методик"),
    ("Методическая копилка", "Разработки уроков, рабочие программы, полезные ссылки"),
    ("Функциональная грамотность", "Задания, диагностические работы, опыт формирования"),
    ("Подготовка к ОГЭ и ЕГЭ", "Разбор заданий, пробные экзамены, советы выпускникам"),
    ("Воспитательная работа", "Классное руководство, «Разговоры о важном», школьные события"),
    ("Молодым педагогам", "Наставничество, первые шаги в профессии, вопросы без стеснения"),
    ("Начальная школа", "Обучение и воспитание младших школьников"),
    ("Цифровая образовательная среда", "Электронные журналы, онлайн-сервисы, ФГИС «Моя школа»"),
    ("Нормативные документы", "ФГОС, ФОП, положения и локальные акты"),
    ("Свободное общение", "Обо всём, что не вошло в другие разделы"),
]
MIN_SECTIONS = 8

# --- events ---
# (weight, type, ((weight, format), ...), title templates)
EVENT_KINDS = [
    (25, "seminar", ((50, "offline"), (35, "online"), (15, "mixed")), [
        "Семинар «{theme}»", "Региональный семинар «{theme}»",
        "Обучающий семинар для {audience}: {theme_l}",
        "Практико-ориентированный семинар «{theme}»",
        "Семинар-практикум «{lesson}»: урок {subj_gen} в {grade} классе",
    ]),
    (25, "webinar", ((100, "online"),), [
        "Вебинар «{theme}»", "Вебинар «Подготовка к {exam} по {subj_dat}»",
        "Вебинар для {audience}: {theme_l}", "Вебинар «{theme}: от теории к практике»",
    ]),
    (15, "master_class", ((70, "offline"), (30, "online")), [
        "Мастер-класс «{lesson}»", "Мастер-класс «{theme}»: из опыта работы",
        "Мастер-класс учителя {subj_gen} «{lesson}»",
    ]),
    (5, "conference", ((50, "offline"), (50, "mixed")), [
        "Научно-практическая конференция «{theme}»",
        "Региональная конференция «{theme}: опыт и перспективы»",
        "Августовская педагогическая конференция {year} года",
    ]),
    (8, "round_table", ((70, "offline"), (30, "mixed")), [
        "Круглый стол «{theme}»", "Круглый стол «{theme}: проблемы и решения»",
    ]),
    (12, "meeting", ((60, "offline"), (30, "online"), (10, "mixed")), [
        "Заседание методического объединения учителей {subj_gen}",
        "Заседание методического объединения {audience}",
        "Заседание совета сообщества", "Заседание творческой группы «{theme}»",
    ]),
    (4, "action", ((100, "offline"),), ["Акция «{action}»", "Всероссийская акция «{action}»"]),
    (3, "project", ((50, "offline"), (50, "online")), [
        "Сетевой проект «{theme}»", "Проект «{theme}» для {grade} классов",
    ]),
    (3, "discussion", ((100, "online"),), [
        "Открытое обсуждение: {theme_l}", "Обсуждаем проект положения о {normative}",
    ]),
]
# Minutes (or days, for the long ones) an event of each type lasts: (shortest, longest).
EVENT_MINUTES = {"seminar": (120, 180), "webinar": (60, 90), "master_class": (60, 120),
                 "conference": (240, 420), "round_table": (90, 150), "meeting": (60, 120)}
EVENT_DAYS = {"action": (1, 14), "project": (14, 60), "discussion": (3, 14)}
START_TIMES = [(9, 0), (10, 0), (10, 0), (11, 0), (13, 0), (14, 0), (14, 0), (15, 0), (15, 0),
               (15, 30), (16, 0)]
OFFLINE_SEATS = [20, 25, 30, 30, 40, 40, 50, 60, 80, 100, 120]
ONLINE_SEATS = [100, 150, 200, 300, 500]
EVENT_HOURS = [2, 2, 3, 4, 4, 6, 8, 16, 18, 36, 72]
ACTIONS = [
    "Читаем детям о войне", "Дерево Победы", "Безопасное колесо", "Урок цифры",
    "Сдай макулатуру — спаси дерево", "Дни финансовой грамотности", "Покормите птиц зимой",
    "Книжка на ладошке", "Неделя без турникетов", "Георгиевская ленточка",
]
EXAMS = ["ОГЭ", "ЕГЭ", "ВПР"]
PLACES = [
    "{org}, актовый зал", "{org}, кабинет {room}", "{org}, библиотека",
    "Центр «Точка роста», {org}",
    "Институт развития образования, г. {city}, ул. Советская, {house}, ауд. {room}",
    "Центральная городская библиотека г. {city}, читальный зал",
    "Дом учителя г. {city}, ул. Ленина, {house}",
]
ONLINE_URLS = [
    "https://sferum.example/call/{code}", "https://webinar.example/room/{code}",
    "https://konferenc.example/j/{code}",
]
PROGRAMME = [
    "выступления педагогов из опыта работы", "практическая часть в группах",
    "разбор заданий и типичных ошибок", "ответы на вопросы участников",
    "презентация лучших практик", "работа в мини-группах", "обсуждение и подведение итогов",
    "открытый урок с последующим анализом", "знакомство с методическими материалами",
    "рефлексия",
]
CANCEL_REASONS = [
    "Болезнь ведущего; новую дату сообщим дополнительно.",
    "Совпадает с региональным мероприятием, перенос на следующий месяц.",
    "Недостаточно участников.", "Карантин в образовательной организации.",
    "Помещение занято под проведение экзамена.",
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


def weighted(rng: random.Random, pairs: Sequence[tuple[float, T]]) -> Callable[[], T]:
    values = [v for _, v in pairs]
    cum = list(itertools.accumulate(w for w, _ in pairs))
    total = cum[-1]
    return lambda: values[bisect.bisect_left(cum, rng.random() * total)]


def batched(total: int, size: int = BATCH) -> Iterator[tuple[int, int]]:
    """(start, count) of each batch."""
    for start in range(0, total, size):
        yield start, min(size, total - start)


def _n(value: float) -> str:
    """12345 → «12 345»."""
    return f"{value:,.0f}".replace(",", "\u00a0")


@dataclass
class Text:
    """One generated text of a pool: rendered and stemmed once, used by many rows."""

    markdown: str
    html: str
    plain: str  # markdown_to_text, clipped as the search document keeps it
    stems: str  # search.stem_text(plain): what the SQLite FTS row holds


# --- writing in bulk ------------------------------------------------------------------------


class Bulk:
    """Inserts many rows of one table at a time, in the transaction `Loader.batch()` opened.

    Ids are chosen before the rows go in, so that the children of a batch can point at their
    parents and a topic at its last post without an UPDATE afterwards: PostgreSQL takes them
    from the table's own sequence (`nextval`, safe next to other writers); SQLite numbers on
    from max(id), which is safe because the batch holds the database's write lock from its
    first statement (BEGIN IMMEDIATE). Rows then go in with COPY (psycopg 3) on PostgreSQL and
    with the driver's executemany on SQLite, values converted by each column's SQLAlchemy
    type as an ORM insert would (SQLite's datetime text, booleans as 0/1)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._plans: dict[tuple, tuple] = {}

    @property
    def raw(self):
        return self.conn.connection.dbapi_connection

    def ids(self, table: Table, count: int) -> list[int]:
        if count <= 0:
            return []
        if self.postgres:
            taken = (f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) AS id "
                     f"FROM generate_series(1, {int(count)})")
            first, last = self.conn.exec_driver_sql(
                f"SELECT min(id), max(id) FROM ({taken}) AS taken").one()
            if last - first + 1 == count:
                return list(range(first, last + 1))
            # Another writer took numbers in between, so which ones are ours is not known:
            # take as many again and read each (the first ones stay unused, a gap as a
            # rolled-back insert leaves). Rare: only next to a busy app.
            return sorted(r[0] for r in self.conn.exec_driver_sql(taken))
        last = self.conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}")
        first = last.scalar_one() + 1
        return list(range(first, first + count))

    def _plan(self, table: Table, columns: tuple[str, ...], fixed: dict[str, Any]):
        """The statement, the converters of the given columns, and the values appended to
        every row: `fixed`, then the defaults of the columns not given, converted once. A
        column that is not given must have a constant default or be nullable, so that no
        row goes in without what the ORM would have written."""
        key = (table.name, columns, tuple(fixed))
        plan = self._plans.get(key)
        if plan is None:
            dialect = self.conn.dialect
            given = set(columns) | set(fixed)
            unknown = given - set(table.c.keys())
            if unknown:
                raise ValueError(f"{table.name}: no column {sorted(unknown)}")
            defaults = {}
            for c in table.columns:
                if c.name in given or c.computed is not None:
                    continue
                if c.primary_key and c.autoincrement in (True, "auto") \
                        and isinstance(c.type, Integer):
                    continue  # the database numbers it
                default = c.default
                if default is not None and default.is_scalar:
                    defaults[c.name] = default.arg
                elif default is None and c.nullable:
                    defaults[c.name] = None
                else:
                    raise ValueError(f"{table.name}.{c.name}: give a value")
            names = list(columns) + list(fixed) + list(defaults)

            def converter(name: str):
                return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

            converters = [(i, f) for i, name in enumerate(columns)
                          if (f := converter(name)) is not None]
            tail = [(name, converter(name)) for name in [*fixed, *defaults]]
            quoted = ", ".join(f'"{n}"' for n in names)
            if self.postgres:
                sql = f"COPY {table.name} ({quoted}) FROM STDIN"
            else:
                marks = ", ".join("?" * len(names))
                sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"
            plan = self._plans[key] = (sql, converters, tail, defaults)
        sql, converters, tail, defaults = plan
        values = {**defaults, **fixed}
        constants = tuple(convert(values[name]) if convert and values[name] is not None
                          else values[name] for name, convert in tail)
        return sql, converters, constants

    def insert(self, table: Table, columns: Sequence[str], rows: Iterable[tuple],
               **fixed: Any) -> None:
        """`rows` are tuples of `columns`; `fixed` values are the same for every row."""
        sql, converters, constants = self._plan(table, tuple(columns), fixed)

        def prepared() -> Iterator[tuple]:
            for row in rows:
                if converters:
                    row = list(row)
                    for i, convert in converters:
                        value = row[i]
                        if value is not None:
                            row[i] = convert(value)
                    row = tuple(row)
                yield row + constants if constants else row

        if self.postgres:
            with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in prepared():
                    copy.write_row(row)
        else:
            self.raw.executemany(sql, prepared())

    def documents(self, docs: list[tuple[int, str, int, int, str, str, str, str]],
                  updated_at: datetime) -> None:
        """Search documents as `search.index_document` writes them: the `search_documents`
        rows (id, kind, object id, community, clipped title and body), and on SQLite the FTS5
        row with the same rowid holding the stemmed title and body and the scope tokens
        (`search.scope_text`). Each of `docs` is
        (id, kind, object_id, community_id, title, body, title stems, body stems). On
        PostgreSQL the stored tsv column and its GIN index cover the new rows by themselves."""
        if not docs:
            return
        self.insert(search.SearchDocument.__table__,
                    ("id", "kind", "object_id", "community_id", "title", "body"),
                    (d[:6] for d in docs), updated_at=updated_at)
        if not self.postgres:
            fts = search.FTS_TABLE
            # As index_document does, drop any stale FTS row under a new rowid first. The ids
            # of a batch are above every id there was, all taken by this batch.
            self.conn.exec_driver_sql(f"DELETE FROM {fts} WHERE rowid BETWEEN ? AND ?",
                                      (docs[0][0], docs[-1][0]))
            self.raw.executemany(
                f"INSERT INTO {fts} (rowid, title, body, scope) VALUES (?, ?, ?, ?)",
                ((d[0], d[6], d[7], search.scope_text(d[1], d[3])) for d in docs))


class Loader:
    """One connection for the whole run, tuned for loading while it runs and restored after.

    - SQLite: synchronous=OFF (should the operating system crash meanwhile, the file may be
      damaged: seed databases that can be made again) and a 256 MB page cache.
    - PostgreSQL: synchronous_commit off.
    - Foreign keys are not checked while loading (SQLite: foreign_keys=OFF; PostgreSQL:
      session_replication_role=replica, which skips the triggers that check them). That
      makes the forum's load a third faster on PostgreSQL (bench/seed.md). Every reference
      is to a row the same batch wrote, or to members, communities and sections read before;
      tests/test_scale.py checks every foreign key after seeding.

    Each batch is one transaction (`batch()`), so a stopped run leaves whole, consistent
    batches behind."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.bulk = Bulk(conn)
        self.sqlite = conn.dialect.name == "sqlite"
        self._restore: list[str] = []

    @classmethod
    @contextmanager
    def open(cls) -> Iterator[Loader]:
        with db.engine.connect() as conn:
            loader = cls(conn)
            loader._tune()
            try:
                yield loader
            finally:
                if conn.in_transaction():
                    conn.rollback()
                for sql in loader._restore:
                    conn.exec_driver_sql(sql)
                conn.commit()

    def _tune(self) -> None:
        run = self.conn.exec_driver_sql
        if self.sqlite:
            synchronous, cache, foreign_keys = (
                run(f"PRAGMA {name}").scalar_one()
                for name in ("synchronous", "cache_size", "foreign_keys"))
            run("PRAGMA synchronous=OFF")
            run("PRAGMA cache_size=-262144")
            run("PRAGMA foreign_keys=OFF")
            self._restore = [f"PRAGMA synchronous={int(synchronous)}",
                             f"PRAGMA cache_size={int(cache)}",
                             f"PRAGMA foreign_keys={int(foreign_keys)}"]
            self.conn.commit()
            return
        run("SET synchronous_commit TO off")
        self._restore = ["RESET synchronous_commit"]
        self.conn.commit()
        try:
            # Foreign-key checks are triggers, which this skips; a superuser's right (or
            # one granted SET on it). Without it, the load checks every reference: slower.
            run("SET session_replication_role TO replica")
        except DBAPIError:
            self.conn.rollback()
            click.echo("(без права SET session_replication_role внешние ключи проверяются "
                       "при загрузке: медленнее)")
        else:
            self._restore.append("RESET session_replication_role")
            self.conn.commit()

    @contextmanager
    def batch(self) -> Iterator[Bulk]:
        with self.conn.begin():
            if self.sqlite:
                # The write lock now, before max(id) is read (see Bulk).
                self.conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield self.bulk

    def analyze(self) -> None:
        """Fresh planner statistics after the load. PostgreSQL: ANALYZE (autovacuum would do
        it a minute later). SQLite keeps statistics only once somebody ran ANALYZE (the app
        never does); then they are refreshed, else the database stays without, as a
        production one would be."""
        run = self.conn.exec_driver_sql
        if self.sqlite:
            if run("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
                run("ANALYZE")
        else:
            run("ANALYZE")
        self.conn.commit()


class Progress:
    """Progress lines with the rate (rows per second), at most one every few seconds."""

    def __init__(self, label: str, total: int, echo: Callable[[str], None],
                 every: float = 3.0) -> None:
        self.label, self.total, self.echo, self.every = label, total, echo, every
        self.started = time.perf_counter()
        self.shown = self.started
        self.done = 0

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def add(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if now - self.shown >= self.every or self.done >= self.total:
            self.shown = now
            elapsed = now - self.started
            rate = self.done / elapsed if elapsed else 0
            self.echo(f"  {self.label}: {_n(self.done)} из {_n(self.total)} "
                      f"({elapsed:.1f} с, {_n(rate)} в секунду)")


@dataclass
class Part:
    """What one part of the run made, for the summary."""

    label: str
    rows: int
    seconds: float
    also: str = ""


@dataclass
class Member:
    user_id: int
    full_name: str


@dataclass
class Target:
    """A community that gets rows, with its active members (the authors)."""

    id: int
    slug: str
    timezone: str = "Europe/Moscow"
    members: list[Member] = field(default_factory=list)
    managers: list[int] = field(default_factory=list)  # coordinators and the chair
    _cum: list[float] = field(default_factory=list)

    def prepare(self) -> None:
        # A few members write most: weight 1 / rank^0.8 over a shuffled member list.
        self._cum = list(itertools.accumulate(1 / (r + 1) ** 0.8 for r in range(len(self.members))))

    def pick(self, rng: random.Random) -> Member:
        return self.members[bisect.bisect_left(self._cum, rng.random() * self._cum[-1])]


@dataclass
class Thread:
    """A topic about to be written, with its posts (number, author, time, text)."""

    target: Target
    section_id: int
    title: str
    title_stems: str
    posts: list[tuple[int, Member, datetime, Text]]


# --- the seeder ---------------------------------------------------------------------------


class ScaleSeeder:
    def __init__(self, rng: random.Random, loader: Loader,
                 echo: Callable[[str], None] = click.echo) -> None:
        self.rng = rng
        self.loader = loader
        self.echo = echo
        self.now = utcnow().replace(microsecond=0)
        self.position = weighted(rng, POSITIONS)
        self.organisation_template = weighted(rng, ORGANISATIONS)
        self.topic_label = weighted(rng, TOPIC_LABELS)
        self.event_kind = weighted(rng, [(w, k) for w, *k in EVENT_KINDS])
        self.parts: list[Part] = []

    def batch(self):
        return self.loader.batch()

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
        targets = [Target(id=found[s].id, slug=s, timezone=found[s].timezone or "Europe/Moscow")
                   for s in slugs]
        db.session.commit()
        return targets

    def load_members(self, targets: list[Target]) -> None:
        by_id = {t.id: t for t in targets}
        for t in targets:
            t.members, t.managers = [], []
        rows = db.session.execute(
            select(Membership.community_id, User.id, User.full_name, Membership.role)
            .join(User, User.id == Membership.user_id)
            .where(Membership.community_id.in_(by_id), Membership.left_at.is_(None))
            .order_by(Membership.id)
        )
        for community_id, user_id, full_name, role in rows:
            by_id[community_id].members.append(Member(user_id, full_name))
            if role in (Role.COORDINATOR, Role.CHAIR):
                by_id[community_id].managers.append(user_id)
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
        """New users, each a member of one target community (a fifth of them of two), and
        the communities' member_count raised by as many."""
        if count <= 0:
            return
        rng = self.rng
        progress = Progress("пользователи", count, self.echo)
        users_table, members_table = User.__table__, Membership.__table__
        communities_table = Community.__table__
        memberships_made = 0
        for _, size in batched(count):
            with self.batch() as bulk:
                ids = bulk.ids(users_table, size)
                rows, memberships, joined = [], [], {t.id: 0 for t in targets}
                words = []  # the member pickers' search keys, as User._index_name keeps them
                for user_id in ids:
                    full_name, surname, initials = self._person()
                    words.extend((user_id, word) for word in fold_words(full_name))
                    organisation, municipality = self._organisation()
                    created = self.now - timedelta(days=rng.uniform(3 * 365, 4 * 365))
                    last_login = (self.now - timedelta(days=rng.expovariate(1 / 20))
                                  if rng.random() < 0.7 else None)
                    # The id makes the address unique whatever names came before.
                    rows.append((user_id, f"{surname}.{initials}.{user_id}@{EMAIL_DOMAIN}",
                                 full_name, self.position(), organisation, municipality,
                                 rng.random() < 0.9, last_login, created))
                    chosen = [rng.choice(targets)]
                    if len(targets) > 1 and rng.random() < 0.2:
                        other = rng.choice(targets)
                        if other is not chosen[0]:
                            chosen.append(other)
                    for t in chosen:
                        memberships.append((
                            user_id, t.id, rng.random() < 0.03,
                            created + timedelta(days=rng.uniform(0, 60))))
                        joined[t.id] += 1
                bulk.insert(users_table, ("id", "email", "full_name", "position",
                                          "organisation", "municipality", "show_memberships",
                                          "last_login_at", "created_at"),
                            rows, password_hash=password_hash, is_admin=False)
                bulk.insert(UserNameWord.__table__, ("user_id", "word"), words)
                bulk.insert(members_table, ("user_id", "community_id", "is_expert",
                                            "joined_at"),
                            memberships, role=str(Role.MEMBER), is_council=False,
                            excluded=False)
                memberships_made += len(memberships)
                c = communities_table.c
                for community_id, added in joined.items():
                    if added:
                        bulk.conn.execute(update(communities_table)
                                          .where(c.id == community_id)
                                          .values(member_count=c.member_count + added))
            progress.add(size)
        self.parts.append(Part("пользователи", count, progress.elapsed,
                               f"членств в сообществах {_n(memberships_made)}"))

    # --- texts ---

    def text_pool(self, size: int, make: Callable[[], str]) -> list[Text]:
        """`size` distinct-ish texts, each rendered and stemmed once."""
        pool = []
        for _ in range(size):
            markdown = make()
            plain = search._clip(markdown_to_text(markdown))
            pool.append(Text(markdown, render_markdown(markdown), plain,
                             search.stem_text(plain)))
        return pool

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


    def materials(self, count: int, targets: list[Target]) -> None:
        if count <= 0:
            return
        rng = self.rng
        authored = [t for t in targets if t.members]
        if not authored:
            raise click.ClickException(
                "В сообществах нет участников, некому быть авторами: добавьте --users N.")
        progress = Progress("материалы", count, self.echo)  # the texts' time counts too
        pool = self.text_pool(min(count, TEXT_POOL), self.description)
        span = timedelta(days=3 * 365).total_seconds()
        first = self.now - timedelta(seconds=span)
        materials_table = Material.__table__
        docs_table = search.SearchDocument.__table__
        made_topics = 0
        for start, size in batched(count):
            with self.batch() as bulk:
                ids = bulk.ids(materials_table, size)
                doc_ids = bulk.ids(docs_table, size)
                rows, topics, coauthors, docs = [], [], [], []
                for i, material_id, doc_id in zip(range(start, start + size), ids, doc_ids,
                                                  strict=True):
                    target = rng.choice(authored)
                    author = target.pick(rng)
                    coauthor = target.pick(rng) if rng.random() < 0.08 else None
                    if coauthor is not None and coauthor.user_id == author.user_id:
                        coauthor = None
                    title, type_, level = self.title()
                    text = rng.choice(pool)
                    labels = list(dict.fromkeys(
                        self.topic_label() for _ in range(rng.randint(1, 3))))
                    topics_text = "; ".join(labels)
                    created = first + timedelta(seconds=span * (i + rng.random()) / count)
                    pending = rng.random() < 0.01
                    best = rng.random() < (0.2 if type_ == MaterialType.BEST_PRACTICE else 0.005)
                    if type_ == MaterialType.VIDEO:
                        link = f"https://video.example/watch/{rng.getrandbits(40):010x}"
                    else:
                        city = rng.choice(CITIES)[2]
                        link = (f"https://sch{rng.randint(1, 120)}-{city}.edu.example/"
                                f"metodika/{rng.getrandbits(32):08x}")
                    rows.append((
                        material_id, target.id, author.user_id, title, text.markdown, text.html,
                        str(type_), str(level), link,
                        str(MaterialStatus.PENDING if pending else MaterialStatus.PUBLISHED),
                        None if pending else created, best and not pending,
                        0 if pending else int(rng.lognormvariate(1.8, 1.3)), created,
                        topics_text, created,
                    ))
                    topics += [(material_id, label.casefold(), label) for label in labels]
                    names = author.full_name
                    if coauthor is not None:
                        coauthors.append((material_id, coauthor.user_id))
                        names += " " + coauthor.full_name
                    # As app.materials.services.reindex builds it (no files here); the stems
                    # of the parts joined are the stems of the whole (" \n" separates words).
                    body = " \n".join([text.plain, topics_text, names])
                    if len(body) <= search.MAX_INDEXED_CHARS:
                        stems = " ".join(s for s in (text.stems, search.stem_text(topics_text),
                                                     search.stem_text(names)) if s)
                    else:
                        body = search._clip(body)
                        stems = search.stem_text(body)
                    docs.append((doc_id, "material", material_id, target.id,
                                 search._clip(title), body, search.stem_text(title), stems))
                bulk.insert(materials_table, (
                    "id", "community_id", "author_id", "title", "description",
                    "description_html", "type", "level", "link_url", "status", "published_at",
                    "is_best_practice", "download_count", "updated_at", "topics_text",
                    "created_at"), rows)
                bulk.insert(MaterialTopic.__table__, ("material_id", "tag", "label"), topics)
                bulk.insert(MaterialAuthor.__table__, ("material_id", "user_id"), coauthors)
                bulk.documents(docs, self.now)
                made_topics += len(topics)
            progress.add(size)
        self.parts.append(Part("материалы", count, progress.elapsed,
                               f"тем материалов {_n(made_topics)}, документов поиска "
                               f"{_n(count)}"))

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

    def _sections(self, targets: list[Target]) -> dict[int, Callable[[], int]]:
        """Each target's discussion sections (not announcements, not a working group's), with
        those of SECTIONS it lacks added up to MIN_SECTIONS; a picker of one of them, a few
        sections much busier than the rest."""
        found: dict[int, list[tuple[int, str]]] = {t.id: [] for t in targets}
        for section_id, community_id, title in db.session.execute(
                select(Section.id, Section.community_id, Section.title).where(
                    Section.community_id.in_(found), Section.is_announcements.is_(False),
                    Section.group_id.is_(None)).order_by(Section.id)):
            found[community_id].append((section_id, title))
        for community_id, have in found.items():
            titles = {title for _, title in have}
            wanted = [s for s in SECTIONS if s[0] not in titles][:max(0, MIN_SECTIONS - len(have))]
            if not wanted:
                continue
            last = db.session.scalar(select(func.max(Section.position)).where(
                Section.community_id == community_id)) or 0
            for n, (title, description) in enumerate(wanted, 1):
                section = Section(community_id=community_id, title=title,
                                  description=description, is_announcements=False,
                                  position=last + n)
                db.session.add(section)
                db.session.flush()
                have.append((section.id, title))
        db.session.commit()
        pickers = {}
        for community_id, have in found.items():
            ids = [section_id for section_id, _ in have]
            self.rng.shuffle(ids)
            pickers[community_id] = weighted(
                self.rng, [(1 / (rank + 1) ** 0.9, i) for rank, i in enumerate(ids)])
        return pickers

    def _topic_sizes(self, count: int) -> list[int]:
        """Posts per topic, `count` in all: most topics short (one to a few dozen posts),
        some long (hundreds), and from 1,000 posts on a few very long ones (thousands; one per
        100,000 posts, at most 20), placed among the older topics so that they run for
        years up to now."""
        rng = self.rng
        very_long = []
        if count >= 1000:
            n = min(20, max(1, count // 100_000))
            very_long = [min(rng.randint(2000, 8000), count // (4 * n)) for _ in range(n)]
        sizes = []
        left = count - sum(very_long)
        while left > 0:
            r = rng.random()
            if r < 0.85:
                size = 1 + int(rng.expovariate(1 / 5))
            elif r < 0.97:
                size = int(rng.lognormvariate(math.log(40), 0.6))
            else:
                size = int(rng.lognormvariate(math.log(250), 0.6))
            size = max(1, min(size, left))
            sizes.append(size)
            left -= size
        for size in very_long:
            sizes.insert(rng.randrange(len(sizes) // 3 + 1), size)
        return sizes

    def _thread(self, target: Target, section_id: int, size: int, started: datetime,
                pool: list[Text]) -> Thread:
        """A topic of `size` posts from `started` on: about four hours between posts (less
        where that would run past now; a very long topic spreads over all the time it has)."""
        rng = self.rng
        available = (self.now - started).total_seconds()
        gaps = [rng.expovariate(1.0) for _ in range(size - 1)]
        total = sum(gaps)
        mean_gap = 4 * 3600 if size < 1000 else available / size
        scale = mean_gap if total * mean_gap <= available * 0.98 else available * 0.98 / total
        title = self.forum_title()
        posts, at, pick, choice = [], started, target.pick, rng.choice
        posts.append((1, pick(rng), at, choice(pool)))
        for number, gap in enumerate(gaps, 2):
            at += timedelta(seconds=gap * scale)
            posts.append((number, pick(rng), at, choice(pool)))
        return Thread(target, section_id, title, search.stem_text(title), posts)

    def posts(self, count: int, targets: list[Target]) -> None:
        """Topics (see _topic_sizes) over the sections, numbered posts, every counter of the
        topic and the section kept as the forum services keep them, watches of every
        author, and the search documents of each topic and post."""
        if count <= 0:
            return
        rng = self.rng
        authored = [t for t in targets if t.members]
        if not authored:
            raise click.ClickException(
                "В сообществах нет участников, некому писать на форуме: добавьте --users N.")
        progress = Progress("сообщения форума", count, self.echo)
        sections = self._sections(authored)
        pool = self.text_pool(min(count, TEXT_POOL), self.post_body)
        sizes = self._topic_sizes(count)
        span = timedelta(days=3 * 365).total_seconds()
        first = self.now - timedelta(seconds=span)
        made = topics_made = watches_made = 0
        longest = max(sizes)
        queue: list[Thread] = []
        queued = 0
        for size in sizes:
            target = rng.choice(authored)
            started = first + timedelta(seconds=span * (made + queued + rng.random()) / count)
            queue.append(self._thread(target, sections[target.id](), size, started, pool))
            queued += size
            if queued >= POST_BATCH:
                watches_made += self._write_threads(queue, queued)
                made, topics_made = made + queued, topics_made + len(queue)
                progress.add(queued)
                queue, queued = [], 0
        if queue:
            watches_made += self._write_threads(queue, queued)
            made, topics_made = made + queued, topics_made + len(queue)
            progress.add(queued)
        self.parts.append(Part(
            "сообщения форума", count, progress.elapsed,
            f"тем {_n(topics_made)} (самая длинная — {_n(longest)} сообщений), подписок "
            f"{_n(watches_made)}, документов поиска {_n(count + topics_made)}"))

    def _write_threads(self, threads: list[Thread], post_total: int) -> int:
        """One batch: the topics, their posts, watches, search documents and the sections'
        counters. Returns the watches written."""
        topics_table, posts_table = Topic.__table__, Post.__table__
        sections_table = Section.__table__
        with self.batch() as bulk:
            topic_ids = bulk.ids(topics_table, len(threads))
            post_ids = iter(bulk.ids(posts_table, post_total))
            doc_ids = iter(bulk.ids(search.SearchDocument.__table__, len(threads) + post_total))
            topics, posts, watches, docs = [], [], [], []
            sections: dict[int, list] = {}
            for topic_id, thread in zip(topic_ids, threads, strict=True):
                community_id = thread.target.id
                title = search._clip(thread.title)
                opening = thread.posts[0][3]
                docs.append((next(doc_ids), "topic", topic_id, community_id, title,
                             opening.plain, thread.title_stems, opening.stems))
                authors = set()
                post_id = 0
                for number, author, at, text in thread.posts:
                    post_id = next(post_ids)
                    posts.append((post_id, topic_id, community_id, number, author.user_id,
                                  text.markdown, text.html, at))
                    docs.append((next(doc_ids), "post", post_id, community_id, title,
                                 text.plain, thread.title_stems, text.stems))
                    authors.add(author.user_id)
                watches += [(user_id, topic_id) for user_id in authors]
                _, last_author, last_at, _ = thread.posts[-1]
                topics.append((topic_id, thread.section_id, community_id, thread.title,
                               thread.posts[0][1].user_id, len(thread.posts), last_at, post_id,
                               last_author.user_id, thread.posts[0][2]))
                counts = sections.setdefault(thread.section_id, [0, 0, None, None])
                counts[0] += 1
                counts[1] += len(thread.posts)
                if counts[2] is None or last_at >= counts[2]:
                    counts[2], counts[3] = last_at, topic_id
            bulk.insert(topics_table, (
                "id", "section_id", "community_id", "title", "author_id", "post_count",
                "last_post_at", "last_post_id", "last_author_id", "created_at"),
                topics, is_pinned=False, is_closed=False)
            bulk.insert(posts_table, ("id", "topic_id", "community_id", "number", "author_id",
                                      "body", "body_html", "created_at"), posts)
            watches.sort()  # in primary key order: fewer index pages touched
            bulk.insert(TopicWatch.__table__, ("user_id", "topic_id"), watches)
            bulk.documents(docs, self.now)
            s = sections_table.c
            for section_id, (n_topics, n_posts, last_at, last_topic) in sorted(sections.items()):
                newer = s.last_post_at.is_(None) | (s.last_post_at < last_at)
                bulk.conn.execute(
                    update(sections_table).where(s.id == section_id).values(
                        topic_count=s.topic_count + n_topics,
                        post_count=s.post_count + n_posts,
                        last_topic_id=case((newer, last_topic), else_=s.last_topic_id),
                        last_post_at=case((newer, last_at), else_=s.last_post_at),
                    ))
        return len(watches)

    # --- events ---

    def _event_days(self) -> Callable[[], date]:
        """A day in the past 365 and the next 365 days, weighted as schools hold events:
        few in the summer holidays, at the New Year and on weekends, fewer the further ahead
        (not planned yet)."""
        today = self.now.date()
        pairs = []
        for offset in range(-365, 366):
            day = today + timedelta(days=offset)
            weight = MONTH_WEIGHTS[day.month]
            if day.month == 1 and day.day <= 8:
                weight = 0.05
            weight *= (1, 1, 1, 1, 1, 0.25, 0.05)[day.weekday()]
            if offset > 0:
                weight *= 1 - 0.6 * offset / 365
            pairs.append((weight, day))
        return weighted(self.rng, pairs)

    def event_description(self) -> str:
        rng = self.rng
        verb = rng.choice(["принять участие", "присоединиться", "поделиться опытом"])
        parts = [f"Приглашаем {rng.choice(AUDIENCES)} {verb}."]
        items = rng.sample(PROGRAMME, rng.randint(2, 4))
        parts.append("В программе:\n\n" + "\n".join(f"- {i};" for i in items[:-1])
                     + f"\n- {items[-1]}.")
        if rng.random() < 0.6:
            name = self._person()[0]
            parts.append(f"**Ведущий:** {name}, {lower_first(self.position())}.")
        if rng.random() < 0.4:
            parts.append(rng.choice([
                "По итогам участия выдаётся сертификат.",
                "Участие бесплатное, нужна предварительная запись.",
                "Материалы мероприятия будут размещены в методическом банке сообщества.",
                "Просим взять с собой ноутбук или планшет.",
            ]))
        return "\n\n".join(parts)

    def _event_title(self, templates: list[str]) -> str:
        rng = self.rng
        subj_gen, subj_dat, (low, high), lessons = rng.choice(SUBJECTS)
        theme = self._theme()
        return rng.choice(templates).format(
            theme=theme, theme_l=lower_first(theme), lesson=rng.choice(lessons),
            subj_gen=subj_gen, subj_dat=subj_dat, grade=rng.randint(low, high),
            audience=rng.choice(AUDIENCES), year=self.now.year, action=rng.choice(ACTIONS),
            exam=rng.choice(EXAMS), normative=rng.choice(NORMATIVE_OBJECTS),
        )

    def _event(self, event_id: int, target: Target, day: date, pool: list[Text]):
        """One event's row and organisers, and its sign-ups as the services would have made
        them (`_sign_ups`)."""
        rng, now = self.rng, self.now
        type_, formats, templates = self.event_kind()
        format_ = weighted(rng, formats)()
        hour, minute = rng.choice(START_TIMES)
        local = datetime.combine(day, dtime(hour, minute), tzinfo=zone_of(target.timezone))
        starts = local.astimezone(UTC).replace(tzinfo=None)
        if type_ in EVENT_DAYS:
            ends = starts + timedelta(days=rng.randint(*EVENT_DAYS[type_]), hours=-1)
        else:
            ends = starts + timedelta(minutes=5 * (rng.randint(*EVENT_MINUTES[type_]) // 5))
        created = starts - timedelta(days=rng.uniform(7, 60))
        if created > now:
            created = now - timedelta(hours=rng.uniform(1, 14 * 24))
        r = rng.random()
        if ends <= now:
            status = ("cancelled" if r < 0.04 else "draft" if r < 0.06
                      else "published" if r < 0.20 else "finished")
        elif starts <= now:
            status = "published"
        else:
            ahead = (starts - now).days
            status = ("cancelled" if r < 0.03 else "draft" if r < 0.08 + 0.15 * ahead / 365
                      else "published")
        published = (None if status == "draft"
                     else min(created + timedelta(hours=rng.uniform(0.5, 72)), now))
        cancelled = reason = None
        if status == "cancelled":
            latest = min(starts, now)
            cancelled = published + (latest - published) * rng.random()
            reason = rng.choice(CANCEL_REASONS)
        opens = closes = None
        if published is not None and rng.random() < 0.2:
            opens = published + timedelta(hours=rng.uniform(1, 72))
            if opens >= starts:
                opens = None
        if rng.random() < 0.3 and starts - timedelta(days=1) > (opens or published or created):
            closes = starts - timedelta(days=1)
        if format_ == "online":
            capacity = None if rng.random() < 0.55 else rng.choice(ONLINE_SEATS)
        elif type_ in EVENT_DAYS:
            capacity = None
        else:
            capacity = rng.choice(OFFLINE_SEATS)
        place = url = ""
        if format_ != "online":
            organisation, _ = self._organisation()
            place = rng.choice(PLACES).format(
                org=organisation, room=rng.randint(101, 320), city=rng.choice(CITIES)[1],
                house=rng.randint(1, 120))
        if format_ != "offline":
            url = rng.choice(ONLINE_URLS).format(code=f"{rng.getrandbits(40):010x}")
        creator = (rng.choice(target.managers) if target.managers and rng.random() < 0.7
                   else target.pick(rng).user_id)
        organisers = [creator]
        if rng.random() < 0.3:
            other = target.pick(rng).user_id
            if other != creator:
                organisers.append(other)
        hours = (rng.choice(EVENT_HOURS) if type_ not in EVENT_DAYS and rng.random() < 0.6
                 else None)
        if status == "finished":
            updated = min(ends + timedelta(hours=rng.uniform(1, 72)), now)
        else:
            updated = cancelled or published or created
        text = rng.choice(pool)
        registrations, confirmed, waiting = self._sign_ups(
            target, status, capacity, published, opens, closes, starts, cancelled, creator)
        row = (event_id, target.id, creator, type_, format_, self._event_title(templates),
               text.markdown, text.html, place, url, starts, ends, capacity, opens, closes,
               status, hours, published, updated, cancelled, reason or "", confirmed,
               waiting, created)
        return row, organisers, registrations

    def _sign_ups(self, target: Target, status: str, capacity: int | None,
                  published: datetime | None, opens: datetime | None,
                  closes: datetime | None, starts: datetime, cancelled: datetime | None,
                  organiser: int) -> tuple[list[tuple], int, int]:
        """Members signing up in the sign-up window (until now, or until the event was
        cancelled), some cancelling later, replayed as `app.events.services` handles them:
        a seat while there is one, else the waiting list; a freed seat goes at once to the
        first in line. Finished events have attendance marked. Returns the rows (in queue
        order) and the confirmed and waiting counts."""
        rng, now = self.rng, self.now
        if published is None:
            return [], 0, 0
        window_start = opens or published
        window_end = min(closes or starts, cancelled or starts)
        if window_end <= window_start:
            return [], 0, 0
        if capacity is None:
            demand = int(rng.lognormvariate(math.log(35), 0.8))
        else:
            demand = int(capacity * rng.lognormvariate(math.log(0.8), 0.45))
        demand = min(demand, len(target.members))
        window = window_end - window_start
        # Most sign up soon after the announcement: half in the first fifth of the window.
        times = sorted(window_start + window * rng.random() ** 2.5 for _ in range(demand))
        times = [t for t in times if t <= now]
        people = rng.sample(target.members, len(times))
        cancel_by = min(starts, now, cancelled or now)
        # (time, 0 = sign-up / 1 = cancellation, index)
        actions = [(t, 0, i) for i, t in enumerate(times)]
        for i, t in enumerate(times):
            if rng.random() < 0.08 and cancel_by > t:
                actions.append((t + (cancel_by - t) * rng.random(), 1, i))
        actions.sort()
        state: list[list] = [[None, None, None] for _ in times]  # status, confirmed, cancelled
        seated, queue = 0, deque()
        for at, kind, i in actions:
            reg = state[i]
            if kind == 0:
                if capacity is None or seated < capacity:
                    reg[0], reg[1] = "confirmed", at
                    seated += 1
                else:
                    reg[0] = "waitlisted"
                    queue.append(i)
                continue
            if reg[0] == "confirmed":
                seated -= 1
                while queue and (capacity is None or seated < capacity):
                    promoted = state[queue.popleft()]
                    promoted[0], promoted[1] = "confirmed", at
                    seated += 1
            elif reg[0] == "waitlisted":
                queue.remove(i)
            reg[0], reg[2] = "cancelled", at
        rows = []
        for t, person, (status_, confirmed_at, cancelled_at) in zip(
                times, people, state, strict=True):
            attended = (rng.random() < 0.85 if status == "finished" and status_ == "confirmed"
                        else None)
            added_by = organiser if rng.random() < 0.04 and organiser != person.user_id else None
            rows.append((person.user_id, status_, t, t, confirmed_at, cancelled_at, added_by,
                         attended))
        return rows, seated, len(queue)

    def events(self, count: int, targets: list[Target]) -> None:
        """Events over the past and the coming year (see _event_days and _event), with their
        organisers and sign-ups; the counters on each event are those of its sign-ups."""
        if count <= 0:
            return
        rng = self.rng
        hosts = [t for t in targets if t.members]
        if not hosts:
            raise click.ClickException(
                "В сообществах нет участников, некому проводить мероприятия: добавьте "
                "--users N.")
        progress = Progress("мероприятия", count, self.echo)
        pool = self.text_pool(min(count, EVENT_POOL), self.event_description)
        day = self._event_days()
        events_table = Event.__table__
        signed_up = 0
        for _, size in batched(count, EVENT_BATCH):
            with self.batch() as bulk:
                rows, organisers, registrations = [], [], []
                for event_id in bulk.ids(events_table, size):
                    row, people, signs = self._event(event_id, rng.choice(hosts), day(), pool)
                    rows.append(row)
                    organisers += [(event_id, user_id) for user_id in people]
                    registrations += [(event_id, *s) for s in signs]
                bulk.insert(events_table, (
                    "id", "community_id", "created_by_id", "type", "format", "title",
                    "description", "description_html", "place", "online_url", "starts_at",
                    "ends_at", "capacity", "registration_opens_at", "registration_closes_at",
                    "status", "hours", "published_at", "updated_at", "cancelled_at",
                    "cancel_reason", "confirmed_count", "waitlist_count", "created_at"),
                    rows, sequence=0)
                bulk.insert(EventOrganiser.__table__, ("event_id", "user_id"), organisers)
                # In queue order, so that ids break ties of queued_at as the services' do.
                bulk.insert(Registration.__table__, (
                    "event_id", "user_id", "status", "created_at", "queued_at",
                    "confirmed_at", "cancelled_at", "added_by_id", "attended"), registrations)
                signed_up += len(registrations)
            progress.add(size)
        self.parts.append(Part("мероприятия", count, progress.elapsed,
                               f"записей на мероприятия {_n(signed_up)}"))


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Moscow")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Moscow")


@click.command("seed-scale")
@click.option("--users", default=0, type=click.IntRange(min=0), help="New users (members).")
@click.option("--materials", default=0, type=click.IntRange(min=0), help="New materials.")
@click.option("--posts", default=0, type=click.IntRange(min=0),
              help="New forum posts (in new topics).")
@click.option("--events", default=0, type=click.IntRange(min=0),
              help="New events (with organisers and sign-ups).")
@click.option("--community", "community_slug", default=None,
              help="Fill this community (created when missing) instead of the demo ones.")
@click.option("--random-seed", default=None, type=int, help="For a repeatable run.")
@with_appcontext
def seed_scale(users: int, materials: int, posts: int, events: int,
               community_slug: str | None, random_seed: int | None) -> None:
    """Fill the database with many realistic rows quickly (bulk inserts), for benchmarks."""
    from flask import current_app

    from app.demo.seed import DEMO_PASSWORD

    started = time.perf_counter()
    db.session.commit()  # nothing of the session's may hold a lock while batches run
    with Loader.open() as loader:
        seeder = ScaleSeeder(random.Random(random_seed), loader)
        targets = seeder.targets(community_slug)
        click.echo(f"Сообщества: {', '.join(t.slug for t in targets)}; база данных: "
                   f"{db.engine.dialect.name}")
        if users:
            password_hash = generate_password_hash(
                DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])
            seeder.users(users, targets, password_hash)
        if materials or posts or events:
            seeder.load_members(targets)
        seeder.materials(materials, targets)
        seeder.posts(posts, targets)
        seeder.events(events, targets)
        analyzed = time.perf_counter()
        loader.analyze()
        seeder.parts.append(Part("статистика планировщика (ANALYZE)", 0,
                                 time.perf_counter() - analyzed))
    db.session.remove()
    took = time.perf_counter() - started
    click.echo("Итого:")
    for part in seeder.parts:
        rate = f", {_n(part.rows / part.seconds)} в секунду" if part.rows and part.seconds else ""
        rows = f"{_n(part.rows)} за " if part.rows else ""
        also = f"; {part.also}" if part.also else ""
        click.echo(f"  {part.label}: {rows}{part.seconds:.1f} с{rate}{also}")
    click.echo(f"Готово за {took:.1f} с: пользователей {_n(users)}, материалов {_n(materials)}, "
               f"сообщений форума {_n(posts)}, мероприятий {_n(events)}. "
               f"Пароль новых пользователей: {DEMO_PASSWORD}")
