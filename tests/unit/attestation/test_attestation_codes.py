import pytest

from attestation import codes


def test_code_lists_are_the_orders():
    assert codes.POSITIONS == (
        "director",
        "deputy_director",
        "unit_head",
        "lmc_specialist",
        "cc_specialist",
        "cc_assistant",
    )
    assert set(codes.MANAGER_POSITIONS) < set(codes.POSITIONS)
    assert codes.ANNEX1_PROCEDURES == codes.PROCEDURES + ("reattestation",)
    assert codes.CATEGORIES == ("none", "career_consultant", "case_manager", "mentor")
    assert set(codes.FAMILY_LEAVE_KINDS) < set(codes.LEAVE_KINDS)
    assert codes.LEGAL_QUESTIONS + codes.FUNCTIONAL_QUESTIONS == codes.TEST_QUESTIONS == 100


@pytest.mark.parametrize(
    ("code", "rank", "below", "above"),
    [
        ("none", 0, "none", "career_consultant"),
        ("career_consultant", 1, "none", "case_manager"),
        ("case_manager", 2, "career_consultant", "mentor"),
        ("mentor", 3, "case_manager", None),
    ],
)
def test_category_order(code, rank, below, above):
    assert codes.category_rank(code) == rank
    assert codes.category_below(code) == below
    assert codes.category_above(code) == above


@pytest.mark.parametrize("kind", ["position", "procedure", "annex1_procedure", "category", "leave_kind"])
def test_validate_accepts_every_known_code(kind):
    allowed = {
        "position": codes.POSITIONS,
        "procedure": codes.PROCEDURES,
        "annex1_procedure": codes.ANNEX1_PROCEDURES,
        "category": codes.CATEGORIES,
        "leave_kind": codes.LEAVE_KINDS,
    }[kind]
    for code in allowed:
        assert codes.validate(kind, code) == code


@pytest.mark.parametrize("bad", ["Director", "", "cc specialist", None, 3])
def test_validate_names_the_bad_code(bad):
    with pytest.raises(ValueError, match=f"unknown position {bad!r}"):
        codes.validate("position", bad)


def test_validate_refuses_unknown_kind():
    with pytest.raises(ValueError, match="unknown code kind 'colour'"):
        codes.validate("colour", "red")


def test_category_helpers_refuse_unknown_category():
    with pytest.raises(ValueError, match="unknown category 'expert'"):
        codes.category_below("expert")


def test_annex1_procedure():
    assert codes.annex1_procedure("compliance", False) == "compliance"
    assert codes.annex1_procedure("category", True) == "reattestation"
    with pytest.raises(ValueError, match="unknown procedure 'reattestation'"):
        codes.annex1_procedure("reattestation", False)
