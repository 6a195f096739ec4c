from __future__ import annotations

import pytest

from question_bank.drafts import Citation, ItemDraft, Variant, VersionContent, content_problems, item_problems


def content(**over: object) -> VersionContent:
    base = {
        "type_code": "single_choice",
        "difficulty": 2,
        "key": (0,),
        "citation": Citation("attestation-rules-order-422", "18", "120 (жүз жиырма) минутты құрайды"),
        "variants": {
            "kk": Variant("Сұрақ?", ("А", "Б", "В"), "Түсіндірме"),
            "ru": Variant("Вопрос?", ("А", "Б", "В"), "Пояснение"),
        },
    }
    base.update(over)
    return VersionContent(**base)  # type: ignore[arg-type]


def test_a_good_item_has_no_problems() -> None:
    draft = ItemDraft("LEG-ATT-0001", "legal", "att_rules", None, content())
    assert item_problems(draft) == []


@pytest.mark.parametrize(
    ("over", "fragment"),
    [
        ({"difficulty": 0}, "1..5"),
        ({"difficulty": "2"}, "integer"),
        ({"difficulty": True}, "integer"),
        ({"type_code": "essay"}, "unknown type"),
        ({"citation": None}, "citation is missing"),
        ({"citation": Citation("x", "1", "short")}, "shorter than 10"),
        ({"citation": Citation("x", "", "long enough quote")}, "no clause"),
        ({"variants": {"kk": Variant("С?", ("А", "Б", "В"), "Т")}}, "ru variant is missing"),
        ({"variants": {"kk": Variant("С?", ("А", "Б", "В"), "Т"), "ru": Variant("В?", ("А", "Б", "В"), "")}},
         "ru variant has no explanation"),
        ({"variants": {"kk": Variant("С?", ("А", "Б", "В"), "Т"), "ru": Variant("В?", ("А", "Б", "В", "Г"), "П")}},
         "different option counts"),
        ({"variants": {"kk": Variant("С?", ("А", "а ", "В"), "Т"), "ru": Variant("В?", ("А", "Б", "В"), "П")}},
         "distinct"),
        ({"variants": {"kk": Variant("С?", ("А", "Б", "В"), "Т"), "ru": Variant("В?", ("А", "Б", "В"), "П"),
                       "de": Variant("F?", ("A", "B", "C"), "E")}}, "unknown language"),
        ({"key": (3,)}, "out of range"),
    ],
)  # fmt: skip
def test_content_problems(over: dict, fragment: str) -> None:
    problems = content_problems(content(**over))
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    ("option", "banned"),
    [
        ("Барлығы дұрыс", True),
        ("Все перечисленные органы", True),
        ("None of the above", True),
        ("Ни один из указанных", True),
        ("Дұрыс жауап жоқ.", True),
        ("Нет правильного ответа", True),
        # §25 names "no correct answer" as a ground for appeal: as content it is allowed
        ("Дұрыс жауап жоқ болғанда", False),
        ("Среди вариантов нет правильного ответа — основание апелляции", False),
    ],
)
def test_all_or_none_of_the_above(option: str, banned: bool) -> None:
    variant = Variant("С?", (option, "Б", "В"), "Т")
    problems = content_problems(content(variants={"kk": variant, "ru": variant}))
    assert any("all/none of the above" in p for p in problems) == banned


def test_positions_and_ids() -> None:
    bad = ItemDraft("leg 1", "legl", "Bad Topic", ("director", "director"), content())
    problems = " ".join(item_problems(bad))
    assert "id 'leg 1'" in problems and "section" in problems and "snake_case" in problems
    assert "repeat" in problems
    assert "non-empty" in " ".join(item_problems(ItemDraft("LEG-1", "legal", "t_a", (), content())))
