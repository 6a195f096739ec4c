"""The review workflow of item versions: draft → in_review → active → retired, never back.

Status belongs to a *version*, because what a reviewer approves is a particular text. An item
has at most one active version (the one forms use) and at most one pending version (draft or
in review). Editing an active item therefore adds a pending version while the active one keeps
serving; activating the pending version retires the old one in the same step, so the bank
never has a gap or two live texts of one item. A rejected version is retired with the reason
(there is no way back to draft: the author saves a new version instead, which keeps every text
a reviewer ever saw).

Any version may be retired: a draft abandoned, a version rejected in review, or an active
version withdrawn. Every transition is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from attestation import audit
from attestation.db import DomainError, utcnow
from question_bank import REQUIRED_LANGUAGES
from question_bank.citations import CitationChecker
from question_bank.drafts import content_problems
from question_bank.models import ACTIVE, DRAFT, IN_REVIEW, RETIRED, Item, ItemVersion, ReviewEntry

TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (IN_REVIEW, RETIRED),
    IN_REVIEW: (ACTIVE, RETIRED),
    ACTIVE: (RETIRED,),
    RETIRED: (),
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a user id when there is one, and a label for files, the CLI and the log."""

    id: int | None = None
    label: str = "system"

    def is_author_of(self, version: ItemVersion) -> bool:
        if self.id is not None and version.author_id is not None:
            return self.id == version.author_id
        return bool(version.author_label) and self.label.casefold() == version.author_label.casefold()


def transition_problems(
    session: Session,
    version: ItemVersion,
    to_status: str,
    actor: Actor,
    *,
    checker: CitationChecker | None = None,
) -> list[str]:
    """Every reason the transition is refused; empty when it may proceed."""
    if to_status not in TRANSITIONS:
        return [f"unknown status {to_status!r}"]
    if to_status not in TRANSITIONS[version.status]:
        allowed = ", ".join(TRANSITIONS[version.status]) or "none"
        return [f"cannot move a {version.status} version to {to_status} (allowed: {allowed})"]
    if to_status != ACTIVE:
        return []
    return activation_problems(session, version, actor, checker=checker)


def activation_problems(
    session: Session, version: ItemVersion, actor: Actor, *, checker: CitationChecker | None = None
) -> list[str]:
    problems = []
    if actor.is_author_of(version):
        problems.append("the reviewer who activates a version cannot be its author")
    problems.extend(
        content_problems(version.content(), required_languages=REQUIRED_LANGUAGES, require_explanation=True)
    )
    citation_problem = (checker or CitationChecker(session)).problem(version.content().citation)
    if citation_problem and version.citation_source is not None:
        problems.append(f"citation not verified: {citation_problem}")
    return problems


def transition(
    session: Session,
    version: ItemVersion,
    to_status: str,
    *,
    actor: Actor,
    note: str = "",
    checker: CitationChecker | None = None,
    review_label: str | None = None,
) -> ItemVersion:
    """Move ``version`` to ``to_status`` or raise DomainError with every reason it may not.

    ``review_label`` names the reviewer for the review history when it differs from the acting
    account (an import that activates content reviewed offline); by default the actor is the
    reviewer and an activation appends a line to the history.
    """
    problems = transition_problems(session, version, to_status, actor, checker=checker)
    if problems:
        raise DomainError(
            "transition_refused",
            f"{version.item.external_id} v{version.number}: " + "; ".join(problems),
            problems=problems,
            version_id=version.id,
        )
    _apply(session, version, to_status, actor=actor, note=note, record_review=review_label is None)
    return version


def _apply(
    session: Session, version: ItemVersion, to_status: str, *, actor: Actor, note: str, record_review: bool
) -> None:
    item = version.item
    if to_status == ACTIVE:
        previous = item.active_version
        if previous is not None and previous is not version:
            _set_status(session, previous, RETIRED, actor=actor, note=f"superseded by v{version.number}")
        if record_review:
            version.reviews.append(
                ReviewEntry(
                    seq=len(version.reviews) + 1,
                    by_label=actor.label,
                    by_id=actor.id,
                    at=utcnow().isoformat(timespec="seconds"),
                    note=("activated: " + note) if note else "activated",
                )
            )
    _set_status(session, version, to_status, actor=actor, note=note)


def _set_status(session: Session, version: ItemVersion, to_status: str, *, actor: Actor, note: str) -> None:
    before = version.status
    version.status = to_status
    item = version.item
    item.status = item_status(item)
    session.flush()
    audit.record(
        session,
        f"bank.version_{to_status}",
        actor_id=actor.id,
        actor_label=actor.label,
        object_type="bank_item_version",
        object_id=version.id,
        before={"status": before},
        after={"status": to_status, "item": item.external_id, "number": version.number},
        note=note,
    )


def item_status(item: Item) -> str:
    """An item is active while any version serves; otherwise it has its pending version's status."""
    statuses = [v.status for v in item.versions]
    if ACTIVE in statuses:
        return ACTIVE
    pending = item.pending_version
    if pending is not None:
        return pending.status
    return RETIRED if statuses else DRAFT


@dataclass
class BulkResult:
    succeeded: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"succeeded": self.succeeded, "refused": self.refused}


def bulk_transition(
    session: Session, version_ids: Iterable[int], to_status: str, *, actor: Actor, note: str = ""
) -> BulkResult:
    """Check each version on its own; the acceptable ones move, the others are reported with reasons."""
    result = BulkResult()
    checker = CitationChecker(session)
    for version_id in version_ids:
        version = session.get(ItemVersion, version_id)
        if version is None:
            result.refused.append({"version_id": version_id, "item": None, "reasons": ["no such version"]})
            continue
        label = {"version_id": version.id, "item": version.item.external_id, "number": version.number}
        problems = transition_problems(session, version, to_status, actor, checker=checker)
        if problems:
            result.refused.append({**label, "reasons": problems})
            continue
        _apply(session, version, to_status, actor=actor, note=note, record_review=True)
        result.succeeded.append({**label, "status": to_status})
    return result
