"""GIFT import (Moodle's plain-text question format).

Supported: multiple choice ``{=right ~wrong}``; multiple answers ``{~%50%a ~%50%b ~%-100%c}``
(answers with a positive weight are the keys); true/false ``{T}`` ``{F}`` ``{TRUE}`` ``{FALSE}``;
per-answer feedback ``#...`` and general feedback ``####...`` (→ explanation: the general one,
else the right answers'); ``//`` comment lines; ``::title::``; ``$CATEGORY:`` lines (→ topic);
``[html]``/``[plain]``/``[markdown]``/``[moodle]`` text formats (HTML reduced to text); the
escapes ``\\=`` ``\\~`` ``\\#`` ``\\{`` ``\\}`` ``\\:`` ``\\\\`` and ``\\n``; and the missing-word form
``text {…} more text`` (the stem shows ``_____`` where the answers were).

Short answer, numerical, matching and essay questions are errors for that question: the
platform grades only choices. Like Moodle XML, a GIFT file is one language and its items land
as drafts without a citation.
"""

from __future__ import annotations

import re
from pathlib import Path

from question_bank.drafts import ItemDraft, TopicDraft, Variant, VersionContent
from question_bank.moodle_xml import (
    DEFAULT_DIFFICULTY,
    TRUE_FALSE_LABELS,
    html_to_text,
    imported_id,
    topic_code_from,
)
from question_bank.yaml_format import FileError, ParsedFile

ESCAPABLE = "~=#{}:\\"
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class GiftError(Exception):
    pass


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped ``target`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in ESCAPABLE:
                out.append(nxt)
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Questions separated by blank lines, with comment lines dropped, and their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip() and depth == 0:
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
        depth = max(0, depth + _count(line, "{") - _count(line, "}"))
    if current:
        blocks.append((start, current))
    return blocks


def _count(line: str, ch: str) -> int:
    return len(_unescaped(line, ch))


def _unescaped(text: str, chars: str) -> list[int]:
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            found.append(i)
        i += 1
    return found


def parse_gift_file(path: str | Path, *, lang: str, section: str, topic: str | None = None) -> ParsedFile:
    path = Path(path)
    out = ParsedFile(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        out.errors.append(FileError(str(path), None, None, f"cannot read file: {exc}"))
        return out
    current_topic = topic
    topics: dict[str, TopicDraft] = {}
    for line, lines in _blocks(text):
        block = "\n".join(lines).strip()
        if block.startswith("$CATEGORY:"):
            name = block.split(":", 1)[1].strip().split("\n")[0]
            segments = [s for s in name.split("/") if s and not s.startswith("$")]
            if segments:
                current_topic = topic_code_from(segments[-1])
                topics.setdefault(current_topic, TopicDraft(current_topic, section, {lang: segments[-1]}))
            continue
        title = None
        if block.startswith("::"):
            end = _find(block, "::", 2)
            if end != -1:
                title = unescape(block[2:end]).strip()
                block = block[end + 2 :].strip()
        label = title or block[:60]
        if current_topic is None:
            out.errors.append(
                FileError(str(path), label, line, "no $CATEGORY before it and no --topic given")
            )
            continue
        topics.setdefault(current_topic, TopicDraft(current_topic, section, {}))
        try:
            content = _question(block, lang)
        except GiftError as exc:
            out.errors.append(FileError(str(path), label, line, str(exc)))
            continue
        out.items.append(
            ItemDraft(
                external_id=imported_id(section, current_topic, title or content.variants[lang].stem),
                section=section,
                topic=current_topic,
                positions=None,
                content=content,
                only_language=lang,
                file=str(path),
                line=line,
                label=label,
            )
        )
    out.topics = list(topics.values())
    return out


def _text(raw: str, fmt: str) -> str:
    if fmt == "html":
        text, unsupported = html_to_text(unescape(raw))
        if unsupported:
            raise GiftError(
                f"the text contains {', '.join(sorted(unsupported))}, which plain text cannot carry"
            )
        return text
    return " ".join(unescape(raw).split()) if fmt != "markdown" else unescape(raw).strip()


def _question(block: str, lang: str) -> VersionContent:
    fmt = "moodle"
    match = re.match(r"^\[(html|plain|markdown|moodle)\]", block)
    if match:
        fmt = match.group(1)
        block = block[match.end() :]
    open_at = _find(block, "{")
    if open_at == -1:
        raise GiftError("no answer block {…}: descriptions are not questions")
    close_at = _find(block, "}", open_at + 1)
    if close_at == -1:
        raise GiftError("the answer block is not closed with }")
    before, answers, after = block[:open_at], block[open_at + 1 : close_at], block[close_at + 1 :]
    if _find(after, "{") != -1:
        raise GiftError("more than one answer block (cloze questions are not supported)")
    stem = _text(before, fmt)
    if after.strip():
        stem = f"{stem} _____ {_text(after, fmt)}".strip()
    if not stem:
        raise GiftError("the question text is empty")
    answers = answers.strip()
    general = ""
    cut = _find(answers, "####")
    if cut != -1:
        general = _text(answers[cut + 4 :], fmt)
        answers = answers[:cut].strip()
    if not answers:
        raise GiftError("essay questions are not supported (empty answer block)")
    if answers.startswith("#"):
        raise GiftError("numerical questions are not supported")
    head, *feedbacks = _split(answers, "#")
    if head.strip().upper() in _TF:
        truth = _TF[head.strip().upper()]
        right_feedback = _text(feedbacks[1], fmt) if len(feedbacks) > 1 else ""
        explanation = general or right_feedback or (_text(feedbacks[0], fmt) if feedbacks else "")
        return VersionContent("true_false", DEFAULT_DIFFICULTY, (0 if truth else 1,), None,
                              {lang: Variant(stem, TRUE_FALSE_LABELS[lang], explanation)})  # fmt: skip
    return _choice(answers, stem, general, fmt, lang)


def _split(text: str, sep: str) -> list[str]:
    parts, start = [], 0
    at = _find(text, sep)
    while at != -1:
        parts.append(text[start:at])
        start = at + len(sep)
        at = _find(text, sep, start)
    parts.append(text[start:])
    return parts


def _choice(answers: str, stem: str, general: str, fmt: str, lang: str) -> VersionContent:
    marks = _unescaped(answers, "=~")
    if not marks or answers[: marks[0]].strip():
        raise GiftError("answers must start with = (right) or ~ (wrong)")
    parsed = []  # (marker, weight, text, feedback)
    for n, at in enumerate(marks):
        chunk = answers[at + 1 : marks[n + 1] if n + 1 < len(marks) else len(answers)]
        if _find(chunk, "->") != -1:
            raise GiftError("matching questions are not supported")
        weight = 100.0 if answers[at] == "=" else 0.0
        m = _WEIGHT.match(chunk.strip())
        if m:
            weight = float(m.group(1))
            chunk = chunk.strip()[m.end() :]
        text, *feedback = _split(chunk, "#")
        parsed.append((answers[at], weight, _text(text, fmt), _text(feedback[0], fmt) if feedback else ""))
    if all(marker == "=" for marker, *_ in parsed):
        raise GiftError("short-answer questions are not supported (every answer is marked =)")
    right = [i for i, (_, weight, _, _) in enumerate(parsed) if weight > 0]
    options = tuple(text for _, _, text, _ in parsed)
    explanation = general or " ".join(fb for i, (_, _, _, fb) in enumerate(parsed) if i in right and fb)
    multiple = any(marker == "~" and weight > 0 for marker, weight, _, _ in parsed)
    if multiple:
        if any(marker == "=" for marker, *_ in parsed):
            raise GiftError(
                "mixes = with weighted ~%n% answers: partial credit in single choice is not supported"
            )
        type_code = "multiple_choice"
    else:
        if len(right) != 1:
            raise GiftError(f"a single-choice question needs exactly one = answer, got {len(right)}")
        if parsed[right[0]][1] != 100:
            raise GiftError("partial credit in single choice is not supported")
        type_code = "single_choice"
    return VersionContent(
        type_code, DEFAULT_DIFFICULTY, tuple(right), None, {lang: Variant(stem, options, explanation)}
    )
