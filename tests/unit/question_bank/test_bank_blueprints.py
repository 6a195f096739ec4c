from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from attestation.db import DomainError
from question_bank import POSITIONS
from question_bank.blueprints import (
    REST,
    PoolItem,
    Spec,
    check_blueprint,
    coverage_matrix,
    default_spec_for,
    default_specs,
    ensure_default_blueprints,
    proportional_quotas,
    save_blueprint,
    spec_for,
    spec_problems,
)


def test_defaults_cover_every_procedure_and_position() -> None:
    specs = default_specs()
    assert all(s.section_counts == {"legal": 50, "functional": 50} and not s.topic_quotas for s in specs)
    for procedure in ("initial", "compliance"):
        for position in POSITIONS:
            assert position in default_spec_for(procedure, position).positions
    assert default_spec_for("category", "cc_specialist").code == "category.cc_specialists"
    with pytest.raises(DomainError):
        default_spec_for("category", "director")


def test_every_default_passes_on_a_bank_of_200_plus_200_with_70_percent_all(
    synthetic_pool: Callable[..., list[PoolItem]],
) -> None:
    pool = synthetic_pool(200, all_share=0.7)
    for spec in default_specs():
        cells = check_blueprint(spec, pool)
        assert {(c.section, c.topic) for c in cells} == {("legal", REST), ("functional", REST)}


def test_short_cells_are_all_listed(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(60, topics=4, all_share=0.5)
    spec = Spec(
        "compliance.managers",
        "compliance",
        ("director", "deputy_director", "unit_head"),
        topic_quotas={"legal": {"leg_t0": 20}},
    )
    with pytest.raises(DomainError) as err:
        check_blueprint(spec, pool)
    cells = err.value.params["cells"]
    assert err.value.code == "blueprint_short"
    # every position of the group fails on both sections and on the quota topic
    assert {(c["section"], c["topic"], c["position"]) for c in cells} == {
        (section, topic, position)
        for position in ("director", "deputy_director", "unit_head")
        for section, topic in (("legal", "leg_t0"), ("legal", REST), ("functional", REST))
    }
    assert all(c["available"] < 2 * c["needed"] for c in cells)
    assert "legal × leg_t0 for director" in err.value.message


def test_coverage_matrix_counts_items_that_apply_to_the_position() -> None:
    pool = [
        PoolItem(1, 11, "A", "legal", "t1", 2, 4, None),
        PoolItem(2, 12, "B", "legal", "t1", 2, 4, frozenset({"director"})),
        PoolItem(3, 13, "C", "legal", "t2", 2, 4, frozenset({"cc_specialist"})),
    ]
    spec = Spec("x", "initial", ("director",), {"legal": 1, "functional": 0}, {"legal": {"t1": 1}})
    cells = {(c.topic, c.needed): c.available for c in coverage_matrix(pool, spec, "director")}
    assert cells == {("t1", 1): 2}
    # an unquoted topic is listed for the editor with needed 0
    cells = {(c.topic, c.needed): c.available for c in coverage_matrix(pool, spec, "cc_specialist")}
    assert cells == {("t1", 1): 1, ("t2", 0): 1}
    spec_rest = Spec("y", "initial", ("director",), {"legal": 2, "functional": 0}, {"legal": {"t1": 1}})
    cells = {(c.topic, c.needed): c.available for c in coverage_matrix(pool, spec_rest, "cc_specialist")}
    assert cells == {("t1", 1): 1, (REST, 1): 1, ("t2", 0): 1}


def test_invalid_specs_are_refused() -> None:
    bad = Spec("bad", "promotion", ("janitor",), {"legal": 5, "functional": 0}, {"legal": {"t": 6}})
    problems = " ".join(spec_problems(bad))
    assert "unknown procedure" in problems and "unknown position" in problems and "add up to 6" in problems
    with pytest.raises(DomainError):
        check_blueprint(bad, [])


def test_proportional_quotas_sum_to_the_count_and_pass(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(200, topics=7)
    quotas = proportional_quotas(pool, "legal", 50)
    assert sum(quotas.values()) == 50
    spec = Spec("q", "initial", ("director",), topic_quotas={"legal": quotas})
    check_blueprint(spec, [p for p in pool if p.positions is None])


def test_stored_blueprints(session: Session) -> None:
    specs = ensure_default_blueprints(session)
    assert len(specs) == len(default_specs()) and all(s.blueprint_id for s in specs)
    custom = Spec("initial.managers", "initial", ("director", "deputy_director", "unit_head"),
                  {"legal": 60, "functional": 40})  # fmt: skip
    save_blueprint(session, custom)
    assert spec_for(session, "initial", "director").section_counts == {"legal": 60, "functional": 40}
    with pytest.raises(DomainError):
        save_blueprint(session, Spec("x", "initial", ()))
