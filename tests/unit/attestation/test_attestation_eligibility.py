import re
from dataclasses import replace
from datetime import date

import pytest

from attestation.eligibility import (
    REASON_CODES,
    Eligibility,
    Leave,
    Reason,
    WorkerFacts,
    assess,
    propose_procedure,
)

ON = date(2026, 4, 15)
BASE = WorkerFacts(
    position="lmc_specialist",
    appointed_on=date(2023, 1, 10),
    first_hire=False,
    current_category=None,
    category_expires_on=None,
    training_hours_required=40,
    training_hours_completed=40,
    last_attestation_on=date(2024, 5, 20),
    last_attestation_passed=True,
    initial_attestation_passed=True,
    last_procedure="compliance",
)
SPECIALIST = replace(
    BASE,
    position="cc_specialist",
    current_category="career_consultant",
    category_expires_on=date(2027, 5, 20),
    category_profile_training_done=True,
)


def worker(**changes) -> WorkerFacts:
    return replace(BASE, **changes)


def codes(result: Eligibility) -> list[str]:
    return [r.code for r in result.reasons]


def test_a_worker_with_nothing_against_them():
    assert assess(BASE, ON) == Eligibility(
        subject=True,
        admitted=True,
        reasons=(),
        procedure="compliance",
        reattestation=False,
        deadline=date(2027, 5, 20),
        warnings=(),
    )


# §6.1 -----------------------------------------------------------------------------------------


def test_less_than_six_months_gives_the_date_it_ends():
    result = assess(worker(appointed_on=date(2025, 12, 1)), ON)
    assert result.reasons == (Reason("less_than_six_months", "6.1", {"until": "2026-06-01"}),)
    assert (result.subject, result.admitted) == (False, False)


@pytest.mark.parametrize(
    ("appointed", "on", "subject"),
    [
        (date(2025, 10, 15), date(2026, 4, 15), True),  # exactly six months
        (date(2025, 10, 16), date(2026, 4, 15), False),
        (date(2025, 8, 31), date(2026, 2, 28), True),  # no 31 February: the month's end
        (date(2025, 8, 31), date(2026, 2, 27), False),
        (date(2026, 5, 1), date(2026, 4, 15), False),  # not yet appointed
    ],
)
def test_six_months_boundary(appointed, on, subject):
    assert assess(worker(appointed_on=appointed), on).subject is subject


# §6.2 -----------------------------------------------------------------------------------------


def test_pregnant():
    result = assess(worker(pregnant=True), ON)
    assert result.reasons == (Reason("pregnant", "6.2", {}),)
    assert not result.subject and not result.admitted


# §6.3 and §10.2 -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["maternity", "childcare", "adoption"])
def test_on_family_leave_with_known_end(kind):
    leave = Leave(kind, date(2026, 1, 10), date(2026, 6, 30))
    result = assess(worker(leaves=(leave,)), ON)
    assert result.reasons == (Reason("on_family_leave", "6.3", {"kind": kind, "until": "2027-07-01"}),)
    assert not result.subject


def test_on_ongoing_family_leave_has_no_end_date():
    result = assess(worker(leaves=(Leave("childcare", date(2025, 9, 1)),)), ON)
    assert result.reasons == (Reason("on_family_leave", "6.3", {"kind": "childcare"}),)


@pytest.mark.parametrize(
    ("on", "subject"),
    [(date(2026, 4, 30), False), (date(2026, 5, 1), True), (date(2025, 5, 1), False)],
)
def test_twelve_months_after_returning(on, subject):
    leave = Leave("maternity", date(2024, 11, 1), date(2025, 4, 30))  # back at work on 1 May 2025
    result = assess(worker(leaves=(leave,)), on)
    assert result.subject is subject
    if not subject:
        assert result.reasons == (
            Reason(
                "family_leave_return",
                "6.3",
                {"kind": "maternity", "returned": "2025-05-01", "until": "2026-05-01"},
            ),
        )


def test_consecutive_family_leaves_count_from_the_last_return():
    leaves = (
        Leave("maternity", date(2024, 1, 1), date(2024, 5, 31)),
        Leave("childcare", date(2024, 6, 1), date(2025, 8, 31)),
    )
    result = assess(worker(leaves=leaves), ON)
    assert result.reasons == (
        Reason(
            "family_leave_return",
            "6.3",
            {"kind": "childcare", "returned": "2025-09-01", "until": "2026-09-01"},
        ),
    )


def test_a_current_family_leave_hides_the_return_from_an_earlier_one():
    leaves = (
        Leave("maternity", date(2025, 6, 1), date(2025, 10, 31)),
        Leave("childcare", date(2025, 11, 1)),
    )
    assert codes(assess(worker(leaves=leaves), ON)) == ["on_family_leave"]


def test_a_family_leave_that_has_not_started_does_not_count():
    assert assess(worker(leaves=(Leave("maternity", date(2026, 5, 1)),)), ON).subject


# §6.4, §10.1, §10.3 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "clause"),
    [
        ("study", "on_study_leave", "6.4"),
        ("incapacity", "incapacity", "10.1"),
        ("business_trip_abroad", "business_trip_abroad", "10.3"),
    ],
)
def test_leaves_that_exclude_only_while_they_last(kind, code, clause):
    covering = Leave(kind, date(2026, 4, 1), date(2026, 4, 20))
    result = assess(worker(leaves=(covering,)), ON)
    assert result.reasons == (Reason(code, clause, {"until": "2026-04-21"}),)
    assert not result.subject
    assert assess(worker(leaves=(covering,)), date(2026, 4, 20)).subject is False
    assert assess(worker(leaves=(covering,)), date(2026, 4, 21)).subject is True
    assert assess(worker(leaves=(Leave(kind, date(2026, 4, 16)),)), ON).subject is True
    assert assess(worker(leaves=(Leave(kind, date(2026, 4, 15)),)), ON).reasons == (Reason(code, clause, {}),)


def test_other_leave_does_not_exclude():
    assert assess(worker(leaves=(Leave("other", date(2026, 4, 1), date(2026, 4, 30)),)), ON).subject


# §14 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("completed", "text"), [(12, "12"), (39.5, "39.5"), (0, "0")])
def test_training_hours_incomplete(completed, text):
    result = assess(worker(training_hours_completed=completed), ON)
    assert (result.subject, result.admitted) == (True, False)
    assert result.reasons == (
        Reason("training_hours_incomplete", "14.1", {"completed": text, "required": "40"}),
    )


def test_more_hours_than_required_is_fine():
    assert assess(worker(training_hours_completed=55), ON).admitted


def test_category_application_admitted():
    result = assess(SPECIALIST, ON, applied_category="case_manager")
    assert (result.subject, result.admitted, result.procedure, result.reasons) == (True, True, "category", ())
    assert result.deadline == date(2027, 5, 20)


def test_category_profile_training_missing():
    facts = replace(SPECIALIST, category_profile_training_done=False)
    result = assess(facts, ON, applied_category="case_manager")
    assert result.reasons == (
        Reason("category_profile_training_missing", "14.2", {"category": "case_manager"}),
    )
    assert (result.subject, result.admitted) == (True, False)
    assert assess(facts, ON).admitted  # profile courses matter only for a category application


def test_category_only_for_career_centre_specialists():
    result = assess(worker(category_profile_training_done=True), ON, applied_category="career_consultant")
    assert result.reasons == (Reason("category_not_for_position", "8.2", {"position": "lmc_specialist"}),)
    assert not result.admitted


def test_category_without_applied_category():
    result = assess(SPECIALIST, ON, procedure="category")
    assert codes(result) == ["applied_category_missing"]


@pytest.mark.parametrize(
    ("current", "applied", "expected"),
    [
        ("none", "case_manager", "career_consultant"),
        (None, "mentor", "career_consultant"),
        ("career_consultant", "career_consultant", "case_manager"),
        ("case_manager", "career_consultant", "mentor"),
    ],
)
def test_applied_category_must_be_the_next_one(current, applied, expected):
    facts = replace(SPECIALIST, current_category=current)
    result = assess(facts, ON, applied_category=applied)
    assert result.reasons == (
        Reason(
            "applied_category_not_next",
            "29",
            {"current": current or "none", "applied": applied, "expected": expected},
        ),
    )


def test_a_specialist_without_a_category_applies_for_career_consultant():
    facts = replace(SPECIALIST, current_category=None, category_expires_on=None)
    result = assess(facts, ON, applied_category="career_consultant")
    assert result.admitted and result.deadline is None


def test_no_category_above_mentor():
    facts = replace(SPECIALIST, current_category="mentor")
    result = assess(facts, ON, applied_category="mentor")
    assert result.reasons == (Reason("no_higher_category", "29", {"current": "mentor"}),)


# several reasons at once ----------------------------------------------------------------------


def test_every_reason_is_returned():
    facts = replace(
        SPECIALIST,
        appointed_on=date(2026, 1, 20),
        pregnant=True,
        training_hours_completed=10,
        category_profile_training_done=False,
        current_category="none",
        leaves=(
            Leave("study", date(2026, 4, 1), date(2026, 4, 30)),
            Leave("business_trip_abroad", date(2026, 4, 14), date(2026, 4, 16)),
        ),
    )
    result = assess(facts, ON, applied_category="case_manager")
    assert codes(result) == [
        "less_than_six_months",
        "pregnant",
        "on_study_leave",
        "business_trip_abroad",
        "training_hours_incomplete",
        "applied_category_not_next",
        "category_profile_training_missing",
    ]
    assert (result.subject, result.admitted) == (False, False)


def test_admission_reasons_are_listed_even_when_not_subject():
    result = assess(worker(pregnant=True, training_hours_completed=0), ON)
    assert codes(result) == ["pregnant", "training_hours_incomplete"]


# §4 initial window and deadlines --------------------------------------------------------------

FIRST_HIRE = worker(
    first_hire=True,
    initial_attestation_passed=False,
    appointed_on=date(2025, 1, 10),
    last_attestation_on=None,
    last_attestation_passed=None,
    last_procedure=None,
)


@pytest.mark.parametrize(
    ("on", "subject", "warnings"),
    [
        (date(2025, 7, 9), False, []),
        (date(2025, 7, 10), True, []),
        (date(2026, 1, 10), True, []),
        (date(2026, 1, 11), True, ["initial_overdue"]),
    ],
)
def test_initial_window(on, subject, warnings):
    result = assess(FIRST_HIRE, on)
    assert (result.procedure, result.reattestation, result.deadline) == ("initial", False, date(2026, 1, 10))
    assert result.subject is subject
    assert [w.code for w in result.warnings] == warnings


def test_initial_overdue_warning_does_not_block():
    result = assess(FIRST_HIRE, date(2026, 3, 1))
    assert result.admitted
    assert result.warnings == (Reason("initial_overdue", "4", {"deadline": "2026-01-10"}),)


def test_compliance_deadline_without_a_previous_attestation():
    facts = worker(last_attestation_on=None, last_attestation_passed=None, last_procedure=None)
    assert assess(facts, ON).deadline == date(2026, 1, 10)
    assert assess(facts, ON).warnings == (Reason("compliance_overdue", "3", {"deadline": "2026-01-10"}),)


def test_reattestation_deadline_and_overdue_warning():
    facts = worker(last_attestation_on=date(2025, 10, 1), last_attestation_passed=False)
    result = assess(facts, ON)
    assert (result.procedure, result.reattestation, result.deadline, result.warnings) == (
        "compliance",
        True,
        date(2026, 10, 1),
        (),
    )
    late = assess(facts, date(2026, 10, 2))
    assert late.reattestation
    assert late.warnings == (Reason("reattestation_overdue", "27.2", {"deadline": "2026-10-01"}),)


def test_category_expired_warning():
    facts = replace(SPECIALIST, category_expires_on=date(2026, 4, 1))
    result = assess(facts, ON, applied_category="case_manager")
    assert result.warnings == (Reason("category_expired", "7", {"expired_on": "2026-04-01"}),)
    assert result.admitted


def test_a_category_application_after_a_failed_compliance_is_not_a_reattestation():
    facts = replace(SPECIALIST, last_attestation_on=date(2025, 10, 1), last_attestation_passed=False)
    result = assess(facts, ON, applied_category="case_manager")
    assert (result.procedure, result.reattestation, result.deadline) == ("category", False, date(2027, 5, 20))


def test_failed_category_application_is_reattested_as_a_category_application():
    facts = replace(
        SPECIALIST,
        current_category="none",
        last_attestation_on=date(2025, 12, 1),
        last_attestation_passed=False,
        last_procedure="category",
    )
    result = assess(facts, ON, applied_category="career_consultant")
    assert (result.procedure, result.reattestation, result.deadline) == ("category", True, date(2026, 12, 1))
    assert codes(assess(facts, ON)) == ["applied_category_missing"]


# propose_procedure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("compliance", False)),
        (
            {
                "first_hire": True,
                "initial_attestation_passed": False,
                "last_attestation_on": None,
                "last_attestation_passed": None,
                "last_procedure": None,
            },
            ("initial", False),
        ),
        ({"first_hire": True, "initial_attestation_passed": True}, ("compliance", False)),
        ({"last_attestation_passed": False}, ("compliance", True)),
        (
            {
                "first_hire": True,
                "initial_attestation_passed": False,
                "last_attestation_passed": False,
                "last_procedure": "initial",
            },
            ("initial", True),
        ),
        ({"last_attestation_passed": False, "last_procedure": "category"}, ("category", True)),
        ({"last_attestation_passed": False, "last_procedure": None}, ("compliance", True)),
        (
            {
                "first_hire": True,
                "initial_attestation_passed": False,
                "last_attestation_passed": False,
                "last_procedure": None,
            },
            ("initial", True),
        ),
        (
            {"last_attestation_passed": False, "last_procedure": "category", "last_was_reattestation": True},
            ("compliance", False),
        ),
        ({"last_attestation_on": date(2020, 1, 1), "last_attestation_passed": False}, ("compliance", True)),
    ],
)
def test_propose_procedure(changes, expected):
    assert propose_procedure(worker(**changes), ON) == expected


# validation -----------------------------------------------------------------------------------


def test_reason_codes_are_stable_snake_case_with_clauses():
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in REASON_CODES)
    assert all(re.fullmatch(r"\d+(-1)?(\.\d+)?", clause) for clause in REASON_CODES.values())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Leave("holiday", date(2026, 1, 1)), "unknown leave_kind 'holiday'"),
        (lambda: Leave("study", date(2026, 2, 1), date(2026, 1, 31)), "ends .* before it starts"),
        (lambda: worker(position="boss"), "unknown position 'boss'"),
        (lambda: worker(current_category="expert"), "unknown category 'expert'"),
        (lambda: worker(last_procedure="reattestation"), "unknown procedure 'reattestation'"),
        (lambda: worker(training_hours_required=-1), "negative"),
        (lambda: worker(leaves=("maternity",)), "tuple of Leave"),
        (lambda: assess(BASE, ON, procedure="annual"), "unknown procedure 'annual'"),
        (lambda: assess(SPECIALIST, ON, applied_category="guru"), "unknown category 'guru'"),
        (
            lambda: assess(SPECIALIST, ON, procedure="compliance", applied_category="case_manager"),
            "only for a category application",
        ),
    ],
)
def test_bad_input_raises(build, message):
    with pytest.raises(ValueError, match=message):
        build()
