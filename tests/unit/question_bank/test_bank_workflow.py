from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation.audit import AuditEntry, verify_chain
from attestation.db import DomainError
from question_bank.models import ACTIVE, DRAFT, IN_REVIEW, RETIRED, Item, ItemVariant, ItemVersion
from question_bank.services import (
    ItemFilter,
    active_pool,
    count_items,
    list_items,
    review_queue,
    save_version,
)
from question_bank.types import grade, render_version
from question_bank.workflow import Actor, bulk_transition, transition

AUTHOR = Actor(1, "author")
REVIEWER = Actor(2, "reviewer")


def activate(session: Session, version: ItemVersion) -> None:
    transition(session, version, IN_REVIEW, actor=AUTHOR)
    transition(session, version, ACTIVE, actor=REVIEWER)


def test_full_path_draft_review_active_retired(sourced: Session, make_item: Callable[..., Item]) -> None:
    item = make_item()
    version = item.latest_version
    assert version.status == DRAFT and item.status == DRAFT
    transition(sourced, version, IN_REVIEW, actor=AUTHOR)
    assert item.status == IN_REVIEW and review_queue(sourced) == [version]
    transition(sourced, version, ACTIVE, actor=REVIEWER, note="checked §18")
    assert item.status == ACTIVE and item.active_version is version
    assert version.reviews[-1].by_label == "reviewer" and "checked §18" in version.reviews[-1].note
    transition(sourced, version, RETIRED, actor=REVIEWER)
    assert item.status == RETIRED and item.active_version is None
    sourced.commit()  # audit entries are chained into the log at commit
    actions = [e.action for e in sourced.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    for action in ("bank.version_in_review", "bank.version_active", "bank.version_retired"):
        assert action in actions
    assert verify_chain(sourced) is None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (DRAFT, ACTIVE),
        (IN_REVIEW, DRAFT),
        (ACTIVE, IN_REVIEW),
        (ACTIVE, DRAFT),
        (RETIRED, DRAFT),
        (RETIRED, ACTIVE),
    ],
)
def test_wrong_transitions_are_refused(
    sourced: Session, make_item: Callable[..., Item], start: str, target: str
) -> None:
    version = make_item().latest_version
    path = {DRAFT: [], IN_REVIEW: [IN_REVIEW], ACTIVE: [IN_REVIEW, ACTIVE], RETIRED: [RETIRED]}[start]
    for step in path:
        transition(sourced, version, step, actor=REVIEWER if step == ACTIVE else AUTHOR)
    with pytest.raises(DomainError) as err:
        transition(sourced, version, target, actor=REVIEWER)
    assert err.value.code == "transition_refused" and "cannot move" in err.value.message
    assert version.status == start


def test_unknown_status_is_refused(sourced: Session, make_item: Callable[..., Item]) -> None:
    with pytest.raises(DomainError):
        transition(sourced, make_item().latest_version, "published", actor=AUTHOR)


def test_author_cannot_activate_own_version(sourced: Session, make_item: Callable[..., Item]) -> None:
    version = make_item().latest_version
    transition(sourced, version, IN_REVIEW, actor=AUTHOR)
    with pytest.raises(DomainError) as err:
        transition(sourced, version, ACTIVE, actor=Actor(1, "someone else's label"))
    assert "cannot be its author" in err.value.message
    # matched by label when there is no user id (imports, CLI)
    with pytest.raises(DomainError):
        transition(sourced, version, ACTIVE, actor=Actor(None, "AUTHOR"))
    assert version.status == IN_REVIEW


def test_activation_needs_kk_and_ru(sourced: Session, make_item: Callable[..., Item]) -> None:
    version = make_item(langs=("kk",)).latest_version
    transition(sourced, version, IN_REVIEW, actor=AUTHOR)
    with pytest.raises(DomainError) as err:
        transition(sourced, version, ACTIVE, actor=REVIEWER)
    assert "ru variant is missing" in err.value.message


def test_activation_needs_a_verified_citation(sourced: Session, make_item: Callable[..., Item]) -> None:
    for kw, fragment in [
        ({"quote": "this sentence is not in the rules"}, "quote not found"),
        ({"quote": None}, "citation is missing"),
    ]:
        version = make_item(**kw).latest_version
        transition(sourced, version, IN_REVIEW, actor=AUTHOR)
        with pytest.raises(DomainError) as err:
            transition(sourced, version, ACTIVE, actor=REVIEWER)
        assert fragment in err.value.message


def test_source_without_text_cannot_verify(session: Session, make_item: Callable[..., Item]) -> None:
    from question_bank.models import SourceDocument

    session.add(SourceDocument(code="attestation-rules-order-422", title="no text loaded"))
    version = make_item().latest_version
    transition(session, version, IN_REVIEW, actor=AUTHOR)
    with pytest.raises(DomainError) as err:
        transition(session, version, ACTIVE, actor=REVIEWER)
    assert "no full text loaded" in err.value.message


def test_editing_an_active_item_makes_a_new_version_and_the_old_one_keeps_serving(
    sourced: Session, make_item: Callable[..., Item], make_content: Callable
) -> None:
    item = make_item()
    v1 = item.latest_version
    activate(sourced, v1)
    before_render = render_version(v1, "ru", [3, 2, 1, 0])
    before_grade = grade(v1, [1])

    v2 = save_version(sourced, item, make_content(key=(2,), tag="edited"), actor=AUTHOR, note="fix key")
    assert v2.number == 2 and v2.status == DRAFT and v1.status == ACTIVE
    assert [p.version_id for p in active_pool(sourced)] == [v1.id]
    # saving the same text again is not a new version
    assert save_version(sourced, item, make_content(key=(2,), tag="edited"), actor=AUTHOR) is v2
    # a second edit supersedes the pending one
    v3 = save_version(sourced, item, make_content(key=(3,), tag="again"), actor=AUTHOR)
    assert v2.status == RETIRED and item.pending_version is v3

    activate(sourced, v3)
    assert v1.status == RETIRED and item.active_version is v3
    assert [p.version_id for p in active_pool(sourced)] == [v3.id]
    # the old version renders and grades exactly as before
    sourced.expire_all()
    old = sourced.get(ItemVersion, v1.id)
    assert render_version(old, "ru", [3, 2, 1, 0]) == before_render
    assert grade(old, [1]) == before_grade == 1.0
    assert grade(sourced.get(ItemVersion, v3.id), [1]) == 0.0


def test_versions_are_immutable(sourced: Session, make_item: Callable[..., Item]) -> None:
    version = make_item().latest_version
    sourced.commit()
    version.key = [0]
    with pytest.raises(DomainError) as err:
        sourced.flush()
    assert err.value.code == "version_immutable"
    sourced.rollback()
    variant = sourced.scalar(select(ItemVariant))
    variant.stem = "rewritten"
    with pytest.raises(DomainError):
        sourced.flush()
    sourced.rollback()
    with pytest.raises(DomainError):
        sourced.delete(sourced.get(ItemVersion, version.id))
        sourced.flush()


def test_bulk_transition_reports_each_item(sourced: Session, make_item: Callable[..., Item]) -> None:
    good = make_item().latest_version
    own = make_item(author=Actor(3, "writer")).latest_version
    no_ru = make_item(langs=("kk",)).latest_version
    still_draft = make_item().latest_version
    for v in (good, own, no_ru):
        transition(sourced, v, IN_REVIEW, actor=AUTHOR)
    result = bulk_transition(
        sourced, [good.id, own.id, no_ru.id, still_draft.id, 999], ACTIVE, actor=Actor(3, "writer")
    )
    assert [r["version_id"] for r in result.succeeded] == [good.id]
    refused = {r["version_id"]: " ".join(r["reasons"]) for r in result.refused}
    assert "author" in refused[own.id] and "author" not in refused[no_ru.id]
    assert "ru variant" in refused[no_ru.id]
    assert "cannot move a draft" in refused[still_draft.id] and "no such version" in refused[999]
    assert good.status == ACTIVE and own.status == IN_REVIEW


def test_lists_filter_by_section_status_position_and_text(
    sourced: Session, make_item: Callable[..., Item]
) -> None:
    a = make_item(tag="deadline")
    make_item(section="functional", topic="fun_topic", positions=("cc_specialist",))
    activate(sourced, a.latest_version)
    assert count_items(sourced) == 2
    assert [i.external_id for i in list_items(sourced, ItemFilter(status=ACTIVE))] == [a.external_id]
    assert count_items(sourced, ItemFilter(section="functional")) == 1
    assert count_items(sourced, ItemFilter(position="director")) == 1
    assert count_items(sourced, ItemFilter(position="cc_specialist")) == 2
    assert [i.external_id for i in list_items(sourced, ItemFilter(text="DEADLINE"))] == [a.external_id]
