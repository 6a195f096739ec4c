from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attestation.audit import AuditEntry
from question_bank.importer import export_bank, import_path
from question_bank.models import ACTIVE, DRAFT, RETIRED, Item, ItemVersion, Topic
from question_bank.services import get_item
from question_bank.workflow import Actor
from question_bank.yaml_format import parse_yaml_text

ACTOR = Actor(None, "ci")


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_good_folder_imports_as_drafts_and_reimport_is_skipped(sourced: Session, fixtures: Path) -> None:
    report = import_path(sourced, fixtures / "good", actor=ACTOR)
    assert report.summary() == {"imported": 4, "skipped": 0, "errors": []}
    item = get_item(sourced, "LEG-TST-0002")
    assert item.status == DRAFT and item.topic.code == "att_rules_testing"
    assert item.positions_value() == [
        "director",
        "deputy_director",
        "unit_head",
        "lmc_specialist",
        "cc_assistant",
    ]
    version = item.latest_version
    assert version.key == [0, 2] and version.languages() == ["en", "kk", "ru"]
    assert version.author_label == "author-a" and [r.by_label for r in version.reviews] == [
        "author-a",
        "reviewer-c",
    ]
    topic = sourced.scalar(select(Topic).where(Topic.code == "att_rules_testing"))
    assert topic.title_ru == "Порядок тестирования"
    again = import_path(sourced, fixtures / "good", actor=ACTOR)
    assert again.summary() == {"imported": 0, "skipped": 4, "errors": []}
    assert count(sourced, ItemVersion) == 4


def test_dry_run_writes_nothing(sourced: Session, fixtures: Path) -> None:
    report = import_path(sourced, fixtures / "good", actor=ACTOR, dry_run=True)
    assert report.summary()["imported"] == 4 and count(sourced, Item) == 0


def test_changed_item_makes_a_new_version(sourced: Session, fixtures: Path, tmp_path: Path) -> None:
    shutil.copytree(fixtures / "good", tmp_path / "bank")
    import_path(sourced, tmp_path / "bank", actor=ACTOR, activate=True)
    target = tmp_path / "bank" / "legal" / "att_rules_testing.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("difficulty: 2", "difficulty: 3"), encoding="utf-8"
    )
    report = import_path(sourced, tmp_path / "bank", actor=ACTOR)
    assert report.summary() == {"imported": 1, "skipped": 3, "errors": []}
    item = get_item(sourced, "LEG-TST-0001")
    assert [(v.number, v.status, v.difficulty) for v in item.versions] == [(1, ACTIVE, 2), (2, DRAFT, 3)]


def test_broken_file_imports_nothing_and_names_every_bad_item(sourced: Session, fixtures: Path) -> None:
    report = import_path(sourced, fixtures / "broken", actor=ACTOR)
    summary = report.summary()
    assert summary["imported"] == 0 and summary["skipped"] == 0
    errors = {e["item"]: e for e in summary["errors"]}
    assert set(errors) == {"LEG-BRK-0002", "LEG-BRK-0003", "LEG-BRK-0004", "LEG-BRK-0005", "LEG-BRK-0006"}
    lines = {item: e["line"] for item, e in errors.items()}
    assert lines == {
        "LEG-BRK-0002": 20,
        "LEG-BRK-0003": 32,
        "LEG-BRK-0004": 44,
        "LEG-BRK-0005": 56,
        "LEG-BRK-0006": 68,
    }
    assert "exactly one key" in errors["LEG-BRK-0002"]["message"]
    assert "quote not found" in errors["LEG-BRK-0003"]["message"]
    assert "janitor" in errors["LEG-BRK-0004"]["message"] and "1..5" in errors["LEG-BRK-0004"]["message"]
    assert "explaination" in errors["LEG-BRK-0005"]["message"]
    message = errors["LEG-BRK-0006"]["message"]
    assert "ru variant is missing" in message and "all/none of the above" in message
    assert all(e["file"].endswith("att_rules_broken.yaml") for e in summary["errors"])
    assert count(sourced, Item) == 0 and count(sourced, Topic) == 0


def test_good_and_broken_together_import_nothing(sourced: Session, fixtures: Path, tmp_path: Path) -> None:
    shutil.copytree(fixtures / "good", tmp_path / "bank")
    shutil.copy(fixtures / "broken" / "legal" / "att_rules_broken.yaml", tmp_path / "bank" / "legal")
    report = import_path(sourced, tmp_path / "bank", actor=ACTOR)
    assert not report.ok and report.summary()["imported"] == 0 and count(sourced, Item) == 0


def test_sources_must_be_loaded(session: Session, fixtures: Path) -> None:
    report = import_path(session, fixtures / "good" / "legal", actor=ACTOR)
    assert len(report.errors) == 3 and all("unknown source" in e.message for e in report.errors)


def test_yaml_shape_errors_have_lines() -> None:
    text = "topic: t_x\nsection: legal\nsection: functional\nitems:\n  - id: A-1\n    type: [\n"
    parsed = parse_yaml_text(text)
    assert parsed.errors and parsed.errors[0].line is not None and "YAML syntax" in parsed.errors[0].message
    text = "topic: t_x\nsection: legal\nsection: functional\nitems: []\n"
    parsed = parse_yaml_text(text)
    assert [(e.line, e.message) for e in parsed.errors] == [(3, "duplicate key 'section'")]
    text = "topic: t_x\nsection: legal\nitems:\n  - id: LEG-X-1\n    type: single_choice\n"
    parsed = parse_yaml_text(text)
    assert (
        parsed.errors[0].item == "LEG-X-1"
        and parsed.errors[0].line == 4
        and "missing" in parsed.errors[0].message
    )


def test_unquoted_yes_no_options_are_refused(sourced: Session, fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "good" / "functional" / "fun_appeal_commission.yaml").read_text(encoding="utf-8")
    bad = text.replace('options: ["Хатшыда", "Төрағада", "Комиссия мүшесінде"]', "options: [yes, no, maybe]")
    (tmp_path / "f.yaml").write_text(bad, encoding="utf-8")
    report = import_path(sourced, tmp_path / "f.yaml", actor=ACTOR)
    assert "quote it" in report.errors[0].message


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_yaml_round_trip(sourced: Session, fixtures: Path, tmp_path: Path) -> None:
    import_path(sourced, fixtures / "good", actor=ACTOR)
    written = export_bank(sourced, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "functional/fun_appeal_commission.yaml",
        "legal/att_rules_testing.yaml",
    ]
    # the exported data equals the authors' files
    for rel in ("legal/att_rules_testing.yaml", "functional/fun_appeal_commission.yaml"):
        original, exported = _load(fixtures / "good" / rel), _load(tmp_path / "out" / rel)
        for item in original["items"]:  # the file had "review" without "note" once; export writes ""
            for line in item.get("review", []):
                line.setdefault("note", "")
        assert exported == original
    # re-importing the export stores nothing new
    assert import_path(sourced, tmp_path / "out", actor=ACTOR).summary() == {
        "imported": 0,
        "skipped": 4,
        "errors": [],
    }
    # and an export of a fresh import of the export is byte-identical
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session as OrmSession

    from attestation.db import Base
    from question_bank.citations import load_sources

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with OrmSession(engine) as other:
        load_sources(other, fixtures / "sources")
        assert import_path(other, tmp_path / "out", actor=ACTOR).ok
        again = export_bank(other, tmp_path / "again")
    for path in again:
        rel = path.relative_to(tmp_path / "again")
        assert path.read_bytes() == (tmp_path / "out" / rel).read_bytes()


def test_activate_records_the_review_history(sourced: Session, fixtures: Path) -> None:
    report = import_path(sourced, fixtures / "good", actor=ACTOR, activate=True)
    assert report.ok and sorted(report.activated) == [
        "FUN-APL-0001",
        "LEG-TST-0001",
        "LEG-TST-0002",
        "LEG-TST-0003",
    ]
    item = get_item(sourced, "LEG-TST-0001")
    assert item.status == ACTIVE
    sourced.commit()  # audit entries are chained into the log at commit
    entries = sourced.scalars(
        select(AuditEntry).where(AuditEntry.object_id == str(item.latest_version.id))
    ).all()
    by_action = {e.action: e for e in entries}
    assert by_action["bank.version_active"].actor_label == "reviewer-b"
    assert [r["by"] for r in by_action["bank.review_history_imported"].after["review"]] == [
        "author-a",
        "reviewer-b",
    ]
    # reviews in the history are not duplicated by the activation
    assert [r.by_label for r in item.latest_version.reviews] == ["author-a", "reviewer-b"]
    assert import_path(sourced, fixtures / "good", actor=ACTOR, activate=True).summary()["skipped"] == 4


def test_activate_activates_identical_drafts(sourced: Session, fixtures: Path) -> None:
    import_path(sourced, fixtures / "good", actor=ACTOR)
    report = import_path(sourced, fixtures / "good", actor=ACTOR, activate=True)
    assert report.summary()["imported"] == 4 and len(report.activated) == 4
    assert all(i.status == ACTIVE for i in sourced.scalars(select(Item)))


def test_activate_refuses_items_reviewed_only_by_their_author(
    sourced: Session, fixtures: Path, tmp_path: Path
) -> None:
    text = (fixtures / "good" / "functional" / "fun_appeal_commission.yaml").read_text(encoding="utf-8")
    (tmp_path / "f.yaml").write_text(text.replace("by: reviewer-b", "by: author-a"), encoding="utf-8")
    report = import_path(sourced, tmp_path / "f.yaml", actor=ACTOR, activate=True)
    assert report.errors[0].item == "FUN-APL-0001" and "other than the author" in report.errors[0].message
    assert count(sourced, Item) == 0


def test_export_active_only_and_retired_items(sourced: Session, fixtures: Path, tmp_path: Path) -> None:
    from question_bank.workflow import transition

    import_path(sourced, fixtures / "good", actor=ACTOR, activate=True)
    transition(sourced, get_item(sourced, "FUN-APL-0001").latest_version, RETIRED, actor=ACTOR)
    written = export_bank(sourced, tmp_path / "out", active_only=True)
    assert [p.name for p in written] == ["att_rules_testing.yaml"]


def test_activate_needs_a_new_review_after_a_change(sourced: Session, fixtures: Path, tmp_path: Path) -> None:
    shutil.copytree(fixtures / "good", tmp_path / "bank")
    assert import_path(sourced, tmp_path / "bank", actor=ACTOR, activate=True).ok
    target = tmp_path / "bank" / "functional" / "fun_appeal_commission.yaml"
    text = target.read_text(encoding="utf-8").replace("difficulty: 3", "difficulty: 4")
    target.write_text(text, encoding="utf-8")
    report = import_path(sourced, tmp_path / "bank", actor=ACTOR, activate=True)
    assert (
        report.errors[0].item == "FUN-APL-0001"
        and "added since the text last changed" in report.errors[0].message
    )
    text += "      - by: reviewer-e\n        at: 2026-12-01\n        note: re-checked after the change\n"
    target.write_text(text, encoding="utf-8")
    report = import_path(sourced, tmp_path / "bank", actor=ACTOR, activate=True)
    assert report.summary() == {"imported": 1, "skipped": 3, "errors": []}
    item = get_item(sourced, "FUN-APL-0001")
    assert [(v.number, v.status) for v in item.versions] == [(1, RETIRED), (2, ACTIVE)]
    assert item.active_version.difficulty == 4
