"""One importer for every format, and the YAML export.

``import_path`` works in two phases. First it parses every file and checks every item against
the format's rules and the stored bank, reading only; if anything is wrong it writes nothing
and reports every bad item with its file, line and reasons, so that a folder imports whole or
not at all. Then it applies the plan: new items, new versions of changed items, metadata and
review-history updates, and (``activate``) activation. Items identical to what is stored are
"skipped", which makes re-importing the same files a no-op. The caller commits (or rolls back
if an unexpected exception escapes).

Rules by format:

* YAML (the bank's own): every rule of docs/bank-format.md, with kk and ru complete, a known
  source whose full text is loaded, and the quote found in it — the same rules as activation,
  and at least as strict as scripts/check_bank_content.py.
* Moodle XML and GIFT: one language (``lang``), a default ``section`` (and ``topic`` when the
  file has no categories); items land as drafts without a citation. When an item already
  exists, the file's language replaces that language's text in a new version and the other
  languages are kept, so a bank can be brought in one language at a time.

``activate`` (YAML only) activates each imported version whose review history has a line by
someone other than its author (``author``, else the first review line's ``by``): that person
is recorded as the activating reviewer and the history is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation import audit
from question_bank import LANGUAGES, SECTIONS
from question_bank.citations import CitationChecker
from question_bank.drafts import (
    TOPIC_CODE,
    ItemDraft,
    ReviewNote,
    TopicDraft,
    VersionContent,
    content_problems,
    item_problems,
)
from question_bank.gift import parse_gift_file
from question_bank.models import ACTIVE, IN_REVIEW, RETIRED, Item, ItemVersion, Topic
from question_bank.moodle_xml import parse_moodle_file
from question_bank.services import (
    append_reviews,
    create_item,
    matching_version,
    save_version,
    update_item_metadata,
    upsert_topic,
)
from question_bank.workflow import Actor, transition
from question_bank.yaml_format import FileError, ParsedFile, dump_topic, parse_yaml_file

FORMATS = ("auto", "yaml", "moodle", "gift")
EXTENSIONS = {"yaml": (".yaml", ".yml"), "moodle": (".xml",), "gift": (".gift", ".txt")}


@dataclass
class ImportReport:
    dry_run: bool = False
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    activated: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        """``{"imported": N, "skipped": N, "errors": [{"item", "line", "message", "file"}]}``.

        With errors, nothing was written and both counts are 0; on a dry run the counts say
        what a real run would do.
        """
        return {
            "imported": len(self.imported),
            "skipped": len(self.skipped),
            "errors": [e.as_json() for e in self.errors],
        }


@dataclass
class _Plan:
    draft: ItemDraft
    item: Item | None
    content: VersionContent
    action: str  # create | version | update | skip
    reviewer: str | None = None


def detect_format(path: Path) -> str | None:
    for fmt, extensions in EXTENSIONS.items():
        if path.suffix.lower() in extensions:
            return fmt
    return None


def _files(path: Path, fmt: str) -> list[Path]:
    if path.is_file():
        return [path]
    wanted = EXTENSIONS[fmt] if fmt != "auto" else tuple(e for es in EXTENSIONS.values() for e in es)
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in wanted)


def import_path(
    session: Session,
    path: str | Path,
    *,
    dry_run: bool = False,
    actor: Actor,
    fmt: str = "auto",
    lang: str | None = None,
    section: str | None = None,
    topic: str | None = None,
    activate: bool = False,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    path = Path(path)
    if fmt not in FORMATS:
        report.errors.append(
            FileError(str(path), None, None, f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
        )
        return report
    if not path.exists():
        report.errors.append(FileError(str(path), None, None, "no such file or folder"))
        return report
    files = _files(path, fmt)
    if not files:
        report.errors.append(FileError(str(path), None, None, "no files of a known format to import"))
        return report

    parsed: list[tuple[str, ParsedFile]] = []
    for file in files:
        file_fmt = fmt if fmt != "auto" else detect_format(file)
        if file_fmt is None:
            report.errors.append(FileError(str(file), None, None, "unknown file type; pass --format"))
            continue
        if file_fmt != "yaml":
            problems = []
            if lang not in LANGUAGES:
                problems.append(f"{file_fmt} files carry one language: pass --lang ({', '.join(LANGUAGES)})")
            if section not in SECTIONS:
                problems.append(f"{file_fmt} files have no section: pass --section ({', '.join(SECTIONS)})")
            if activate:
                problems.append("--activate applies only to the bank's YAML (reviewed, cited, kk and ru)")
            if problems:
                report.errors.extend(FileError(str(file), None, None, p) for p in problems)
                continue
            parser = parse_moodle_file if file_fmt == "moodle" else parse_gift_file
            parsed.append((file_fmt, parser(file, lang=lang, section=section, topic=topic)))  # type: ignore[arg-type]
        else:
            parsed.append((file_fmt, parse_yaml_file(file)))
    for _, pf in parsed:
        report.errors.extend(pf.errors)

    plans, topics = _plan(session, parsed, report, activate=activate)
    if report.errors:
        report.imported.clear()
        report.skipped.clear()
        return report
    for plan in plans:
        (report.skipped if plan.action == "skip" else report.imported).append(plan.draft.external_id)
    if dry_run:
        return report
    _apply(session, plans, topics, report, actor=actor, activate=activate)
    return report


def _plan(
    session: Session, parsed: list[tuple[str, ParsedFile]], report: ImportReport, *, activate: bool
) -> tuple[list[_Plan], list[tuple[str, TopicDraft]]]:
    checker = CitationChecker(session)
    seen: dict[str, ItemDraft] = {}
    topic_files: dict[str, str] = {}
    topics: list[tuple[str, TopicDraft]] = []
    plans: list[_Plan] = []

    def error(draft: ItemDraft, message: str) -> None:
        report.errors.append(FileError(draft.file, draft.label or draft.external_id, draft.line, message))

    for fmt, pf in parsed:
        for topic in pf.topics:
            if topic.section not in SECTIONS or not TOPIC_CODE.match(topic.code):
                report.errors.append(
                    FileError(pf.path, None, None, f"bad topic {topic.code!r} or section {topic.section!r}")
                )
                continue
            stored = session.scalar(select(Topic).where(Topic.code == topic.code))
            if stored is not None and stored.section != topic.section:
                report.errors.append(
                    FileError(
                        pf.path,
                        None,
                        None,
                        f"topic {topic.code} is stored as {stored.section}, not {topic.section}",
                    )
                )
            if fmt == "yaml":
                if topic.code in topic_files:
                    report.errors.append(
                        FileError(
                            pf.path,
                            None,
                            None,
                            f"topic {topic.code} is also defined in {topic_files[topic.code]}",
                        )
                    )
                topic_files[topic.code] = pf.path
            topics.append((fmt, topic))
        for draft in pf.items:
            if draft.external_id in seen:
                other = seen[draft.external_id]
                error(draft, f"duplicate id: also at {other.file}:{other.line}")
                continue
            seen[draft.external_id] = draft
            if fmt == "yaml":
                problems = item_problems(draft)
                if draft.content.citation is not None and not problems:
                    cite = checker.problem(draft.content.citation)
                    if cite:
                        problems.append(cite)
            else:
                problems = item_problems(
                    draft,
                    required_languages=(draft.only_language,),
                    require_explanation=False,
                    require_citation=False,
                )
            if problems:
                error(draft, "; ".join(problems))
                continue
            plan = _plan_item(session, draft, error)
            if plan is None:
                continue
            if activate:
                # A changed text needs a review line that no earlier version already carries:
                # an old approval must not carry over to new words.
                earlier: set[tuple[str, str, str]] = set()
                if plan.action == "version" and plan.item is not None:
                    earlier = {(r.by_label, r.at, r.note) for v in plan.item.versions for r in v.reviews}
                plan.reviewer = _reviewer(draft, exclude=earlier)
                if plan.reviewer is None:
                    error(
                        draft,
                        "--activate needs a review line by someone other than the author"
                        + (" added since the text last changed" if earlier else ""),
                    )
                    continue
                if plan.action == "skip":
                    same = matching_version(plan.item, plan.content) if plan.item else None
                    if same is not None and same.status != ACTIVE:
                        if same.author_label.casefold() == plan.reviewer.casefold():
                            error(draft, "the reviewer who activates a version cannot be its author")
                            continue
                        plan.action = "update"
            plans.append(plan)
    return plans, topics


def _plan_item(session: Session, draft: ItemDraft, error) -> _Plan | None:  # type: ignore[no-untyped-def]
    item = session.scalar(select(Item).where(Item.external_id == draft.external_id))
    if item is None:
        return _Plan(draft, None, draft.content, "create")
    if item.section != draft.section:
        error(draft, f"{draft.external_id} is stored as a {item.section} item, not {draft.section}")
        return None
    content = draft.content
    if draft.only_language is not None:
        base = item.current_version
        if base is not None and base.status != RETIRED:
            merged = dict(base.content().variants)
            merged[draft.only_language] = content.variants[draft.only_language]
            content = replace(
                content, difficulty=base.difficulty, citation=base.content().citation, variants=merged
            )
            problems = content_problems(
                content, required_languages=(), require_explanation=False, require_citation=False
            )
            if problems:
                error(draft, "merged with the stored languages: " + "; ".join(problems))
                return None
    same = matching_version(item, content)
    if same is None:
        return _Plan(draft, item, content, "version")
    positions = "all" if draft.positions is None else list(draft.positions)
    # One-language formats do not own topics or positions; only the bank's YAML changes them.
    metadata_same = draft.only_language is not None or (
        item.topic.code == draft.topic and item.positions_value() == positions
    )
    have = {(r.by_label, r.at, r.note) for r in same.reviews}
    new_reviews = any((r.by, r.at, r.note) not in have for r in draft.review)
    return _Plan(draft, item, content, "skip" if metadata_same and not new_reviews else "update")


def _author(draft: ItemDraft) -> str | None:
    return draft.author or (draft.review[0].by if draft.review else None)


def _reviewer(draft: ItemDraft, exclude: Collection[tuple[str, str, str]] = frozenset()) -> str | None:
    author = (_author(draft) or "").casefold()
    return next(
        (
            r.by
            for r in reversed(draft.review)
            if r.by.casefold() != author and (r.by, r.at, r.note) not in exclude
        ),
        None,
    )


def _apply(
    session: Session,
    plans: list[_Plan],
    topics: list[tuple[str, TopicDraft]],
    report: ImportReport,
    *,
    actor: Actor,
    activate: bool,
) -> None:
    for fmt, topic in topics:
        exists = session.scalar(select(Topic.id).where(Topic.code == topic.code)) is not None
        if fmt == "yaml" or not exists:
            titles = topic.titles or {"ru": topic.code}
            upsert_topic(session, replace(topic, titles=titles), actor=actor)
    for plan in plans:
        draft = plan.draft
        author_label = _author(draft)
        author = Actor(None, author_label) if author_label else actor
        note = f"imported from {Path(draft.file).name}:{draft.line}"
        version: ItemVersion | None
        if plan.action == "create":
            item = create_item(
                session,
                external_id=draft.external_id,
                section=draft.section,
                topic_code=draft.topic,
                positions=draft.positions,
                content=plan.content,
                actor=actor,
                author=author,
                review=draft.review,
                note=note,
            )
            version = item.latest_version
        elif plan.action == "version":
            item = plan.item  # type: ignore[assignment]
            version = save_version(
                session, item, plan.content, actor=actor, author=author, review=draft.review, note=note
            )
            if draft.only_language is None:
                update_item_metadata(
                    session, item, topic_code=draft.topic, positions=draft.positions, actor=actor
                )
        elif plan.action == "update":
            item = plan.item  # type: ignore[assignment]
            version = matching_version(item, plan.content)
            assert version is not None
            if draft.only_language is None:
                update_item_metadata(
                    session, item, topic_code=draft.topic, positions=draft.positions, actor=actor
                )
            append_reviews(session, version, draft.review, actor=actor)
        else:
            continue
        if activate and version is not None and version.status != ACTIVE:
            _activate(session, version, draft.review, reviewer=plan.reviewer or "", actor=actor)
            report.activated.append(draft.external_id)


def _activate(
    session: Session, version: ItemVersion, review: Iterable[ReviewNote], *, reviewer: str, actor: Actor
) -> None:
    audit.record(
        session,
        "bank.review_history_imported",
        actor_id=actor.id,
        actor_label=actor.label,
        object_type="bank_item_version",
        object_id=version.id,
        after={"item": version.item.external_id, "review": [r.__dict__ for r in review]},
    )
    if version.status != IN_REVIEW:
        transition(session, version, IN_REVIEW, actor=actor, note="submitted by import")
    transition(
        session,
        version,
        ACTIVE,
        actor=Actor(None, reviewer),
        note=f"reviewed offline by {reviewer}; activated on import by {actor.label}",
        review_label=reviewer,
    )


# -- export -----------------------------------------------------------------------------------
def export_bank(session: Session, folder: str | Path, *, active_only: bool = False) -> list[Path]:
    """Write ``<folder>/<section>/<topic>.yaml`` for every topic with exportable items.

    By default each item's current text (its pending edit, else its active version), which is
    what a re-import compares against; ``active_only`` writes what forms are drawn from.
    """
    folder = Path(folder)
    written = []
    for topic in session.scalars(select(Topic).order_by(Topic.code)):
        drafts = []
        for item in session.scalars(select(Item).where(Item.topic_id == topic.id).order_by(Item.id)):
            version = item.active_version if active_only else (item.pending_version or item.active_version)
            if version is None:
                continue
            drafts.append(
                ItemDraft(
                    external_id=item.external_id,
                    section=item.section,
                    topic=topic.code,
                    positions=None if item.all_positions else tuple(item.positions),
                    content=version.content(),
                    review=tuple(version.review_notes()),
                    author=version.author_label or None,
                )
            )
        if not drafts:
            continue
        target = folder / topic.section / f"{topic.code}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            dump_topic(TopicDraft(topic.code, topic.section, topic.titles()), drafts), encoding="utf-8"
        )
        written.append(target)
    return written
