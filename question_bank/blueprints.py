"""Test specifications (blueprints): how many items of each section and topic a form has.

A specification names a procedure and a group of positions. Each section is split into
*cells*: one per topic given a quota, and one "rest" cell (topic ``*``) for the section's other
topics, which shares whatever the quotas leave (a quota of 0 therefore excludes a topic). A
cell can serve forms only if the bank holds at least twice the items it needs, for every
position of the group (items apply to a position when their positions are "all" or name it):
below that, forms of one campaign overlap so much that candidates can pass questions on, and
no "previous attempt" can be avoided.

Default specifications (:func:`default_specs`) follow §16, 50 legal + 50 functional, with no
topic quotas. Fixed quotas would go stale as the bank grows and retires items and would make
``check-specs`` fail for a reason nobody chose; without quotas a default passes as soon as each
section has 100 items for each position. :func:`proportional_quotas` offers quotas in
proportion to the bank for a blueprint editor that wants topic balance written down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation import audit
from attestation.db import DomainError
from question_bank import DEFAULT_SECTION_COUNTS, MANAGER_POSITIONS, POSITIONS, PROCEDURES, SECTIONS
from question_bank.models import Blueprint

REST = "*"
MIN_SUPPLY_FACTOR = 2

# Position groups that share a specification; category applications concern only career-centre
# specialists (§8.2), the other procedures every position.
POSITION_GROUPS: dict[str, tuple[str, ...]] = {
    "managers": tuple(MANAGER_POSITIONS),
    "lmc_specialists": ("lmc_specialist",),
    "cc_specialists": ("cc_specialist",),
    "cc_assistants": ("cc_assistant",),
}
PROCEDURE_GROUPS: dict[str, tuple[str, ...]] = {
    "initial": tuple(POSITION_GROUPS),
    "compliance": tuple(POSITION_GROUPS),
    "category": ("cc_specialists",),
}


@dataclass(frozen=True)
class PoolItem:
    """What assembly needs to know of an active item version (``positions`` None: all)."""

    item_id: int
    version_id: int
    external_id: str
    section: str
    topic: str
    difficulty: float
    option_count: int
    positions: frozenset[str] | None = None

    def applies_to(self, position: str) -> bool:
        return self.positions is None or position in self.positions


@dataclass(frozen=True)
class Spec:
    code: str
    procedure: str
    positions: tuple[str, ...]
    section_counts: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SECTION_COUNTS))
    topic_quotas: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    title: str = ""
    blueprint_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.section_counts.values())

    def cells(self) -> list[tuple[str, str, int]]:
        """(section, topic or REST, items needed) in a fixed order; REST only when it needs items."""
        out = []
        for section in SECTIONS:
            count = self.section_counts.get(section, 0)
            quotas = self.topic_quotas.get(section, {})
            for topic in sorted(quotas):
                out.append((section, topic, quotas[topic]))
            rest = count - sum(quotas.values())
            if rest > 0:
                out.append((section, REST, rest))
        return out

    def cell_of(self, item: PoolItem) -> tuple[str, str] | None:
        if self.section_counts.get(item.section, 0) <= 0:
            return None
        quotas = self.topic_quotas.get(item.section, {})
        return (item.section, item.topic if item.topic in quotas else REST)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "procedure": self.procedure,
            "positions": list(self.positions),
            "section_counts": dict(self.section_counts),
            "topic_quotas": {s: dict(q) for s, q in self.topic_quotas.items() if q},
        }


def spec_problems(spec: Spec) -> list[str]:
    problems = []
    if spec.procedure not in PROCEDURES:
        problems.append(f"unknown procedure {spec.procedure!r}")
    if not spec.positions:
        problems.append("a specification needs at least one position")
    unknown = [p for p in spec.positions if p not in POSITIONS]
    if unknown:
        problems.append(f"unknown position(s) {unknown}")
    for section, count in spec.section_counts.items():
        if section not in SECTIONS:
            problems.append(f"unknown section {section!r}")
        elif not isinstance(count, int) or count < 0:
            problems.append(f"{section}: count must be a non-negative integer")
    if spec.total <= 0:
        problems.append("a form needs at least one item")
    for section, quotas in spec.topic_quotas.items():
        if any(not isinstance(n, int) or n < 0 for n in quotas.values()):
            problems.append(f"{section}: topic quotas must be non-negative integers")
        elif sum(quotas.values()) > spec.section_counts.get(section, 0):
            problems.append(
                f"{section}: topic quotas add up to {sum(quotas.values())}, "
                f"more than the section's {spec.section_counts.get(section, 0)}"
            )
    return problems


@dataclass(frozen=True)
class Cell:
    section: str
    topic: str  # a topic code, or REST for the section's topics without a quota
    position: str
    available: int
    needed: int

    @property
    def short(self) -> bool:
        return self.available < MIN_SUPPLY_FACTOR * self.needed

    def describe(self) -> str:
        return (
            f"{self.section} × {self.topic} for {self.position}: {self.available} active items, "
            f"needs {MIN_SUPPLY_FACTOR * self.needed} ({MIN_SUPPLY_FACTOR} × {self.needed})"
        )

    def as_json(self) -> dict:
        return {
            "section": self.section,
            "topic": self.topic,
            "position": self.position,
            "available": self.available,
            "needed": self.needed,
            "short": self.short,
        }


def coverage_matrix(pool: Iterable[PoolItem], spec: Spec, position: str) -> list[Cell]:
    """Every section × topic for one position: the cells the spec draws from (``needed`` > 0)
    and, for the blueprint editor, each unquoted topic's own supply (``needed`` 0)."""
    items = [p for p in pool if p.applies_to(position)]
    per_cell = Counter(spec.cell_of(p) for p in items)
    per_topic = Counter((p.section, p.topic) for p in items)
    cells = [Cell(s, t, position, per_cell[(s, t)], n) for s, t, n in spec.cells()]
    quoted = {(s, t) for s, t, _ in spec.cells()}
    for (section, topic), available in sorted(per_topic.items()):
        if (section, topic) not in quoted and spec.section_counts.get(section, 0) > 0:
            cells.append(Cell(section, topic, position, available, 0))
    return cells


def check_blueprint(spec: Spec, pool: Sequence[PoolItem]) -> list[Cell]:
    """Refuse a specification the bank cannot serve, listing every short cell of every position.

    Returns the needed cells of all positions when the bank can serve it.
    """
    problems = spec_problems(spec)
    if problems:
        raise DomainError("blueprint_invalid", f"{spec.code}: " + "; ".join(problems), problems=problems)
    cells = [c for position in spec.positions for c in coverage_matrix(pool, spec, position) if c.needed]
    short = [c for c in cells if c.short]
    if short:
        raise DomainError(
            "blueprint_short",
            f"Specification {spec.code} cannot be served: " + "; ".join(c.describe() for c in short),
            spec=spec.code,
            cells=[c.as_json() for c in short],
        )
    return cells


def default_specs() -> list[Spec]:
    return [
        Spec(
            code=f"{procedure}.{group}",
            procedure=procedure,
            positions=POSITION_GROUPS[group],
            title=f"{procedure} / {group}: 50 legal + 50 functional (§16)",
        )
        for procedure in PROCEDURES
        for group in PROCEDURE_GROUPS[procedure]
    ]


def default_spec_for(procedure: str, position: str) -> Spec:
    for spec in default_specs():
        if spec.procedure == procedure and position in spec.positions:
            return spec
    raise DomainError(
        "blueprint_missing",
        f"No default specification for {procedure} / {position}.",
        procedure=procedure,
        position=position,
    )


def proportional_quotas(pool: Iterable[PoolItem], section: str, count: int) -> dict[str, int]:
    """Topic quotas in proportion to the bank's active items (largest remainder), each capped at
    half the topic's supply so that the quotas pass :func:`check_blueprint` for this pool."""
    supply = Counter(p.topic for p in pool if p.section == section)
    total = sum(supply.values())
    if not total:
        return {}
    exact = {t: count * n / total for t, n in supply.items()}
    quotas = {t: min(int(x), supply[t] // MIN_SUPPLY_FACTOR) for t, x in exact.items()}
    for topic in sorted(exact, key=lambda t: (-(exact[t] - int(exact[t])), t)):
        if sum(quotas.values()) >= count:
            break
        if quotas[topic] + 1 <= supply[topic] // MIN_SUPPLY_FACTOR:
            quotas[topic] += 1
    return {t: n for t, n in sorted(quotas.items()) if n}


# -- stored blueprints ------------------------------------------------------------------------
def spec_from_blueprint(bp: Blueprint) -> Spec:
    return Spec(
        code=bp.code,
        procedure=bp.procedure,
        positions=tuple(bp.positions),
        section_counts={"legal": bp.legal_count, "functional": bp.functional_count},
        topic_quotas={s: dict(q) for s, q in (bp.topic_quotas or {}).items()},
        title=bp.title,
        blueprint_id=bp.id,
    )


def save_blueprint(
    session: Session, spec: Spec, *, actor_id: int | None = None, actor_label: str = "system"
) -> Blueprint:
    """Create or replace the stored blueprint ``spec.code`` (forms keep their own copy)."""
    problems = spec_problems(spec)
    if problems:
        raise DomainError("blueprint_invalid", f"{spec.code}: " + "; ".join(problems), problems=problems)
    bp = session.scalar(select(Blueprint).where(Blueprint.code == spec.code))
    before = None
    if bp is None:
        bp = Blueprint(code=spec.code)
        session.add(bp)
    else:
        before = spec_from_blueprint(bp).as_json()
    bp.title = spec.title
    bp.procedure = spec.procedure
    bp.positions = list(spec.positions)
    bp.legal_count = spec.section_counts.get("legal", 0)
    bp.functional_count = spec.section_counts.get("functional", 0)
    bp.topic_quotas = {s: dict(q) for s, q in spec.topic_quotas.items() if q}
    session.flush()
    audit.record(
        session,
        "bank.blueprint_saved",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="bank_blueprint",
        object_id=spec.code,
        before=before,
        after=spec.as_json(),
    )
    return bp


def stored_specs(session: Session) -> list[Spec]:
    return [spec_from_blueprint(bp) for bp in session.scalars(select(Blueprint).order_by(Blueprint.code))]


def ensure_default_blueprints(session: Session, *, actor_label: str = "system") -> list[Spec]:
    """Store the default specifications not stored yet, so that forms can name a blueprint id."""
    have = {bp.code for bp in session.scalars(select(Blueprint))}
    for spec in default_specs():
        if spec.code not in have:
            save_blueprint(session, spec, actor_label=actor_label)
    return stored_specs(session)


def spec_for(session: Session, procedure: str, position: str) -> Spec:
    """The stored specification for a procedure and position, else the default one."""
    for spec in stored_specs(session):
        if spec.procedure == procedure and position in spec.positions:
            return spec
    return default_spec_for(procedure, position)
