"""Moodle XML import, so an organisation can bring the bank it already keeps in Moodle.

Supported: ``multichoice`` (``<single>true</single>`` → single_choice, otherwise
multiple_choice with the answers of positive fraction as keys), ``truefalse`` (→ true_false)
and ``category`` records (the last path segment becomes the topic of the questions after it).
General feedback becomes the explanation (else the right answers' feedback). Anything else
(essay, matching, images in the text...) is an error for that question rather than a silent
loss, because a question missing a fragment is itself a ground for appeal (§25).

Moodle files carry one language, given by the caller; the items land as drafts without a
citation, and cannot be activated until the other language and a citation are added.
Safety: DTDs and entities are refused (no entity expansion), and HTML is reduced to text with
the standard library's parser (scripts and styles dropped, entities decoded).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.parsers import expat

from question_bank.drafts import ItemDraft, TopicDraft, Variant, VersionContent
from question_bank.yaml_format import FileError, ParsedFile

DEFAULT_DIFFICULTY = 3
TRUE_FALSE_LABELS = {"kk": ("Дұрыс", "Бұрыс"), "ru": ("Верно", "Неверно"), "en": ("True", "False")}


@dataclass
class _El:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_El] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> _El | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[_El]:
        return [c for c in self.children if c.tag == tag]

    def text_of(self, tag: str) -> str:
        """``<tag><text>…</text></tag>`` → …"""
        el = self.find(tag)
        if el is None:
            return ""
        inner = el.find("text")
        return (inner.text if inner is not None else el.text).strip()


class _Refused(Exception):
    pass


def _parse_tree(data: bytes) -> _El:
    parser = expat.ParserCreate()
    stack: list[_El] = []
    root: list[_El] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        el = _El(tag, attrs, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text += text

    def refuse(*_args: object) -> None:
        raise _Refused("DTDs and entity declarations are not accepted")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.Parse(data, True)
    return root[0]


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"}
    SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.unsupported: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("img", "video", "audio", "object", "embed", "iframe", "svg", "math"):
            self.unsupported.add(tag)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, set[str]]:
    """Plain text of an HTML fragment, and the tags whose content text cannot carry."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line), extractor.unsupported


_TRANSLIT = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
        "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
        "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
        "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
        "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    }
)  # fmt: skip


def topic_code_from(name: str) -> str:
    """A snake_case ASCII topic code from a category name in Kazakh, Russian or English."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not code or not code[0].isalpha():
        code = "t_" + code
    return code[:60]


def imported_id(section: str, topic: str, name: str) -> str:
    """A stable id for a question without one, so that importing the file again finds it."""
    digest = hashlib.sha1(f"{topic}/{name}".encode()).hexdigest()[:10].upper()
    return f"{'LEG' if section == 'legal' else 'FUN'}-IMP-{digest}"


def parse_moodle_file(path: str | Path, *, lang: str, section: str, topic: str | None = None) -> ParsedFile:
    path = Path(path)
    out = ParsedFile(str(path))
    try:
        root = _parse_tree(path.read_bytes())
    except (OSError, expat.ExpatError, _Refused) as exc:
        out.errors.append(FileError(str(path), None, getattr(exc, "lineno", None), f"XML: {exc}"))
        return out
    if root.tag != "quiz":
        out.errors.append(FileError(str(path), None, root.line, "a Moodle XML file has a <quiz> root"))
        return out
    current_topic = topic
    topics: dict[str, TopicDraft] = {}
    names: set[tuple[str, str]] = set()
    for q in root.findall("question"):
        qtype = q.attrs.get("type", "")
        if qtype == "category":
            path_text = q.text_of("category")
            segment = [s for s in path_text.split("/") if s and not s.startswith("$")]
            if segment:
                current_topic = topic_code_from(segment[-1])
                topics.setdefault(current_topic, TopicDraft(current_topic, section, {lang: segment[-1]}))
            continue
        name = q.text_of("name") or f"line {q.line}"
        idnumber = q.text_of("idnumber")
        if current_topic is None:
            out.errors.append(
                FileError(str(path), name, q.line, "no category before it and no --topic given")
            )
            continue
        topics.setdefault(current_topic, TopicDraft(current_topic, section, {}))
        if (current_topic, name) in names and not idnumber:
            out.errors.append(
                FileError(str(path), name, q.line, "two questions of one category share this name")
            )
            continue
        names.add((current_topic, name))
        try:
            content = _question(q, qtype, lang)
        except _Refused as exc:
            out.errors.append(FileError(str(path), name, q.line, str(exc)))
            continue
        out.items.append(
            ItemDraft(
                external_id=idnumber or imported_id(section, current_topic, name),
                section=section,
                topic=current_topic,
                positions=None,
                content=content,
                only_language=lang,
                file=str(path),
                line=q.line,
                label=name if not idnumber else "",
            )
        )
    out.topics = list(topics.values())
    return out


def _html(q: _El, tag: str, fmt: str | None = None) -> str:
    raw = q.text_of(tag)
    el = q.find(tag)
    if fmt is None:
        fmt = el.attrs.get("format", "html") if el is not None else "html"
    if fmt in ("plain_text", "markdown"):
        return raw.strip()
    text, unsupported = html_to_text(raw)
    if unsupported:
        raise _Refused(f"{tag} contains {', '.join(sorted(unsupported))}, which plain text cannot carry")
    return text


def _question(q: _El, qtype: str, lang: str) -> VersionContent:
    stem = _html(q, "questiontext")
    if not stem:
        raise _Refused("the question text is empty")
    answers = q.findall("answer")
    fractions = []
    for a in answers:
        try:
            fractions.append(float(a.attrs.get("fraction", "0")))
        except ValueError:
            raise _Refused(f"answer fraction {a.attrs.get('fraction')!r} is not a number") from None
    right = [i for i, f in enumerate(fractions) if f > 0]
    explanation = _html(q, "generalfeedback") or " ".join(
        t for i in right if (t := _html(answers[i], "feedback"))
    )
    if qtype == "truefalse":
        texts = [a.text_of("text").casefold() for a in answers]
        if sorted(texts) != ["false", "true"] or len(right) != 1:
            raise _Refused("a truefalse question needs one 'true' and one 'false' answer, one of them right")
        key = 0 if texts[right[0]] == "true" else 1
        return VersionContent("true_false", DEFAULT_DIFFICULTY, (key,), None,
                              {lang: Variant(stem, TRUE_FALSE_LABELS[lang], explanation)})  # fmt: skip
    if qtype != "multichoice":
        raise _Refused(f"Moodle question type {qtype!r} is not supported (only multichoice and truefalse)")
    single = q.text_of("single").casefold() in ("true", "1")
    options = tuple(_html(a, "text", a.attrs.get("format", "html")) for a in answers)
    if single:
        partial = [fractions[i] for i in right if fractions[i] < 100]
        if partial:
            raise _Refused(f"single-answer question with partial-credit answers {partial}: not supported")
        type_code = "single_choice"
    else:
        type_code = "multiple_choice"
    return VersionContent(
        type_code, DEFAULT_DIFFICULTY, tuple(right), None, {lang: Variant(stem, options, explanation)}
    )
