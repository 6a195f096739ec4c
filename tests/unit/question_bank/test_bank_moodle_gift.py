from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from question_bank.gift import parse_gift_file, unescape
from question_bank.importer import import_path
from question_bank.models import DRAFT, Item, Topic
from question_bank.moodle_xml import html_to_text, parse_moodle_file, topic_code_from
from question_bank.services import get_item
from question_bank.workflow import Actor, activation_problems

ACTOR = Actor(5, "importer")


def items_by_stem(session: Session) -> dict[str, Item]:
    return {
        i.latest_version.variant(i.latest_version.languages()[0]).stem: i
        for i in session.scalars(select(Item))
    }


def test_html_is_reduced_to_text_safely() -> None:
    text, unsupported = html_to_text("<p>One &amp; <b>two</b></p><script>alert('x')</script><p>three</p>")
    assert text == "One & two\nthree" and not unsupported
    assert html_to_text('<p>see</p><img src="x.png">')[1] == {"img"}


def test_category_names_become_topic_codes() -> None:
    assert topic_code_from("Testing rules") == "testing_rules"
    assert topic_code_from("Сроки тестирования") == "sroki_testirovaniya"
    assert topic_code_from("Аттестаттау мерзімдері") == "attestattau_merzimderi"
    assert topic_code_from("2024") == "t_2024"


def test_moodle_good_file(session: Session, fixtures: Path) -> None:
    report = import_path(session, fixtures / "moodle" / "good.xml", actor=ACTOR, lang="en", section="legal")
    assert report.summary() == {"imported": 3, "skipped": 0, "errors": []}
    topic = session.scalar(select(Topic))
    assert topic.code == "testing_rules" and topic.title_en == "Testing rules" and topic.section == "legal"
    items = items_by_stem(session)
    duration = items["How long is the test, not counting reading the rules?"].latest_version
    assert duration.type_code == "single_choice" and duration.key == [1]
    assert duration.variant("en").options == ["60 minutes", "120 minutes", "90 minutes", "180 minutes"]
    assert duration.variant("en").explanation == "Paragraph 18: 120 minutes & no more."
    assert duration.citation_source is None and duration.status == DRAFT
    multi = items["For whom is the threshold 70%?"].latest_version
    assert multi.type_code == "multiple_choice" and multi.key == [0, 2]
    assert multi.variant("en").explanation == "Paragraph 17.4. Also 17.4."
    tf = get_item(session, "LEG-MDL-0003").latest_version
    assert tf.type_code == "true_false" and tf.key == [0] and tf.variant("en").options == ["True", "False"]
    # one language, no citation: not activatable
    problems = " ".join(activation_problems(session, duration, Actor(9, "reviewer")))
    assert "kk variant is missing" in problems and "citation is missing" in problems
    again = import_path(session, fixtures / "moodle" / "good.xml", actor=ACTOR, lang="en", section="legal")
    assert again.summary() == {"imported": 0, "skipped": 3, "errors": []}


def test_moodle_broken_file(session: Session, fixtures: Path) -> None:
    report = import_path(session, fixtures / "moodle" / "broken.xml", actor=ACTOR, lang="en", section="legal")
    errors = {e["item"]: e for e in report.summary()["errors"]}
    assert set(errors) == {"Essay", "Picture", "Two keys in single"}
    assert errors["Essay"]["line"] == 14 and "not supported" in errors["Essay"]["message"]
    assert errors["Picture"]["line"] == 18 and "img" in errors["Picture"]["message"]
    assert "exactly one key" in errors["Two keys in single"]["message"]
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_moodle_refuses_entities(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>'
    (tmp_path / "bomb.xml").write_text(bomb, encoding="utf-8")
    parsed = parse_moodle_file(tmp_path / "bomb.xml", lang="ru", section="legal")
    assert parsed.errors and not parsed.items


def test_one_language_formats_need_lang_and_section(session: Session, fixtures: Path) -> None:
    report = import_path(session, fixtures / "gift" / "good.gift", actor=ACTOR)
    messages = " ".join(e.message for e in report.errors)
    assert "--lang" in messages and "--section" in messages
    report = import_path(
        session, fixtures / "gift" / "good.gift", actor=ACTOR, lang="ru", section="legal", activate=True
    )
    assert "--activate" in report.errors[0].message


def test_gift_unescape() -> None:
    assert unescape(r"a\=b \~ \# \{ \} \: \\ line\nbreak") == "a=b ~ # { } : \\ line\nbreak"


def test_gift_good_file(session: Session, fixtures: Path) -> None:
    report = import_path(session, fixtures / "gift" / "good.gift", actor=ACTOR, lang="ru", section="legal")
    assert report.summary() == {"imported": 4, "skipped": 0, "errors": []}
    assert session.scalar(select(Topic.code)) == "sroki_testirovaniya"
    items = items_by_stem(session)
    single = items["Сколько длится тестирование (без учёта ознакомления с правилами)?"].latest_version
    assert single.type_code == "single_choice" and single.key == [1]
    assert single.variant("ru").options == ["60 минут", "120 минут", "90 минут", "180 минут"]
    assert single.variant("ru").explanation == "Верно: пункт 18."
    multi = items["Для кого порог составляет 70%?"].latest_version
    assert multi.type_code == "multiple_choice" and multi.key == [0, 1]
    assert multi.variant("ru").explanation == "Пункт 17.4 Правил."
    tf = items["Нарушение правил, выявленное прокторингом, аннулирует результат."].latest_version
    assert tf.type_code == "true_false" and tf.key == [0] and tf.variant("ru").explanation == "Верно, п. 19."
    escaped = items["Символы = ~ # { } : в тексте"].latest_version
    assert escaped.variant("ru").options == ["a=b", "c~d", "e#f"] and escaped.key == [0]


def test_gift_broken_file(session: Session, fixtures: Path) -> None:
    report = import_path(session, fixtures / "gift" / "broken.gift", actor=ACTOR, lang="ru", section="legal")
    errors = {e["item"]: e for e in report.summary()["errors"]}
    assert {k: v["line"] for k, v in errors.items()} == {
        "Короткий ответ": 5,
        "Сопоставление": 7,
        "Эссе": 9,
        "Не закрыт": 11,
    }
    assert "short-answer" in errors["Короткий ответ"]["message"]
    assert "matching" in errors["Сопоставление"]["message"]
    assert "essay" in errors["Эссе"]["message"]
    assert "not closed" in errors["Не закрыт"]["message"]
    assert session.scalar(select(func.count()).select_from(Item)) == 0


@pytest.mark.parametrize(
    ("block", "fragment"),
    [
        ("Q {=a =b ~c}", "exactly one = answer"),
        ("Q {=a ~%50%b ~c}", "mixes ="),
        ("Q {#5:1}", "numerical"),
        ("Q {=a ~b} and {=c ~d}", "more than one answer block"),
    ],
)
def test_gift_refusals(tmp_path: Path, block: str, fragment: str) -> None:
    (tmp_path / "q.gift").write_text(block + "\n", encoding="utf-8")
    parsed = parse_gift_file(tmp_path / "q.gift", lang="ru", section="legal", topic="t_default")
    assert fragment in parsed.errors[0].message and parsed.errors[0].line == 1


def test_missing_word_and_default_topic(tmp_path: Path) -> None:
    (tmp_path / "q.gift").write_text("// c\n\nТест длится {~60 =120 ~90} минут.\n", encoding="utf-8")
    parsed = parse_gift_file(tmp_path / "q.gift", lang="ru", section="functional", topic="t_default")
    (draft,) = parsed.items
    assert draft.content.variants["ru"].stem == "Тест длится _____ минут." and draft.topic == "t_default"
    assert draft.line == 3 and draft.external_id.startswith("FUN-IMP-")


def test_second_language_merges_into_the_stored_item(
    session: Session, fixtures: Path, tmp_path: Path
) -> None:
    import_path(session, fixtures / "moodle" / "good.xml", actor=ACTOR, lang="en", section="legal")
    item = get_item(session, "LEG-MDL-0003")
    kk = (
        (fixtures / "moodle" / "good.xml")
        .read_text(encoding="utf-8")
        .replace("A violation found by proctoring annuls the result.", "Бұзушылық нәтиженің күшін жояды.")
    )
    (tmp_path / "kk.xml").write_text(kk, encoding="utf-8")
    report = import_path(session, tmp_path / "kk.xml", actor=ACTOR, lang="kk", section="legal")
    # the two other questions' ids are derived from their names, so they also get a kk variant
    assert report.summary() == {"imported": 3, "skipped": 0, "errors": []}
    latest = item.latest_version
    assert latest.number == 2 and latest.languages() == ["en", "kk"]
    assert latest.variant("kk").stem == "Бұзушылық нәтиженің күшін жояды."
    assert latest.variant("kk").options == ["Дұрыс", "Бұрыс"]
