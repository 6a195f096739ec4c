from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation.audit import AuditEntry
from attestation.db import DomainError
from question_bank.citations import CitationChecker, load_sources, normalise, source_code
from question_bank.drafts import Citation
from question_bank.models import SourceDocument

SHARED_SOURCES = Path("/work/shared/sources")
RULES = "attestation-rules-order-422"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("120 (жүз  жиырма)\nминутты", "120(ЖҮЗЖИЫРМА)минутты"),
        ("«Еңбек»", '"еңбек"'),
        ("“quoted”", '"QUOTED"'),
        ("a – b — c − d", "a-b-c-d"),
        ("soft\u00adhyphen", "softhyphen"),
        ("non\u00a0breaking", "nonbreaking"),
    ],
)
def test_normalise_ignores_whitespace_case_quotes_and_dashes(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_source_code_is_the_stem_up_to_the_first_dot() -> None:
    assert source_code(Path("attestation-rules-order-422.kk.txt")) == RULES
    assert source_code(Path("business-process-map-employers-vacancies.kk-ru.txt")) == (
        "business-process-map-employers-vacancies"
    )


def test_missing_or_empty_folder_is_an_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as err:
        load_sources(session, tmp_path / "nowhere")
    assert err.value.code == "sources_folder_missing" and "nowhere" in err.value.message
    with pytest.raises(DomainError) as err:
        load_sources(session, tmp_path)
    assert err.value.code == "sources_folder_empty"


def test_load_sources_stores_text_metadata_and_audits(session: Session, fixtures: Path) -> None:
    assert load_sources(session, fixtures / "sources") == [RULES]
    doc = session.scalar(select(SourceDocument).where(SourceDocument.code == RULES))
    assert doc is not None and doc.act_number == "422" and str(doc.act_date) == "2024-11-05"
    assert doc.language == "kk" and "120 (жүз жиырма)" in (doc.full_text or "")
    session.commit()  # audit entries are chained into the log at commit
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "bank.source_loaded")) is not None
    # loading the same text again changes nothing and writes no new audit entry
    load_sources(session, fixtures / "sources")
    session.commit()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "bank.source_loaded")).all()
    assert len(entries) == 1


def test_checker_finds_quotes_and_explains_failures(sourced: Session) -> None:
    checker = CitationChecker(sourced)
    assert checker.problem(Citation(RULES, "18", "120 (ЖҮЗ жиырма)\n минутты құрайды")) is None
    assert "not found" in (checker.problem(Citation(RULES, "18", "180 минутты құрайды")) or "")
    assert "unknown source" in (checker.problem(Citation("no-such-act", "1", "whatever text")) or "")
    assert "no citation" in (checker.problem(None) or "")
    sourced.add(SourceDocument(code="metadata-only", title="Registered without text"))
    sourced.flush()
    assert "no full text" in (
        CitationChecker(sourced).problem(Citation("metadata-only", "1", "some quote")) or ""
    )


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="shared sources not present")
def test_the_five_shared_sources_load_with_known_metadata(session: Session) -> None:
    codes = load_sources(session, SHARED_SOURCES)
    assert {
        RULES,
        "professional-standard-employment-promotion",
        "lmc-model-structure-order-324",
        "business-process-map-employers-vacancies",
        "enbek-portal-resume-guide",
    } <= set(codes)
    docs = {d.code: d for d in session.scalars(select(SourceDocument))}
    assert docs["lmc-model-structure-order-324"].act_number == "324"
    assert docs["professional-standard-employment-promotion"].act_number == "714"
    assert docs["business-process-map-employers-vacancies"].language == "kk-ru"
