"""Organisations, workers, campaigns and lists of attestees (Order 422, §3-12)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from attestation.db import Base, utcnow


class Region(Base):
    """One of the 17 oblasts or the 3 cities of republican significance (Astana, Almaty, Shymkent)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # oblast | city
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", None) or self.name_ru


class Lmc(Base):
    """A Labour Mobility Centre: one per region, created by the local executive body."""

    __tablename__ = "lmc"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))

    region: Mapped[Region] = relationship(lazy="joined")
    # loaded when used (lists of organisations ask for it), not with every worker's LMC
    career_centres: Mapped[list[CareerCentre]] = relationship(back_populates="lmc")

    def name(self, lang: str) -> str:
        return self.name_kk if lang == "kk" else self.name_ru


class CareerCentre(Base):
    """A district or city branch of an LMC."""

    __tablename__ = "career_centre"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lmc_id: Mapped[int] = mapped_column(ForeignKey("lmc.id"), index=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))

    lmc: Mapped[Lmc] = relationship(back_populates="career_centres")

    def name(self, lang: str) -> str:
        return self.name_kk if lang == "kk" else self.name_ru


class Worker(Base):
    """An LMC or career-centre worker, identified by IIN."""

    __tablename__ = "worker"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    lmc_id: Mapped[int] = mapped_column(ForeignKey("lmc.id"), index=True)
    career_centre_id: Mapped[int | None] = mapped_column(ForeignKey("career_centre.id"), index=True)
    position: Mapped[str] = mapped_column(String(40))
    appointed_on: Mapped[date] = mapped_column(Date)
    first_hire: Mapped[bool] = mapped_column(Boolean, default=False)
    service_months: Mapped[int] = mapped_column(Integer, default=0)
    education: Mapped[str] = mapped_column(String(300), default="")
    current_category: Mapped[str | None] = mapped_column(String(40))
    category_expires_on: Mapped[date | None] = mapped_column(Date)
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    training_hours_required: Mapped[float] = mapped_column(Float, default=0)
    training_hours_completed: Mapped[float] = mapped_column(Float, default=0)
    category_profile_training_done: Mapped[bool] = mapped_column(Boolean, default=False)
    initial_attestation_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_attestation_on: Mapped[date | None] = mapped_column(Date)
    last_attestation_passed: Mapped[bool | None] = mapped_column(Boolean)
    last_procedure: Mapped[str | None] = mapped_column(String(20))
    last_was_reattestation: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_path: Mapped[str | None] = mapped_column(String(500))  # registry photo, for the identity check
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lmc: Mapped[Lmc] = relationship(lazy="joined")
    career_centre: Mapped[CareerCentre | None] = relationship(lazy="joined")
    leaves: Mapped[list[Leave]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", lazy="selectin", order_by="Leave.start"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)

    def workplace(self, lang: str) -> str:
        return (self.career_centre or self.lmc).name(lang)


class Leave(Base):
    __tablename__ = "worker_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)

    worker: Mapped[Worker] = relationship(back_populates="leaves")


class CalendarOverride(Base):
    """A transferred day off or a working Saturday, as the Government decrees each year."""

    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # day_off | working_day
    note: Mapped[str] = mapped_column(String(300), default="")


CAMPAIGN_DRAFT = "draft"
CAMPAIGN_OPEN = "open"
CAMPAIGN_CLOSED = "closed"
CAMPAIGN_TRANSITIONS = {
    CAMPAIGN_DRAFT: {CAMPAIGN_OPEN},
    CAMPAIGN_OPEN: {CAMPAIGN_CLOSED},
    CAMPAIGN_CLOSED: set(),
}


class Campaign(Base):
    """An attestation campaign: a testing window, its announcement (§11) and its lists (§9)."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_kk: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    testing_from: Mapped[date] = mapped_column(Date)
    testing_to: Mapped[date] = mapped_column(Date)
    lists_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=CAMPAIGN_DRAFT)
    announcement_kk: Mapped[str] = mapped_column(Text, default="")
    announcement_ru: Mapped[str] = mapped_column(Text, default="")
    announced_at: Mapped[datetime | None] = mapped_column(DateTime)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def title(self, lang: str) -> str:
        return self.title_kk if lang == "kk" else self.title_ru

    def announcement(self, lang: str) -> str:
        return self.announcement_kk if lang == "kk" else self.announcement_ru


ENTRY_LISTED = "listed"
ENTRY_REMOVED = "removed"


class AttesteeEntry(Base):
    """One line of an LMC's list of attestees (Annex 1) in a campaign.

    The Annex 1 columns are copied when the line is added, so the list as submitted stays the
    list on record even when the worker's card changes later.
    """

    __tablename__ = "attestee_entry"
    __table_args__ = (UniqueConstraint("campaign_id", "worker_id", name="uq_attestee_entry_campaign_worker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    lmc_id: Mapped[int] = mapped_column(ForeignKey("lmc.id"), index=True)
    procedure: Mapped[str] = mapped_column(String(20))
    reattestation: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_category: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=ENTRY_LISTED)
    full_name: Mapped[str] = mapped_column(String(300))
    workplace_kk: Mapped[str] = mapped_column(String(300))
    workplace_ru: Mapped[str] = mapped_column(String(300))
    position: Mapped[str] = mapped_column(String(40))
    service_months: Mapped[int] = mapped_column(Integer)
    current_category: Mapped[str | None] = mapped_column(String(40))
    removal_reason: Mapped[str] = mapped_column(String(300), default="")
    added_by: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    worker: Mapped[Worker] = relationship(lazy="joined")

    @property
    def annex1_procedure(self) -> str:
        return "reattestation" if self.reattestation else self.procedure
