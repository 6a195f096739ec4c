"""Who is subject to attestation on a given day, and who is admitted to the test.

Not subject (§6): under 6 months in the position (6.1), pregnant (6.2), on maternity, child-care
or adoption leave and until 12 months after coming back from it (6.3), on study leave (6.4).
The LMC also takes off the list (§10) a worker on long-term sick leave (10.1), on maternity or
child-care leave (10.2, the same fact as 6.3, so reported once under 6.3) or on a business trip
abroad (10.3). §10.1 speaks of sick leave "not exceeding two months"; a worker on sick leave is
excluded on the day whatever its length, since they cannot sit the test.

Admitted to the test (§14): only after the individual training plan's hours (14.1) and, for a
category application, the courses on the profile of that category (14.2); a category is applied
for by a career-centre specialist (§8.2), one level above the one held (§29).

Deadlines: an initial attestation within one year of appointment and not before 6 months (§4),
a re-attestation within 12 months of the failure (§27.2), compliance at least every 3 years (§3),
a category before it expires (§7). A missed deadline is a warning: it does not end the duty.

:func:`assess` returns every reason at once, so that an LMC fixing its list sees all of them
instead of discovering them one by one. Each reason's ``params`` are strings ready for a
translated message; ``until`` is the first day the reason no longer applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from attestation.calendar import add_months
from attestation.codes import (
    ATTESTATION_PERIOD_YEARS,
    CATEGORY_POSITION,
    FAMILY_LEAVE_KINDS,
    category_above,
    validate,
)

# Every code assess() can return, with its clause of the Order, for the UI to translate.
REASON_CODES: Mapping[str, str] = {
    # not subject: §6 and §10
    "less_than_six_months": "6.1",
    "pregnant": "6.2",
    "on_family_leave": "6.3",
    "family_leave_return": "6.3",
    "on_study_leave": "6.4",
    "incapacity": "10.1",
    "business_trip_abroad": "10.3",
    # not admitted: §8.2, §14, §29
    "training_hours_incomplete": "14.1",
    "category_profile_training_missing": "14.2",
    "category_not_for_position": "8.2",
    "applied_category_missing": "8.2",
    "no_higher_category": "29",
    "applied_category_not_next": "29",
    # warnings, which block nothing
    "initial_overdue": "4",
    "reattestation_overdue": "27.2",
    "compliance_overdue": "3",
    "category_expired": "7",
}

_SIX_MONTHS = 6
_TWELVE_MONTHS = 12


@dataclass(frozen=True)
class Leave:
    kind: str
    start: date
    end: date | None = None  # the last day away, inclusive; None while the leave goes on

    def __post_init__(self) -> None:
        validate("leave_kind", self.kind)
        if self.end is not None and self.end < self.start:
            raise ValueError(f"{self.kind} leave ends ({self.end}) before it starts ({self.start})")

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def returned_on(self) -> date | None:
        return None if self.end is None else self.end + timedelta(days=1)


@dataclass(frozen=True)
class WorkerFacts:
    position: str
    appointed_on: date  # appointment to the current position
    first_hire: bool  # first job at an LMC or career centre: the initial attestation applies (§4)
    current_category: str | None  # career-centre specialists only; None means "none" for them (§5)
    category_expires_on: date | None
    pregnant: bool = False
    leaves: tuple[Leave, ...] = ()
    training_hours_required: float = 0  # individual training plan (§14.1)
    training_hours_completed: float = 0
    category_profile_training_done: bool = False  # §14.2
    last_attestation_on: date | None = None
    last_attestation_passed: bool | None = None
    initial_attestation_passed: bool = False
    last_procedure: str | None = None
    # A failed re-attestation ends in dismissal or demotion (§28), not in a third attempt.
    last_was_reattestation: bool = False

    def __post_init__(self) -> None:
        validate("position", self.position)
        if self.current_category is not None:
            validate("category", self.current_category)
        if self.last_procedure is not None:
            validate("procedure", self.last_procedure)
        if self.training_hours_required < 0 or self.training_hours_completed < 0:
            raise ValueError("training hours cannot be negative")
        if not all(isinstance(leave, Leave) for leave in self.leaves):
            raise ValueError("leaves must be a tuple of Leave")


@dataclass(frozen=True)
class Reason:
    code: str
    clause: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Eligibility:
    subject: bool
    admitted: bool
    reasons: tuple[Reason, ...]
    procedure: str | None
    reattestation: bool
    deadline: date | None
    warnings: tuple[Reason, ...] = ()


def _reason(code: str, **params: object) -> Reason:
    text = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in params.items() if v is not None}
    return Reason(code=code, clause=REASON_CODES[code], params=text)


def _hours(value: float) -> str:
    return f"{value:g}"


def _first_procedure(worker: WorkerFacts) -> str:
    return "initial" if worker.first_hire and not worker.initial_attestation_passed else "compliance"


def propose_procedure(worker: WorkerFacts, on: date) -> tuple[str, bool]:
    """(procedure, reattestation) the LMC should put on the Annex 1 list for this worker.

    A failed attestation that was not itself a re-attestation is re-attested in the same
    procedure, however late: §27.2 sets a deadline for the duty, not an expiry of it (assess
    warns when it has passed). A category application is the worker's own choice, so it is
    proposed only to re-attest a failed one. ``on`` is kept for symmetry with :func:`assess`;
    no branch depends on the date today.
    """
    if worker.last_attestation_passed is False and not worker.last_was_reattestation:
        return worker.last_procedure or _first_procedure(worker), True
    return _first_procedure(worker), False


def _exclusions(worker: WorkerFacts, on: date) -> list[Reason]:
    reasons = []
    six_months = add_months(worker.appointed_on, _SIX_MONTHS)
    if on < six_months:
        reasons.append(_reason("less_than_six_months", until=six_months))
    if worker.pregnant:
        reasons.append(_reason("pregnant"))

    family = [leave for leave in worker.leaves if leave.kind in FAMILY_LEAVE_KINDS]
    current_family = [leave for leave in family if leave.covers(on)]
    for leave in current_family:
        until = None if leave.returned_on is None else add_months(leave.returned_on, _TWELVE_MONTHS)
        reasons.append(_reason("on_family_leave", kind=leave.kind, until=until))
    ended = [leave for leave in family if leave.end is not None and leave.end < on]
    if ended and not current_family:
        last = max(ended, key=lambda leave: leave.end)
        until = add_months(last.returned_on, _TWELVE_MONTHS)
        if on < until:
            reasons.append(
                _reason("family_leave_return", kind=last.kind, returned=last.returned_on, until=until)
            )

    for kind, code in (
        ("study", "on_study_leave"),
        ("incapacity", "incapacity"),
        ("business_trip_abroad", "business_trip_abroad"),
    ):
        for leave in worker.leaves:
            if leave.kind == kind and leave.covers(on):
                reasons.append(_reason(code, until=leave.returned_on))
    return reasons


def _admission(worker: WorkerFacts, procedure: str, applied_category: str | None) -> list[Reason]:
    reasons = []
    if worker.training_hours_completed < worker.training_hours_required:
        reasons.append(
            _reason(
                "training_hours_incomplete",
                completed=_hours(worker.training_hours_completed),
                required=_hours(worker.training_hours_required),
            )
        )
    if procedure != "category":
        return reasons
    if worker.position != CATEGORY_POSITION:
        reasons.append(_reason("category_not_for_position", position=worker.position))
    if applied_category is None:
        reasons.append(_reason("applied_category_missing"))
    elif worker.position == CATEGORY_POSITION:
        current = worker.current_category or "none"
        expected = category_above(current)
        if expected is None:
            reasons.append(_reason("no_higher_category", current=current))
        elif applied_category != expected:
            reasons.append(
                _reason(
                    "applied_category_not_next",
                    current=current,
                    applied=applied_category,
                    expected=expected,
                )
            )
    if not worker.category_profile_training_done:
        reasons.append(_reason("category_profile_training_missing", category=applied_category))
    return reasons


def _deadline(worker: WorkerFacts, procedure: str, reattestation: bool) -> date | None:
    if reattestation and worker.last_attestation_on is not None:
        return add_months(worker.last_attestation_on, _TWELVE_MONTHS)
    if procedure == "initial":
        return add_months(worker.appointed_on, _TWELVE_MONTHS)
    if procedure == "compliance":
        return add_months(worker.last_attestation_on or worker.appointed_on, 12 * ATTESTATION_PERIOD_YEARS)
    return worker.category_expires_on


def _warnings(procedure: str, reattestation: bool, deadline: date | None, on: date) -> list[Reason]:
    if deadline is None or on <= deadline:
        return []
    if reattestation:
        return [_reason("reattestation_overdue", deadline=deadline)]
    if procedure == "category":
        return [_reason("category_expired", expired_on=deadline)]
    return [_reason(f"{procedure}_overdue", deadline=deadline)]


def assess(
    worker: WorkerFacts, on: date, *, procedure: str | None = None, applied_category: str | None = None
) -> Eligibility:
    """Whether ``worker`` is on the list and admitted to the test on ``on``, with every reason.

    Without ``procedure`` the proposed one is used, or "category" when ``applied_category`` is
    given. The attempt counts as a re-attestation only in the procedure that was failed.
    """
    proposed, proposed_reattestation = propose_procedure(worker, on)
    if procedure is None:
        procedure = "category" if applied_category is not None else proposed
    validate("procedure", procedure)
    if applied_category is not None:
        validate("category", applied_category)
        if procedure != "category":
            raise ValueError(f"applied_category is only for a category application, not {procedure!r}")
    reattestation = proposed_reattestation and procedure == proposed

    exclusions = _exclusions(worker, on)
    admission = _admission(worker, procedure, applied_category)
    deadline = _deadline(worker, procedure, reattestation)
    return Eligibility(
        subject=not exclusions,
        admitted=not exclusions and not admission,
        reasons=tuple(exclusions + admission),
        procedure=procedure,
        reattestation=reattestation,
        deadline=deadline,
        warnings=tuple(_warnings(procedure, reattestation, deadline, on)),
    )
