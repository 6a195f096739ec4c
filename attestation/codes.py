"""Stable codes and numbers of Order No. 422.

Codes are English snake_case and are stored in the database and in exports, so they are never
translated; the UI maps each code to a Kazakh or Russian label. The numbers are the Order's own
(§7 category validity, §16 test composition, §18 duration, §21 appeal, §24 commission, §28-1
activity evaluation, §31-32 hand-over to the regions), kept here so no other module repeats them.
"""

from __future__ import annotations

POSITIONS = ("director", "deputy_director", "unit_head", "lmc_specialist", "cc_specialist", "cc_assistant")
MANAGER_POSITIONS = ("director", "deputy_director", "unit_head")
# §8.2, §17.2: only a career-centre specialist holds and applies for qualification categories.
CATEGORY_POSITION = "cc_specialist"

PROCEDURES = ("initial", "compliance", "category")
# The "attestation procedure" column of Annex 1 lists re-attestation as a procedure of its own,
# while the rules (§27-28) treat it as a second attempt at one of PROCEDURES; the platform stores
# (procedure, reattestation) and renders the column with annex1_procedure().
ANNEX1_PROCEDURES = ("initial", "compliance", "category", "reattestation")

# Lowest first: the order is what §27-29 mean by "one level below" and "in sequence".
CATEGORIES = ("none", "career_consultant", "case_manager", "mentor")

LEAVE_KINDS = (
    "maternity",
    "childcare",
    "adoption",
    "study",
    "incapacity",
    "business_trip_abroad",
    "other",
)
# §6.3: these leaves exclude a worker while they last and for 12 months after the return.
FAMILY_LEAVE_KINDS = ("maternity", "childcare", "adoption")

ATTESTATION_PERIOD_YEARS = 3  # §3, at least once every three years
CATEGORY_VALIDITY_YEARS = 3  # §7
TEST_QUESTIONS = 100  # §16
LEGAL_QUESTIONS = 50  # §16, knowledge of normative legal acts
FUNCTIONAL_QUESTIONS = 50  # §16, knowledge and skills for the labour functions
TEST_MINUTES = 120  # §18
APPEAL_WORKING_DAYS = 2  # §21
COMMISSION_CALENDAR_DAYS = 5  # §24
RESULTS_TO_REGIONS_WORKING_DAYS = 5  # §31
REGION_DECISION_WORKING_DAYS = 3  # §32
ACTIVITY_EVALUATION_CALENDAR_DAYS = 2  # §28-1

_KINDS: dict[str, tuple[str, ...]] = {
    "position": POSITIONS,
    "procedure": PROCEDURES,
    "annex1_procedure": ANNEX1_PROCEDURES,
    "category": CATEGORIES,
    "leave_kind": LEAVE_KINDS,
}


def validate(kind: str, value: object) -> str:
    """Return ``value`` if it is a known code of ``kind``; otherwise raise ValueError naming it.

    Every public function of the package calls this at its boundary so that a typo in a caller
    fails loudly instead of silently falling through a rule.
    """
    allowed = _KINDS.get(kind)
    if allowed is None:
        raise ValueError(f"unknown code kind {kind!r}; expected one of {', '.join(_KINDS)}")
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {kind} {value!r}; expected one of {', '.join(allowed)}")
    return value


def category_rank(code: str) -> int:
    return CATEGORIES.index(validate("category", code))


def category_below(code: str) -> str:
    """One level down, stopping at "none": §27.1 and §28.2 never go below "no category"."""
    return CATEGORIES[max(category_rank(code) - 1, 0)]


def category_above(code: str) -> str | None:
    """The next category in the §29 sequence, or None above "mentor"."""
    rank = category_rank(code) + 1
    return CATEGORIES[rank] if rank < len(CATEGORIES) else None


def annex1_procedure(procedure: str, reattestation: bool) -> str:
    """The code for the Annex 1 and Annex 2 "attestation procedure" column."""
    validate("procedure", procedure)
    return "reattestation" if reattestation else procedure
