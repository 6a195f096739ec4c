"""Shared fixtures: an in-memory bank with the excerpt of Order 422 loaded as a source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import attestation.audit  # noqa: F401  (the audit table)
import question_bank.models  # noqa: F401
from attestation.db import Base
from question_bank.citations import load_sources
from question_bank.drafts import Citation, TopicDraft, Variant, VersionContent
from question_bank.models import Item
from question_bank.services import create_item, upsert_topic
from question_bank.workflow import Actor

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bank"
QUOTE = "120 (жүз жиырма) минутты құрайды"
AUTHOR = Actor(1, "author")
REVIEWER = Actor(2, "reviewer")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


@pytest.fixture
def sourced(session: Session) -> Session:
    load_sources(session, FIXTURES / "sources")
    return session


@pytest.fixture
def make_content() -> Callable[..., VersionContent]:
    def make(
        type_code: str = "single_choice",
        key: tuple[int, ...] = (1,),
        langs: tuple[str, ...] = ("kk", "ru"),
        options: int = 4,
        difficulty: int = 2,
        quote: str | None = QUOTE,
        tag: str = "",
    ) -> VersionContent:
        variants = {
            lang: Variant(
                f"{lang} stem {tag}".strip() + "?",
                tuple(f"{lang} option {i} {tag}".strip() for i in range(options)),
                f"{lang} explanation",
            )
            for lang in langs
        }
        citation = Citation("attestation-rules-order-422", "18", quote) if quote is not None else None
        return VersionContent(type_code, difficulty, key, citation, variants)

    return make


@pytest.fixture
def make_item(session: Session, make_content: Callable[..., VersionContent]) -> Callable[..., Item]:
    counter = iter(range(1, 10_000))

    def make(
        section: str = "legal",
        topic: str = "att_topic",
        positions: tuple[str, ...] | None = None,
        author: Actor = AUTHOR,
        **kw: object,
    ) -> Item:
        upsert_topic(session, TopicDraft(topic, section, {"ru": topic}), actor=AUTHOR)
        prefix = "LEG" if section == "legal" else "FUN"
        return create_item(
            session,
            external_id=f"{prefix}-T-{next(counter):04d}",
            section=section,
            topic_code=topic,
            positions=positions,
            content=make_content(**kw),
            actor=author,
        )

    return make


@pytest.fixture
def synthetic_pool() -> Callable[..., list]:
    """A pool like the target bank: per section ``n`` items over ``topics`` topics, ~70% "all"."""
    import random

    from question_bank import POSITIONS
    from question_bank.blueprints import PoolItem

    def make(n: int = 200, topics: int = 8, all_share: float = 0.7, seed: int = 1) -> list[PoolItem]:
        rng = random.Random(seed)
        pool = []
        for s_index, section in enumerate(("legal", "functional")):
            for i in range(n):
                item_id = s_index * 10_000 + i + 1
                positions = None
                if rng.random() >= all_share:
                    positions = frozenset(rng.sample(POSITIONS, rng.randint(1, 3)))
                pool.append(
                    PoolItem(
                        item_id=item_id,
                        version_id=item_id + 500_000,
                        external_id=f"{section[:3].upper()}-{i:04d}",
                        section=section,
                        topic=f"{section[:3]}_t{i % topics}",
                        difficulty=float(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])),
                        option_count=rng.randint(3, 6),
                        positions=positions,
                    )
                )
        return pool

    return make
