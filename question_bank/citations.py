"""The register of sources and the proof that each citation's quote is really in its source.

Matching rule (:func:`normalise`, applied to both the quote and the source text):

1. typographic quotation marks « » “ ” „ ‟ ″ and the ASCII " become one ASCII ``"``;
   ‘ ’ ‚ ‛ ′ and ` become ``'``;
2. dashes and minus signs ‐ ‑ ‒ – — ― − become the ASCII hyphen ``-``;
3. soft hyphens and zero-width characters are dropped, then every whitespace character;
4. the rest is casefolded.

So line breaks, double spaces and hyphenated line ends of PDF-extracted texts, and the quote
style of the editor an author used, never decide whether a quote is found; the words do. A
source whose full text is not loaded cannot prove anything, so an item citing it cannot be
activated (and the bank's own files cannot be imported) until ``load_sources`` has run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation import audit
from attestation.db import DomainError, utcnow
from question_bank.drafts import Citation
from question_bank.models import SourceDocument

_QUOTES = str.maketrans(
    {
        "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WHITESPACE.sub("", text.translate(_QUOTES)).casefold()


@dataclass(frozen=True)
class KnownSource:
    title: str
    act_number: str
    act_date: date | None
    note: str = ""


# Metadata read from the headings of the files in ../shared/sources; ``load_sources`` uses it
# for those codes and falls back to the file's first line for any other.
KNOWN_SOURCES: dict[str, KnownSource] = {
    "attestation-rules-order-422": KnownSource(
        "Еңбек мобильділігі орталықтары (мансап орталықтары) жұмыскерлерінің кәсіптік құзыреттілігін "
        "аттестаттаудан өткізу қағидалары",
        "422",
        date(2024, 11, 5),
        "Order of the Minister of Labour and Social Protection of the Population; as amended by "
        "Order No. 271 of 12.09.2025",
    ),
    "professional-standard-employment-promotion": KnownSource(
        'Professional standard "Employment Promotion (employment center)" / "Жұмыспен қамтуға жәрдемдесу '
        '(жұмыспен қамту орталығы)" кәсіптік стандарты',
        "714",
        date(2019, 12, 31),
        "Order of the Minister of Labour and Social Protection of the Population, registered 31.12.2019 "
        "No. 19810; the Kazakh heading notes it was repealed by Order No. 228 of 28.06.2024",
    ),
    "lmc-model-structure-order-324": KnownSource(
        "Еңбек мобильділігі орталығының үлгілік жарғысын, мансап орталығының үлгілік ережесін ... "
        "бекіту туралы № 322 бұйрығына өзгерістер мен толықтырулар енгізу туралы",
        "324",
        date(2025, 10, 17),
        "Amends Order No. 322 of 28.07.2023 (model charter of an LMC, model regulation of a career centre)",
    ),
    "business-process-map-employers-vacancies": KnownSource(
        "Бизнес-процестің функционалдық картасы ФК-В.01: Жұмыс берушілерді және тұрақты жұмыс орындарына "
        "бос жұмыс орындарын тіркеу / Регистрация работодателей и вакансий на постоянные рабочие места",
        "ФК-В.01",
        None,
    ),
    "enbek-portal-resume-guide": KnownSource(
        "Ізденушілердің түйіндемесін электрондық еңбек биржасы порталында орналастыру жөніндегі нұсқаулық",
        "",
        None,
    ),
}


def source_code(path: Path) -> str:
    """``attestation-rules-order-422.kk.txt`` → ``attestation-rules-order-422``."""
    return path.name.split(".")[0]


def load_sources(session: Session, folder: str | Path, *, actor_label: str = "system") -> list[str]:
    """Store (or refresh) the full text of every ``*.txt`` in ``folder``; returns the codes.

    A missing or empty folder is an error, never a silent no-op: without texts no citation can
    be verified, and a deployment that forgot the sources must hear about it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DomainError(
            "sources_folder_missing", f"Sources folder {folder} does not exist.", folder=str(folder)
        )
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise DomainError(
            "sources_folder_empty", f"Sources folder {folder} has no .txt files.", folder=str(folder)
        )
    codes = []
    for path in files:
        code = source_code(path)
        text = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        language = ".".join(path.name.split(".")[1:-1])
        doc = session.scalar(select(SourceDocument).where(SourceDocument.code == code))
        before = None
        if doc is None:
            doc = SourceDocument(code=code)
            session.add(doc)
        elif doc.text_sha256 == digest:
            codes.append(code)
            continue
        else:
            before = {"text_sha256": doc.text_sha256}
        known = KNOWN_SOURCES.get(code)
        doc.title = known.title if known else _first_line(text)[:500]
        doc.act_number = known.act_number if known else ""
        doc.act_date = known.act_date if known else None
        doc.note = known.note if known else ""
        doc.language = language
        doc.full_text = text
        doc.text_sha256 = digest
        doc.loaded_at = utcnow()
        session.flush()
        audit.record(
            session,
            "bank.source_loaded",
            actor_label=actor_label,
            object_type="bank_source",
            object_id=code,
            before=before,
            after={"text_sha256": digest, "file": path.name},
        )
        codes.append(code)
    _checker_cache.clear()
    return codes


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


_checker_cache: dict[tuple[str, str], str] = {}


class CitationChecker:
    """Verifies citations against stored texts, normalising each text once per process."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._docs: dict[str, SourceDocument | None] = {}

    def _normalised(self, code: str) -> str | None:
        if code not in self._docs:
            self._docs[code] = self.session.scalar(select(SourceDocument).where(SourceDocument.code == code))
        doc = self._docs[code]
        if doc is None or not doc.full_text:
            return None
        key = (code, doc.text_sha256)
        if key not in _checker_cache:
            _checker_cache[key] = normalise(doc.full_text)
        return _checker_cache[key]

    def problem(self, citation: Citation | None) -> str | None:
        """None if the quote is found in its source's text; otherwise why it cannot be trusted."""
        if citation is None:
            return "the item has no citation"
        if citation.source not in self._docs:
            self._normalised(citation.source)
        doc = self._docs.get(citation.source)
        if doc is None:
            return f"unknown source {citation.source!r}; load it with `attest bank load-sources`"
        text = self._normalised(citation.source)
        if text is None:
            return f"source {citation.source!r} has no full text loaded, so its quotes cannot be verified"
        quote = normalise(citation.quote)
        if not quote:
            return "the citation quote is empty"
        if quote not in text:
            return f"quote not found in source {citation.source!r} (clause {citation.clause})"
        return None
