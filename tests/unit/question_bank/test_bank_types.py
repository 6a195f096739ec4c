from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attestation.db import DomainError
from question_bank.drafts import Variant
from question_bank.types import (
    QuestionType,
    get_type,
    grade,
    register,
    render_version,
    to_canonical,
    type_codes,
)


@dataclass
class FakeVersion:
    type_code: str
    key: list[int]
    options: int = 4
    id: int = 7

    @property
    def option_count(self) -> int:
        return self.options

    def variant(self, lang: str) -> Variant | None:
        if lang == "en":
            return None
        opts = tuple(f"{lang}-{i}" for i in range(self.options))
        return Variant(f"{lang} stem", opts, f"{lang} why")


SINGLE = FakeVersion("single_choice", [2])
MULTI = FakeVersion("multiple_choice", [0, 2], options=5)


def test_registry_knows_the_types() -> None:
    assert {"single_choice", "multiple_choice", "true_false"} <= set(type_codes())
    with pytest.raises(DomainError) as err:
        get_type("essay")
    assert err.value.code == "type_unknown"


@pytest.mark.parametrize(("response", "score"), [([2], 1.0), ([0], 0.0), ([], 0.0), ([3], 0.0)])
def test_single_choice_grades_one_or_zero(response: list[int], score: float) -> None:
    assert grade(SINGLE, response) == score


@pytest.mark.parametrize(
    ("response", "score"),
    [
        ([0, 2], 1.0),  # both keys
        ([0], 0.5),  # one of two keys
        ([2], 0.5),
        ([0, 1], 0.0),  # one right, one wrong: cancels
        ([0, 2, 1], 0.5),  # both right, one wrong
        ([1], 0.0),  # only wrong: floored at 0
        ([1, 3, 4], 0.0),
        ([0, 1, 2, 3, 4], 0.0),  # everything ticked earns nothing
        ([], 0.0),  # empty
    ],
)
def test_multiple_choice_partial_credit(response: list[int], score: float) -> None:
    assert grade(MULTI, response) == pytest.approx(score)


@pytest.mark.parametrize(
    ("version", "response", "code"),
    [
        (SINGLE, [4], "response_out_of_range"),
        (SINGLE, [-1], "response_out_of_range"),
        (SINGLE, [0, 1], "response_too_many"),
        (MULTI, [0, 0], "response_duplicate"),
        (MULTI, [True], "response_invalid"),
        (MULTI, "02", "response_invalid"),
        (MULTI, [0, "2"], "response_invalid"),
    ],
)
def test_malformed_responses_are_refused(version: FakeVersion, response: object, code: str) -> None:
    with pytest.raises(DomainError) as err:
        grade(version, response)  # type: ignore[arg-type]
    assert err.value.code == code


@pytest.mark.parametrize(
    ("code", "key", "options", "fragment"),
    [
        ("single_choice", [0, 1], 4, "exactly one key"),
        ("single_choice", [], 4, "exactly one key"),
        ("single_choice", [4], 4, "out of range"),
        ("single_choice", [0], 2, "3 to 6 options"),
        ("single_choice", [0], 7, "3 to 6 options"),
        ("multiple_choice", [1], 4, "two or more keys"),
        ("multiple_choice", [0, 1, 2], 3, "at least one wrong option"),
        ("multiple_choice", [0, 0], 4, "repeats"),
        ("true_false", [0], 3, "exactly 2 options"),
    ],
)
def test_definitions_are_validated(code: str, key: list[int], options: int, fragment: str) -> None:
    problems = get_type(code).definition_problems(key, options)
    assert any(fragment in p for p in problems), problems


def test_valid_definitions_pass() -> None:
    assert get_type("single_choice").definition_problems([2], 4) == []
    assert get_type("multiple_choice").definition_problems([0, 3], 6) == []
    assert get_type("true_false").definition_problems([1], 2) == []


def test_render_follows_the_order_and_hides_the_key() -> None:
    shown = render_version(SINGLE, "ru", [3, 2, 0, 1])
    assert [o["text"] for o in shown["options"]] == ["ru-3", "ru-2", "ru-0", "ru-1"]
    assert [o["position"] for o in shown["options"]] == [0, 1, 2, 3]
    assert "key" not in shown and "explanation" not in shown and "ru why" not in str(shown)
    assert shown["max_choices"] == 1 and shown["version_id"] == 7
    revealed = render_version(SINGLE, "ru", [3, 2, 0, 1], reveal=True)
    assert revealed["key_positions"] == [1] and revealed["explanation"] == "ru why"


def test_render_refuses_bad_order_and_missing_language() -> None:
    with pytest.raises(DomainError):
        render_version(SINGLE, "ru", [0, 1, 2])
    with pytest.raises(DomainError) as err:
        render_version(SINGLE, "en", [0, 1, 2, 3])
    assert err.value.code == "language_missing"


def test_displayed_positions_map_back_to_canonical_indices() -> None:
    order = [3, 2, 0, 1]
    assert to_canonical([1], order) == [2]
    assert grade(SINGLE, to_canonical([1], order)) == 1.0
    with pytest.raises(DomainError):
        to_canonical([4], order)


def test_registering_a_type_is_one_class() -> None:
    @register
    class AllOrNothing(QuestionType):
        code = "test_all_or_nothing"

        def grade(self, key, response):  # type: ignore[no-untyped-def]
            return 1.0 if sorted(response) == sorted(key) else 0.0

    assert grade(FakeVersion("test_all_or_nothing", [0, 1]), [1, 0]) == 1.0
    assert grade(FakeVersion("test_all_or_nothing", [0, 1]), [1]) == 0.0
    with pytest.raises(ValueError):
        register(AllOrNothing)


@given(
    st.integers(3, 6).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.sets(st.integers(0, n - 1), min_size=2, max_size=n - 1),
            st.sets(st.integers(0, n - 1)),
        )
    )
)
def test_multiple_choice_score_is_bounded_and_full_only_for_the_key(
    case: tuple[int, set[int], set[int]],
) -> None:
    n, key, response = case
    score = grade(FakeVersion("multiple_choice", sorted(key), options=n), sorted(response))
    assert 0.0 <= score <= 1.0
    assert (score == 1.0) == (response == key)
