"""Operations behind the PDO administrator's bank pages, composed from the engine's services.

Each function is what one page action does: save an item from the editor, reject a version
with a reason, act on several items at once, check and store a specification, import an
uploaded file, export the bank as a zip. They add no rule of their own beyond what the editor
needs to say in words (a position set must not be empty, a rejection needs a reason); the
rules stay in drafts, services, workflow and blueprints. Like the services they flush but
never commit.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation.db import DomainError, utcnow
from question_bank import SECTIONS
from question_bank.blueprints import Cell, PoolItem, Spec, check_blueprint, coverage_matrix, save_blueprint
from question_bank.drafts import ReviewNote, VersionContent
from question_bank.importer import EXTENSIONS, ImportReport, export_bank, import_path
from question_bank.models import IN_REVIEW, RETIRED, Item, ItemVersion
from question_bank.services import (
    append_reviews,
    create_item,
    get_topic,
    save_version,
    update_item_metadata,
)
from question_bank.workflow import Actor, BulkResult, bulk_transition, transition


# -- the item editor ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemEdit:
    """What the editor posts. ``positions`` None means every position."""

    external_id: str
    topic: str
    positions: tuple[str, ...] | None
    content: VersionContent
    note: str = ""


@dataclass(frozen=True)
class SaveOutcome:
    item: Item
    version: ItemVersion
    created_item: bool
    new_version: bool


def save_item(session: Session, item: Item | None, edit: ItemEdit, *, actor: Actor) -> SaveOutcome:
    """Create the item (``item`` None) or save the edit: a new draft version when the text
    changed (an active version keeps serving until the new one is activated), and the topic and
    positions, which are not part of a version."""
    if edit.positions is not None and not edit.positions:
        problems = ["choose at least one position, or all positions"]
        raise DomainError("item_invalid", "; ".join(problems), problems=problems)
    if item is None:
        topic = get_topic(session, edit.topic)
        created = create_item(
            session,
            external_id=edit.external_id,
            section=topic.section,
            topic_code=edit.topic,
            positions=edit.positions,
            content=edit.content,
            actor=actor,
            note=edit.note,
        )
        assert created.latest_version is not None
        return SaveOutcome(created, created.latest_version, True, True)
    count = len(item.versions)
    version = save_version(session, item, edit.content, actor=actor, note=edit.note)
    update_item_metadata(session, item, topic_code=edit.topic, positions=edit.positions, actor=actor)
    return SaveOutcome(item, version, False, len(item.versions) > count)


def reject_version(session: Session, version: ItemVersion, reason: str, *, actor: Actor) -> ItemVersion:
    """The reviewer's "no": the version in review is retired and the reason joins its review
    history, where the author reads it before saving a corrected version."""
    reason = reason.strip()
    if not reason:
        raise DomainError("rejection_reason_required", "Give the reason for the rejection.")
    if version.status != IN_REVIEW:
        raise DomainError(
            "transition_refused",
            f"{version.item.external_id} v{version.number}: only a version in review can be rejected",
            problems=[f"the version is {version.status}, not in review"],
        )
    append_reviews(
        session,
        version,
        [ReviewNote(actor.label, utcnow().isoformat(timespec="seconds"), f"rejected: {reason}")],
        actor=actor,
    )
    return transition(session, version, RETIRED, actor=actor, note=f"rejected: {reason}")


def bulk_items(
    session: Session, external_ids: Iterable[str], to_status: str, *, actor: Actor, note: str = ""
) -> BulkResult:
    """:func:`workflow.bulk_transition` on each item's current version (its pending edit, else
    its serving version): the list shows that version, so that is what a ticked row means."""
    version_ids: list[int] = []
    missing: list[dict] = []
    for external_id in dict.fromkeys(external_ids):
        item = session.scalar(select(Item).where(Item.external_id == external_id))
        version = item.current_version if item is not None else None
        if version is None:
            missing.append({"version_id": None, "item": external_id, "reasons": ["no such item or version"]})
        else:
            version_ids.append(version.id)
    result = bulk_transition(session, version_ids, to_status, actor=actor, note=note)
    result.refused[:0] = missing
    return result


# -- specifications ------------------------------------------------------------------------------
SPEC_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,79}$")


@dataclass(frozen=True)
class CoverageRow:
    section: str
    topic: str  # a topic code, or blueprints.REST
    needed: int
    cells: dict[str, Cell]  # by position

    @property
    def short(self) -> bool:
        return any(c.short for c in self.cells.values())


def coverage_table(pool: Sequence[PoolItem], spec: Spec) -> list[CoverageRow]:
    """The coverage matrix of every position of ``spec``: one row per section × topic cell,
    the cells the spec draws from first (in its order), then each unquoted topic's own supply."""
    rows: dict[tuple[str, str], CoverageRow] = {}
    for position in spec.positions:
        for cell in coverage_matrix(pool, spec, position):
            row = rows.setdefault(
                (cell.section, cell.topic), CoverageRow(cell.section, cell.topic, cell.needed, {})
            )
            row.cells[position] = cell
    order = {s: n for n, s in enumerate(SECTIONS)}
    return sorted(rows.values(), key=lambda r: (order.get(r.section, 99), r.needed == 0))


def save_spec_checked(session: Session, spec: Spec, pool: Sequence[PoolItem], *, actor: Actor) -> list[Cell]:
    """Store ``spec`` only if the bank can serve it (every needed cell has twice its need);
    otherwise :func:`blueprints.check_blueprint`'s refusal lists the short cells."""
    if not SPEC_CODE.match(spec.code):
        problems = ["the code must be 2-80 characters of a-z, 0-9, '.', '_' and '-' (e.g. initial.managers)"]
        raise DomainError("blueprint_invalid", "; ".join(problems), problems=problems)
    cells = check_blueprint(spec, pool)
    save_blueprint(session, spec, actor_id=actor.id, actor_label=actor.label)
    return cells


# -- import and export ---------------------------------------------------------------------------
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_BYTES = 50 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_KNOWN = tuple(e for es in EXTENSIONS.values() for e in es)


@dataclass
class UploadReport:
    report: ImportReport
    files: list[str]

    def summary(self) -> dict:
        return {
            "dry_run": self.report.dry_run,
            **self.report.summary(),
            "activated": len(self.report.activated),
        }


def _safe_name(name: str) -> str:
    base = _SAFE_NAME.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip("._") or "upload"
    return base[:120]


def _unpack(data: bytes, folder: Path) -> list[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DomainError("upload_unreadable", f"not a zip archive: {exc}") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise DomainError("upload_too_large", "the archive holds too many files or too many bytes")
    written = []
    for member in members:
        parts = [
            p for p in PurePosixPath(member.filename.replace("\\", "/")).parts if p not in ("", ".", "/")
        ]
        if not parts or ".." in parts or parts[-1].startswith(".") or not parts[-1].lower().endswith(_KNOWN):
            continue
        target = folder.joinpath(*(_safe_name(p) for p in parts))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(member))
        written.append(target.relative_to(folder).as_posix())
    if not written:
        raise DomainError("upload_empty", "the archive holds no .yaml, .xml, .gift or .txt file")
    return written


def import_upload(
    session: Session,
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    fmt: str = "auto",
    lang: str | None = None,
    section: str | None = None,
    topic: str | None = None,
    dry_run: bool = False,
    activate: bool = False,
) -> UploadReport:
    """Import one uploaded file, or a zip of them, with :func:`importer.import_path`.

    File names in the report are relative to the upload, never the server's temporary folder.
    The caller commits when the report is ok and it is not a dry run, else rolls back.
    """
    with tempfile.TemporaryDirectory(prefix="bank-upload-") as tmp:
        folder = Path(tmp)
        if filename.lower().endswith(".zip"):
            files = _unpack(data, folder)
            target = folder
        else:
            target = folder / _safe_name(filename)
            target.write_bytes(data)
            files = [target.name]
        report = import_path(
            session,
            target,
            dry_run=dry_run,
            actor=actor,
            fmt=fmt,
            lang=lang,
            section=section,
            topic=topic,
            activate=activate,
        )
        prefix = str(folder) + "/"
        for error in report.errors:
            error.file = error.file.removeprefix(prefix) if error.file != str(folder) else ""
            error.message = error.message.replace(prefix, "")
    return UploadReport(report, files)


def export_zip(session: Session, *, active_only: bool = False) -> bytes:
    """The bank as ``<section>/<topic>.yaml`` files in a zip (see :func:`importer.export_bank`)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="bank-export-") as tmp:
        folder = Path(tmp)
        written = export_bank(session, folder, active_only=active_only)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()
