"""Campaigns, their announcements (§11), and the LMCs' lists of attestees (§9-10, Annex 1).

The platform proposes each worker's procedure and refuses an ineligible worker with every
reason at once; adding, removing and opening are audited, and the list line keeps the Annex 1
columns as they were when the worker was listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation import audit
from attestation.codes import CATEGORIES, PROCEDURES
from attestation.db import DomainError, utcnow
from attestation.eligibility import Eligibility, Leave, WorkerFacts, assess, propose_procedure
from attestation.models import (
    CAMPAIGN_OPEN,
    CAMPAIGN_TRANSITIONS,
    ENTRY_LISTED,
    ENTRY_REMOVED,
    AttesteeEntry,
    Campaign,
    Worker,
)


def worker_facts(worker: Worker) -> WorkerFacts:
    return WorkerFacts(
        position=worker.position,
        appointed_on=worker.appointed_on,
        first_hire=worker.first_hire,
        current_category=worker.current_category if worker.position == "cc_specialist" else None,
        category_expires_on=worker.category_expires_on,
        pregnant=worker.pregnant,
        leaves=tuple(Leave(kind=lv.kind, start=lv.start, end=lv.end) for lv in worker.leaves),
        training_hours_required=worker.training_hours_required,
        training_hours_completed=worker.training_hours_completed,
        category_profile_training_done=worker.category_profile_training_done,
        last_attestation_on=worker.last_attestation_on,
        last_attestation_passed=worker.last_attestation_passed,
        initial_attestation_passed=worker.initial_attestation_passed,
        last_procedure=worker.last_procedure,
        last_was_reattestation=worker.last_was_reattestation,
    )


def assess_worker(
    worker: Worker, on: date, *, procedure: str | None = None, applied_category: str | None = None
) -> Eligibility:
    return assess(worker_facts(worker), on, procedure=procedure, applied_category=applied_category)


def reference_day(campaign: Campaign, today: date) -> date:
    """Eligibility is judged on the first testing day, or today once testing has begun."""
    return max(campaign.testing_from, today)


# --- campaigns -----------------------------------------------------------------------------------


def create_campaign(
    session: Session,
    *,
    title_kk: str,
    title_ru: str,
    testing_from: date,
    testing_to: date,
    lists_due: date | None,
    actor_id: int,
    actor_label: str,
    settings: dict[str, Any] | None = None,
) -> Campaign:
    if testing_to < testing_from:
        raise DomainError("window_reversed", "The testing window ends before it starts.")
    if lists_due is not None and lists_due > testing_from:
        raise DomainError("lists_due_after_testing", "Lists must be due before testing starts.")
    if not title_kk.strip() or not title_ru.strip():
        raise DomainError("title_required", "The campaign needs a title in Kazakh and in Russian.")
    campaign = Campaign(
        title_kk=title_kk.strip(),
        title_ru=title_ru.strip(),
        testing_from=testing_from,
        testing_to=testing_to,
        lists_due=lists_due,
        created_by=actor_id,
        settings={"decision_basis": "test_score", "frame_interval_seconds": 10, **(settings or {})},
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        "campaign_created",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="campaign",
        object_id=campaign.id,
        after={"title_ru": campaign.title_ru, "testing_from": testing_from, "testing_to": testing_to},
    )
    return campaign


def change_campaign_status(
    session: Session, campaign: Campaign, new_status: str, *, actor_id: int, actor_label: str
) -> None:
    if new_status not in CAMPAIGN_TRANSITIONS.get(campaign.status, set()):
        raise DomainError(
            "bad_transition",
            f"A {campaign.status} campaign cannot become {new_status}.",
            current=campaign.status,
            requested=new_status,
        )
    before = campaign.status
    campaign.status = new_status
    audit.record(
        session,
        "campaign_status",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="campaign",
        object_id=campaign.id,
        before=before,
        after=new_status,
    )


def publish_announcement(
    session: Session, campaign: Campaign, *, text_kk: str, text_ru: str, actor_id: int, actor_label: str
) -> None:
    if not text_kk.strip() or not text_ru.strip():
        raise DomainError("announcement_required", "The announcement needs text in Kazakh and in Russian.")
    if campaign.status != CAMPAIGN_OPEN:
        raise DomainError("campaign_not_open", "Only an open campaign can be announced.")
    before = {"kk": campaign.announcement_kk, "ru": campaign.announcement_ru}
    campaign.announcement_kk = text_kk.strip()
    campaign.announcement_ru = text_ru.strip()
    campaign.announced_at = utcnow()
    audit.record(
        session,
        "announcement_published",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="campaign",
        object_id=campaign.id,
        before=before,
        after={"kk": campaign.announcement_kk, "ru": campaign.announcement_ru},
    )


def announced_campaigns(session: Session, today: date) -> list[Campaign]:
    query = (
        select(Campaign)
        .where(Campaign.announced_at.is_not(None), Campaign.testing_to >= today)
        .order_by(Campaign.testing_from)
    )
    return list(session.scalars(query))


# --- lists of attestees ------------------------------------------------------------------------------


@dataclass
class ListCandidate:
    worker: Worker
    procedure: str
    reattestation: bool
    eligibility: Eligibility
    entry: AttesteeEntry | None


def list_candidates(session: Session, campaign: Campaign, lmc_id: int, today: date) -> list[ListCandidate]:
    """Every worker of the LMC with the proposed procedure, eligibility, and their list line if any."""
    on = reference_day(campaign, today)
    entries = {
        e.worker_id: e
        for e in session.scalars(
            select(AttesteeEntry).where(
                AttesteeEntry.campaign_id == campaign.id, AttesteeEntry.lmc_id == lmc_id
            )
        )
    }
    result = []
    workers = session.scalars(
        select(Worker).where(Worker.lmc_id == lmc_id).order_by(Worker.surname, Worker.name)
    )
    for worker in workers:
        facts = worker_facts(worker)
        procedure, reattestation = propose_procedure(facts, on)
        entry = entries.get(worker.id)
        if entry is not None and entry.status == ENTRY_LISTED:
            procedure, reattestation = entry.procedure, entry.reattestation
        eligibility = assess(
            facts, on, procedure=procedure, applied_category=entry.applied_category if entry else None
        )
        result.append(ListCandidate(worker, procedure, reattestation, eligibility, entry))
    return result


def add_to_list(
    session: Session,
    campaign: Campaign,
    worker: Worker,
    *,
    today: date,
    actor_id: int,
    actor_label: str,
    procedure: str | None = None,
    applied_category: str | None = None,
) -> AttesteeEntry:
    if campaign.status != CAMPAIGN_OPEN:
        raise DomainError("campaign_not_open", "Lists can be changed only while the campaign is open.")
    on = reference_day(campaign, today)
    facts = worker_facts(worker)
    proposed, reattestation = propose_procedure(facts, on)
    if applied_category:
        procedure = "category"
    procedure = procedure or proposed
    if procedure not in PROCEDURES:
        raise DomainError("unknown_code", f"Unknown procedure: {procedure}.", value=procedure)
    if applied_category is not None and applied_category not in CATEGORIES:
        raise DomainError("unknown_code", f"Unknown category: {applied_category}.", value=applied_category)
    if procedure != proposed:
        reattestation = False
    eligibility = assess(facts, on, procedure=procedure, applied_category=applied_category)
    if not (eligibility.subject and eligibility.admitted):
        raise NotEligible(eligibility)
    entry = session.scalar(
        select(AttesteeEntry).where(
            AttesteeEntry.campaign_id == campaign.id, AttesteeEntry.worker_id == worker.id
        )
    )
    if entry is not None and entry.status == ENTRY_LISTED:
        raise DomainError("already_listed", "The worker is already on this campaign's list.")
    if entry is None:
        entry = AttesteeEntry(campaign_id=campaign.id, worker_id=worker.id)
        session.add(entry)
    entry.lmc_id = worker.lmc_id
    entry.procedure = procedure
    entry.reattestation = reattestation
    entry.applied_category = applied_category if procedure == "category" else None
    entry.status = ENTRY_LISTED
    entry.removal_reason = ""
    entry.full_name = worker.full_name
    entry.workplace_kk = worker.workplace("kk")
    entry.workplace_ru = worker.workplace("ru")
    entry.position = worker.position
    entry.service_months = worker.service_months
    entry.current_category = worker.current_category
    entry.added_by = actor_id
    entry.added_at = utcnow()
    session.flush()
    audit.record(
        session,
        "attestee_listed",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="attestee_entry",
        object_id=entry.id,
        after={
            "campaign": campaign.id,
            "worker": worker.id,
            "procedure": procedure,
            "reattestation": reattestation,
            "applied_category": entry.applied_category,
        },
    )
    return entry


def remove_from_list(
    session: Session, entry: AttesteeEntry, *, reason: str, actor_id: int, actor_label: str
) -> None:
    """§10: the LMC corrects its list; the line stays on record as removed, with its reason."""
    if entry.campaign.status != CAMPAIGN_OPEN:
        raise DomainError("campaign_not_open", "Lists can be changed only while the campaign is open.")
    if entry.status != ENTRY_LISTED:
        raise DomainError("not_listed", "This line is not on the list.")
    if not reason.strip():
        raise DomainError("reason_required", "Say why the worker is taken off the list.")
    entry.status = ENTRY_REMOVED
    entry.removal_reason = reason.strip()[:300]
    audit.record(
        session,
        "attestee_removed",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="attestee_entry",
        object_id=entry.id,
        before=ENTRY_LISTED,
        after=ENTRY_REMOVED,
        note=entry.removal_reason,
    )


def listed_entries(session: Session, campaign_id: int, lmc_id: int | None = None) -> list[AttesteeEntry]:
    query = select(AttesteeEntry).where(
        AttesteeEntry.campaign_id == campaign_id, AttesteeEntry.status == ENTRY_LISTED
    )
    if lmc_id is not None:
        query = query.where(AttesteeEntry.lmc_id == lmc_id)
    return list(session.scalars(query.order_by(AttesteeEntry.full_name)))


class NotEligible(DomainError):
    def __init__(self, eligibility: Eligibility) -> None:
        super().__init__(
            "not_eligible", "The worker cannot be listed: " + ", ".join(r.code for r in eligibility.reasons)
        )
        self.eligibility = eligibility
