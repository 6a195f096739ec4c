import math

import pytest

from attestation.codes import MANAGER_POSITIONS, POSITIONS
from attestation.rules import ActivityEvaluation, Decision, activity_evaluation_total, decide, threshold_for

SCORES = [0, 69, 69.99, 70, 84, 84.99, 85, 100]
SPECIALISTS = [p for p in POSITIONS if p not in MANAGER_POSITIONS]


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("score", SCORES)
def test_initial_is_70_for_everyone(position, score):
    d = decide(procedure="initial", position=position, score=score)
    assert d.threshold == 70
    assert d.passed is (score >= 70)
    assert d.outcome == ("fits_position" if score >= 70 else "does_not_fit_position")
    assert d.activity_evaluation_admitted is False


@pytest.mark.parametrize("position", MANAGER_POSITIONS)
@pytest.mark.parametrize("score", SCORES)
def test_compliance_is_85_for_managers(position, score):
    d = decide(procedure="compliance", position=position, score=score)
    assert d.threshold == 85
    assert d.passed is (score >= 85)
    assert d.outcome == ("fits_position" if score >= 85 else "does_not_fit_position")


@pytest.mark.parametrize("position", SPECIALISTS)
@pytest.mark.parametrize("score", SCORES)
def test_compliance_is_70_for_specialists_and_assistants(position, score):
    d = decide(procedure="compliance", position=position, score=score)
    assert d.threshold == 70
    assert d.passed is (score >= 70)


@pytest.mark.parametrize(
    ("score", "outcome", "after", "passed"),
    [
        (100, "meets_applied_category", "mentor", True),
        (85, "meets_applied_category", "mentor", True),
        (84.99, "meets_current_category", "case_manager", True),
        (84, "meets_current_category", "case_manager", True),
        (70, "meets_current_category", "case_manager", True),
        (69.99, "meets_lower_category", "career_consultant", False),
        (69, "meets_lower_category", "career_consultant", False),
        (0, "meets_lower_category", "career_consultant", False),
    ],
)
def test_category_decision_table(score, outcome, after, passed):
    d = decide(
        procedure="category",
        position="cc_specialist",
        score=score,
        current_category="case_manager",
        applied_category="mentor",
    )
    assert d == Decision(
        threshold=70,
        passed=passed,
        outcome=outcome,
        category_after=after,
        reattestation_required=not passed,
        dismissal=False,
        activity_evaluation_admitted=passed,
    )


def test_category_failure_never_goes_below_none():
    d = decide(
        procedure="category",
        position="cc_specialist",
        score=10,
        current_category="none",
        applied_category="career_consultant",
    )
    assert (d.outcome, d.category_after, d.reattestation_required, d.dismissal) == (
        "meets_lower_category",
        "none",
        True,
        False,
    )


@pytest.mark.parametrize("procedure", ["initial", "compliance"])
@pytest.mark.parametrize("position", POSITIONS)
def test_position_decisions_keep_the_category(procedure, position):
    for score in (0, 100):
        d = decide(procedure=procedure, position=position, score=score, current_category="case_manager")
        assert d.category_after == "case_manager"
    assert decide(procedure=procedure, position=position, score=100).category_after is None


@pytest.mark.parametrize("procedure", ["initial", "compliance"])
@pytest.mark.parametrize("position", POSITIONS)
def test_first_failure_means_reattestation_second_means_dismissal(procedure, position):
    first = decide(procedure=procedure, position=position, score=50)
    assert (first.reattestation_required, first.dismissal) == (True, False)
    second = decide(procedure=procedure, position=position, score=50, reattestation=True)
    assert (second.reattestation_required, second.dismissal) == (False, True)
    passed_again = decide(procedure=procedure, position=position, score=90, reattestation=True)
    assert (passed_again.passed, passed_again.reattestation_required, passed_again.dismissal) == (
        True,
        False,
        False,
    )


def test_failed_category_reattestation_dismisses_a_none_holder():
    d = decide(
        procedure="category",
        position="cc_specialist",
        score=60,
        reattestation=True,
        current_category="none",
        applied_category="career_consultant",
    )
    assert (d.dismissal, d.reattestation_required, d.category_after) == (True, False, "none")


@pytest.mark.parametrize(
    ("current", "applied", "after"),
    [
        ("career_consultant", "case_manager", "none"),
        ("case_manager", "mentor", "career_consultant"),
        ("career_consultant", "mentor", "none"),
    ],
)
def test_failed_category_reattestation_demotes_a_category_holder(current, applied, after):
    d = decide(
        procedure="category",
        position="cc_specialist",
        score=69.99,
        reattestation=True,
        current_category=current,
        applied_category=applied,
    )
    assert (d.dismissal, d.reattestation_required, d.category_after) == (False, False, after)
    assert d.activity_evaluation_admitted is False


def test_passed_category_reattestation_is_admitted_to_the_evaluation():
    d = decide(
        procedure="category",
        position="cc_specialist",
        score=75,
        reattestation=True,
        current_category="career_consultant",
        applied_category="case_manager",
    )
    assert (d.outcome, d.activity_evaluation_admitted, d.reattestation_required, d.dismissal) == (
        "meets_current_category",
        True,
        False,
        False,
    )


def test_threshold_for():
    assert threshold_for("compliance", "director") == 85
    assert threshold_for("initial", "director") == 70
    assert threshold_for("category", "cc_specialist") == 70


def test_decision_is_frozen():
    d = decide(procedure="initial", position="director", score=70)
    with pytest.raises(AttributeError):
        d.passed = False


CATEGORY = {"procedure": "category", "position": "cc_specialist", "score": 80}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"procedure": "reattestation", "position": "director", "score": 80}, "unknown procedure"),
        ({"procedure": "initial", "position": "manager", "score": 80}, "unknown position 'manager'"),
        ({"procedure": "initial", "position": "director", "score": -0.01}, "0 to 100"),
        ({"procedure": "initial", "position": "director", "score": 100.01}, "0 to 100"),
        ({"procedure": "initial", "position": "director", "score": math.nan}, "0 to 100"),
        ({"procedure": "initial", "position": "director", "score": math.inf}, "0 to 100"),
        ({"procedure": "initial", "position": "director", "score": "80"}, "must be a number"),
        ({"procedure": "initial", "position": "director", "score": True}, "must be a number"),
        ({"procedure": "initial", "position": "director", "score": None}, "must be a number"),
        ({"procedure": "initial", "position": "director", "score": 80, "reattestation": 1}, "True or False"),
        (
            {
                "procedure": "compliance",
                "position": "cc_specialist",
                "score": 80,
                "applied_category": "mentor",
            },
            "only for a category application",
        ),
        (
            {
                "procedure": "compliance",
                "position": "cc_specialist",
                "score": 80,
                "current_category": "expert",
            },
            "current_category: unknown category 'expert'",
        ),
        (
            {
                **CATEGORY,
                "position": "lmc_specialist",
                "current_category": "none",
                "applied_category": "career_consultant",
            },
            "only a cc_specialist applies for a category, not a lmc_specialist",
        ),
        ({**CATEGORY, "applied_category": "mentor"}, "needs both"),
        ({**CATEGORY, "current_category": "none"}, "needs both"),
        (
            {**CATEGORY, "current_category": "none", "applied_category": "guru"},
            "applied_category: unknown category 'guru'",
        ),
        (
            {**CATEGORY, "current_category": "case_manager", "applied_category": "case_manager"},
            "'case_manager' is not above the current 'case_manager'",
        ),
        (
            {**CATEGORY, "current_category": "mentor", "applied_category": "career_consultant"},
            "'career_consultant' is not above the current 'mentor'",
        ),
    ],
)
def test_value_errors_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        decide(**kwargs)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((100, 4.5, 0), ActivityEvaluation(80, 10, 10, 100, ())),
        ((70, 4.0, 1), ActivityEvaluation(56, 0, 0, 56, ())),
        ((84.99, 4.01, 0), ActivityEvaluation(67.99, 10, 10, 87.99, ())),
        ((85, 3.9, 0), ActivityEvaluation(68, 0, 10, 78, ())),
        ((0, 5, 3), ActivityEvaluation(0, 10, 0, 10, ())),
        ((90, None, 0), ActivityEvaluation(72, 0, 10, 82, ("rating",))),
        ((90, 4.8, None), ActivityEvaluation(72, 10, 0, 82, ("violations",))),
        ((90, None, None), ActivityEvaluation(72, 0, 0, 72, ("rating", "violations"))),
    ],
)
def test_activity_evaluation_total(args, expected):
    assert activity_evaluation_total(*args) == expected


@pytest.mark.parametrize(
    "args",
    [
        (101, 4.5, 0),
        (-1, 4.5, 0),
        (math.nan, 4.5, 0),
        (90, 5.5, 0),
        (90, -1, 0),
        (90, math.nan, 0),
        (90, 4.5, -1),
        (90, 4.5, 1.5),
        (90, 4.5, True),
    ],
)
def test_activity_evaluation_refuses_bad_input(args):
    with pytest.raises(ValueError):
        activity_evaluation_total(*args)
