"""The decision the Platform forms from a test score (§17, §27-28, §30) and the Annex 1-2 total.

Thresholds (§17): 70% for an initial attestation of anyone and for a category application; for
position compliance 85% for the director, deputies and unit heads, 70% for LMC specialists and
career-centre assistants. §17 names no compliance threshold for a career-centre specialist; the
platform uses 70%, as for the other specialists.

Decisions (§30): "fits" / "does not fit" the position, or, for a category application,
"meets the applied category" (85 and above), "meets the current category" (70 to 84) and
"meets a lower category" (69 and below).

Below the threshold (§27): a category applicant drops one level (never below "none"), everyone
is re-attested within 12 months, and a category applicant is not admitted to the activity
evaluation. Below it again at the re-attestation (§28): dismissal, except category applicants
holding "career_consultant" or higher, who drop one more level instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from attestation.codes import (
    CATEGORY_POSITION,
    MANAGER_POSITIONS,
    category_below,
    category_rank,
    validate,
)

PASS_THRESHOLD = 70
MANAGER_COMPLIANCE_THRESHOLD = 85
APPLIED_CATEGORY_THRESHOLD = 85  # §30.2: the score that earns the category applied for

TEST_POINTS_MAX = 80  # Annex 1-2, criterion 1
RATING_POINTS = 10  # Annex 1-2, criterion 2
RATING_ABOVE = 4.0  # "above 4 of 5" earns the points; 4.0 itself does not
NO_VIOLATIONS_POINTS = 10  # Annex 1-2, criterion 3


@dataclass(frozen=True)
class Decision:
    threshold: int
    passed: bool
    outcome: str
    category_after: str | None
    reattestation_required: bool
    dismissal: bool
    activity_evaluation_admitted: bool


@dataclass(frozen=True)
class ActivityEvaluation:
    test_points: float
    rating_points: int
    violations_points: int
    total: float
    missing: tuple[str, ...]  # "rating" and/or "violations" when the input was unknown


def _percent(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if math.isnan(value) or not 0 <= value <= 100:
        raise ValueError(f"{name} must be a percentage from 0 to 100, got {value!r}")
    return float(value)


def threshold_for(procedure: str, position: str) -> int:
    """The §17 pass mark for this procedure and position."""
    validate("procedure", procedure)
    validate("position", position)
    if procedure == "compliance" and position in MANAGER_POSITIONS:
        return MANAGER_COMPLIANCE_THRESHOLD
    return PASS_THRESHOLD


def decide(
    *,
    procedure: str,
    position: str,
    score: float,
    current_category: str | None = None,
    applied_category: str | None = None,
    reattestation: bool = False,
) -> Decision:
    """The §30 decision and its §27-28 consequences for one test score.

    A failed re-attestation never asks for yet another re-attestation: §28 ends the cycle with a
    dismissal or a demotion, so ``reattestation_required`` is False whenever ``reattestation``
    is True. A category application must come from a career-centre specialist, name both
    categories, and apply for a category above the current one; anything else is a caller's error
    (ValueError), because §30.2 has no decision for it.
    """
    threshold = threshold_for(procedure, position)
    score = _percent(score, "score")
    if not isinstance(reattestation, bool):
        raise ValueError(f"reattestation must be True or False, got {reattestation!r}")
    for name, code in (("current_category", current_category), ("applied_category", applied_category)):
        if code is not None:
            try:
                validate("category", code)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    passed = score >= threshold
    failed_first = not passed and not reattestation
    failed_again = not passed and reattestation

    if procedure != "category":
        if applied_category is not None:
            raise ValueError(f"applied_category is only for a category application, not {procedure!r}")
        return Decision(
            threshold=threshold,
            passed=passed,
            outcome="fits_position" if passed else "does_not_fit_position",
            category_after=current_category,
            reattestation_required=failed_first,
            dismissal=failed_again,
            activity_evaluation_admitted=False,
        )

    if position != CATEGORY_POSITION:
        raise ValueError(f"only a {CATEGORY_POSITION} applies for a category, not a {position}")
    if current_category is None or applied_category is None:
        raise ValueError("a category application needs both current_category and applied_category")
    if category_rank(applied_category) <= category_rank(current_category):
        raise ValueError(
            f"applied category {applied_category!r} is not above the current {current_category!r} (§29)"
        )
    if score >= APPLIED_CATEGORY_THRESHOLD:
        outcome, category_after = "meets_applied_category", applied_category
    elif passed:
        outcome, category_after = "meets_current_category", current_category
    else:
        outcome, category_after = "meets_lower_category", category_below(current_category)
    return Decision(
        threshold=threshold,
        passed=passed,
        outcome=outcome,
        category_after=category_after,
        reattestation_required=failed_first,
        dismissal=failed_again and current_category == "none",
        activity_evaluation_admitted=passed,
    )


def activity_evaluation_total(
    test_percent: float, rating: float | None, violations_last_12_months: int | None
) -> ActivityEvaluation:
    """Annex 1-2 points: the test (up to 80), the recipients' rating (10) and no violations (10).

    An unknown rating or violation count earns nothing and is listed in ``missing``, so that the
    screen can say why a total is low instead of presenting a guess as a fact. Test points are
    rounded to hundredths to hide binary-float noise (70% gives 56, not 56.000000000000007).
    """
    test_points = round(_percent(test_percent, "test_percent") * TEST_POINTS_MAX / 100, 2)
    missing: list[str] = []
    rating_points = 0
    if rating is None:
        missing.append("rating")
    else:
        if isinstance(rating, bool) or not isinstance(rating, (int, float)) or not 0 <= rating <= 5:
            raise ValueError(f"rating must be a number from 0 to 5, got {rating!r}")
        rating_points = RATING_POINTS if rating > RATING_ABOVE else 0
    violations_points = 0
    if violations_last_12_months is None:
        missing.append("violations")
    else:
        count = violations_last_12_months
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"violations_last_12_months must be a count of 0 or more, got {count!r}")
        violations_points = NO_VIOLATIONS_POINTS if count == 0 else 0
    return ActivityEvaluation(
        test_points=test_points,
        rating_points=rating_points,
        violations_points=violations_points,
        total=round(test_points + rating_points + violations_points, 2),
        missing=tuple(missing),
    )
