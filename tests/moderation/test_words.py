"""Watched words («стоп-слова»): the matcher in app/moderation/words.py, no database."""

from __future__ import annotations

import pytest

from app.moderation.words import (
    Match,
    WatchedWord,
    compile_words,
    normalize,
    stem_token,
    tokens,
)

ZWSP = "\u200b"  # zero-width space
ZWJ = "\u200d"  # zero-width joiner
BOM = "\ufeff"  # zero-width no-break space
SHY = "\u00ad"  # soft hyphen
ACUTE = "\u0301"  # combining acute accent


def matcher(*phrases: str, action: str = "flag"):
    return compile_words(WatchedWord(n, phrase, action) for n, phrase in enumerate(phrases))


def found(m, text: str) -> list[str]:
    return [match.found for match in m.find(text)]


# --- normalize, tokens, stem_token ------------------------------------------------------------


def test_normalize_folds_case_yo_accents_and_invisible_characters():
    assert normalize("Ёлка и ЁЖИК") == "елка и ежик"
    assert normalize(f"ду{ACUTE}рак ду{ZWSP}р{SHY}а{BOM}к") == "дурак дурак"
    assert normalize("Йод, йогурт") == "йод, йогурт"  # «й» is not «и» with an accent
    assert normalize("ＤＵＲＡＫ №１") == "durak no1"  # NFKC: full-width letters and digits


def test_normalize_reads_latin_lookalikes_in_cyrillic_words_only():
    assert normalize("дуpaк ДУPAK") == "дурак дурак"  # Latin p, a; P, A, K
    assert normalize("д0лб0ёб xyй дур@к") == "долбоеб хуй дурак"
    latin = "cat coffee top TOP 2024 ivan@mail.ru"
    assert normalize(latin) == "cat coffee top top 2024 ivan@mail.ru"


def test_tokens_are_normalized_words():
    assert tokens("«Привет», — сказал ДУPAК... (ёж!)") == ["привет", "сказал", "дурак", "еж"]
    assert tokens("ivan@mail.ru дур@к") == ["ivan", "mail", "ru", "дурак"]
    assert tokens(f"сло{ZWSP}во") == ["слово"]
    assert tokens("") == []


def test_stem_token():
    assert stem_token("дураки") == stem_token("дураков") == stem_token("дурак") == "дурак"
    assert stem_token("cats") == "cat"


def test_watched_word_checks_action_and_scope():
    assert WatchedWord(1, "дурак", "block").scope == "community"
    assert WatchedWord(None, "дурак", "hold", "platform").scope == "platform"
    with pytest.raises(ValueError):
        WatchedWord(1, "дурак", "delete")
    with pytest.raises(ValueError):
        WatchedWord(1, "дурак", "block", "global")


# --- word forms, case, ё ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["дурак", "Дураки!", "много дураков", "с дураком", "ДУРАК", "ДуРаКу"]
)
def test_a_word_matches_its_forms_in_any_case(text):
    assert len(matcher("дурак").find(text)) == 1


def test_a_watched_word_in_another_form_matches_too():
    assert found(matcher("Дураки"), "он дурак") == ["дурак"]


def test_yo_and_ye_match_both_ways():
    assert found(matcher("ёлка"), "Купили елки") == ["елки"]
    assert found(matcher("елка"), "Купили Ёлки") == ["Ёлки"]
    assert found(matcher("ЁЖ"), "ёжики и ежи") == ["ежи"]  # «ёжики» is another word


def test_whole_words_only_no_substrings():
    m = matcher("рак", "бля", "кот")
    assert m.find("раковина, бляха, котлета, скотина") == []
    assert found(m, "Раки") == ["Раки"]


# --- look-alikes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "дурaк",  # Latin a
        "дуpaк",  # Latin p and a
        "ДУPAK",  # Latin P, A, K in upper case
        "Дуpak",  # Latin p, a, k
        "дуpaки",  # and a form of it
    ],
)
def test_latin_lookalikes_mixed_into_cyrillic_words(text):
    assert found(matcher("дурак"), f"Ты {text}!") == [text]


def test_digits_and_at_sign_inside_cyrillic_words():
    assert found(matcher("долбоёб"), "д0лб0ёб") == ["д0лб0ёб"]
    assert found(matcher("дурак"), "дур@к") == ["дур@к"]
    assert found(matcher("зло"), "3ло 3лo") == ["3ло"]  # the second with a Latin o
    assert matcher("зло").find("3lo") == []  # no Cyrillic letter: not read as Cyrillic


def test_ambiguous_latin_letters_are_read_every_way():
    m = matcher("хуй", "бля")
    assert found(m, "xyй") == ["xyй"]  # x and y look like х and у
    assert found(m, "xuй") == ["xuй"]  # u: и or у
    assert found(m, "bля") == ["bля"]  # lower-case b: б, ь or в


def test_cyrillic_lookalikes_in_latin_words():
    assert found(matcher("fuck"), "what the fuсk") == ["fuсk"]  # Cyrillic «с»
    assert matcher("fuck").find("фак") == []


def test_no_false_positives_on_latin_words_with_lookalike_letters():
    # «cat», «top», «cop», «coffee» written in Latin stay English words.
    m = matcher("сат", "тор", "сор", "кофе", "сое")
    assert m.find("cat coffee top TOP cop, Купил coffee и top") == []
    assert tokens("cat coffee top") == ["cat", "coffee", "top"]


# --- prefixes, phrases -----------------------------------------------------------------------


def test_prefix_form():
    m = matcher("мошенн*")
    assert found(m, "Мошенники!") == ["Мошенники"]
    assert found(m, "это мошенничество") == ["мошенничество"]
    assert found(m, "мошенн") == ["мошенн"]
    assert m.find("антимошенничество") == []  # the beginning of a word only


def test_prefix_form_reaches_what_the_stem_does_not():
    assert matcher("бля").find("бляха") == []
    assert found(matcher("бля*"), "бляха муха") == ["бляха"]


def test_prefix_with_lookalikes():
    assert found(matcher("мошенн*"), "мoшеннички") == ["мoшеннички"]  # Latin o


def test_phrase_matches_the_same_words_in_order():
    m = matcher("иди на хрен")
    assert found(m, "Иди, на ХРЕН!") == ["Иди, на ХРЕН"]
    assert found(m, "идите на хрену") == ["идите на хрену"]
    assert m.find("иди ты на хрен") == []
    assert m.find("на хрен иди") == []
    assert m.find("иди на") == []


def test_phrase_with_a_prefix_word():
    m = matcher("мошенн* схема")
    assert found(m, "Мошенническая схемы работы") == ["Мошенническая схемы"]
    assert m.find("мошенники и схема") == []


def test_phrase_without_letters_never_matches():
    m = matcher("***", "!!!")
    assert not m
    assert m.find("*** !!!") == []


# --- tricks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("«дурак»", "дурак"),
        ("(дурак)", "дурак"),
        ("дурак!!!", "дурак"),
        ("...дурак...", "дурак"),
        ("#дурак", "дурак"),
        (f"ду{ZWSP}рак", f"ду{ZWSP}рак"),
        (f"д{ZWJ}у{ZWJ}р{ZWJ}а{ZWJ}к", f"д{ZWJ}у{ZWJ}р{ZWJ}а{ZWJ}к"),
        (f"ду{SHY}рак", f"ду{SHY}рак"),
        (f"{BOM}дурак", "дурак"),
        (f"ду{ACUTE}рак", f"ду{ACUTE}рак"),
        ("д.у.р.а.к", "д.у.р.а.к"),
        ("Д У Р А К И", "Д У Р А К И"),
        ("д-у-p-а-к", "д-у-p-а-к"),  # with a Latin p
        ("д. у. р. а. к.", "д. у. р. а. к"),
    ],
)
def test_punctuation_and_invisible_characters(text, fragment):
    assert found(matcher("дурак"), f"Ну ты {text} конечно") == [fragment]


def test_letters_spelled_out_need_one_separator():
    m = matcher("дурак")
    assert m.find("д.у р-а к") == []
    assert m.find("д у ра к") == []


def test_letters_spelled_out_still_match_alone():
    assert found(matcher("я"), "я. у. р") == ["я"]


# --- found, order, actions -----------------------------------------------------------------


def test_found_is_the_original_fragment_with_its_offsets():
    text = "Сам ты ДУPAК, а он — дуpaки. И мошенники!"
    m = compile_words([WatchedWord(1, "дурак", "flag"), WatchedWord(2, "мошенн*", "hold")])
    matches = m.find(text)
    assert [(match.word.id, match.found) for match in matches] == [(1, "ДУPAК"), (2, "мошенники")]
    for match in matches:
        assert text[match.start:match.end] == match.found


def test_each_watched_word_is_reported_once_at_its_first_place():
    m = matcher("дурак", "идиот")
    text = "идиот, дурак, дураки, идиоты"
    assert [(match.word.phrase, match.start) for match in m.find(text)] == [
        ("идиот", 0),
        ("дурак", 7),
    ]


def test_spelled_out_match_earlier_than_a_plain_one_is_reported():
    assert found(matcher("дурак"), "д у р а к, потом дурак") == ["д у р а к"]


def test_community_and_platform_words_are_both_reported():
    community = WatchedWord(1, "дурак", "flag")
    platform = WatchedWord(7, "дураки", "block", "platform")
    action, matches = compile_words([community, platform]).decide("дурак")
    assert action == "block"
    assert [match.word for match in matches] == [community, platform]


def test_decide_takes_the_strongest_action():
    words = [
        WatchedWord(1, "дурак", "flag"),
        WatchedWord(2, "идиот", "hold"),
        WatchedWord(3, "хуй", "block"),
    ]
    m = compile_words(words)
    assert m.decide("дурак")[0] == "flag"
    assert m.decide("идиот и дурак")[0] == "hold"
    assert m.decide("дурак, идиот, xyй")[0] == "block"
    action, matches = m.decide("хорошие слова")
    assert (action, matches) == (None, [])


def test_decide_returns_the_matches():
    word = WatchedWord(1, "дурак", "hold")
    assert compile_words([word]).decide("ну дурак") == ("hold", [Match(word, "дурак", 3, 8)])


def test_empty_watched_list():
    m = compile_words([])
    assert not m
    assert m.find("дурак") == []
    assert m.decide("дурак") == (None, [])
    assert matcher("дурак").find("") == []


def test_compiled_matchers_are_cached():
    words = [WatchedWord(1, "дурак", "flag"), WatchedWord(2, "мошенн*", "hold")]
    assert compile_words(words) is compile_words(list(words))
    assert compile_words(words) is not compile_words(words[:1])
